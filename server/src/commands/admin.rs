use crate::error::CliError;
use chrono::Utc;
use hookflow::auth::Password;
use hookflow::model::{AccountId, Email, UserId};
use hookflow::store::{NewAccount, Store};

/// Creates an account and its first admin, after checking the email and password.
pub async fn create(
    store: &Store,
    email: &str,
    password: &str,
    account_name: Option<&str>,
) -> Result<(AccountId, UserId), CliError> {
    let email = Email::parse(email).map_err(|e| CliError::Input(format!("admin email: {e}")))?;
    let password = Password::parse(password, email.as_str())
        .map_err(|e| CliError::Input(format!("admin password: {e}")))?;
    let default_name = email
        .as_str()
        .rsplit_once('@')
        .map(|(_, d)| d.to_string())
        .unwrap_or_default();
    let name = account_name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&default_name);
    if name.chars().count() > 100 {
        return Err(CliError::Input(
            "account name: use at most 100 characters".into(),
        ));
    }
    let hash = password.hash();
    let created = store
        .create_account(
            NewAccount {
                name,
                admin_email: &email,
                admin_password_hash: &hash,
            },
            Utc::now(),
        )
        .await?;
    Ok(created)
}

/// On the first start of an empty database, creates the admin named by
/// `HOOKFLOW_ADMIN_EMAIL` / `HOOKFLOW_ADMIN_PASSWORD`. Later starts leave users alone.
pub async fn bootstrap(
    store: &Store,
    email: Option<&str>,
    password: Option<&str>,
) -> Result<(), CliError> {
    let (Some(email), Some(password)) = (email, password) else {
        return Ok(());
    };
    if store.count_users().await? > 0 {
        return Ok(());
    }
    let (account, _) = create(store, email, password, None).await?;
    tracing::info!(%account, "created the first account and its admin");
    Ok(())
}
