use crate::error::CliError;
use chrono::Utc;
use hookflow::auth::new_token;
use hookflow::model::Email;
use hookflow::store::Store;

/// Creates an API token for the user's account and returns its secret, which is
/// shown this once: only its hash is stored.
pub async fn create(store: &Store, email: &str, name: &str) -> Result<String, CliError> {
    let email = Email::parse(email).map_err(|e| CliError::Input(format!("email: {e}")))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(CliError::Input(
            "token name: use 1 to 100 characters".into(),
        ));
    }
    let user = store
        .user_by_email(&email)
        .await?
        .ok_or_else(|| CliError::Input(format!("no user with the email {email}")))?;
    let token = new_token();
    store
        .create_token(&user, name, &token.prefix, &token.hash, Utc::now())
        .await?;
    Ok(token.secret)
}
