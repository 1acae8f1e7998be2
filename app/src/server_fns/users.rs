//! Managing the account's users (admins only).

use leptos::prelude::*;

/// Ends every session of one of the account's users: they are logged out on
/// every device at their next click. Returns how many sessions ended.
#[server(prefix = "/fn", endpoint = "sign_out_user", client = crate::session::CsrfClient)]
pub async fn sign_out_user(user_id: i64) -> Result<u64, ServerFnError> {
    use crate::session::{Role, require_role};
    use crate::state::AppState;
    use hookflow::model::UserId;

    let admin = require_role(Role::Admin)?;
    let store = expect_context::<AppState>().store;
    let failed = super::refuse::store_failed("user");
    let user = store.user_by_id(UserId(user_id)).await.map_err(&failed)?;
    // Another account's user is as unknown as a user who does not exist.
    let Some(user) = user.filter(|u| u.account_id == admin.account_id) else {
        return Err(super::refuse::not_found(
            "There is no such user in this account.",
        ));
    };
    store.delete_user_sessions(user.id).await.map_err(failed)
}
