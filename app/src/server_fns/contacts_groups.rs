//! A contact's group memberships: which groups it is in, and adding or removing
//! it (each change fires the "added to group" trigger's event, as the API does).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Memberships {
    /// The groups it is in, by name.
    pub member_of: Vec<GroupRef>,
    /// The account's other groups, for "Add to group".
    pub others: Vec<GroupRef>,
}

#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn contact_memberships(contact_id: i64) -> Result<Memberships, ServerFnError> {
    use super::refuse::store_failed as failed;
    use crate::state::AppState;
    use hookflow::model::ContactId;

    let user = crate::session::require_user()?;
    let store = expect_context::<AppState>().store;
    let member_of = store
        .contact_groups(user.account_id, ContactId(contact_id))
        .await
        .map_err(failed("contact"))?;
    let all = store
        .groups(user.account_id)
        .await
        .map_err(failed("group"))?;
    let refer = |g: hookflow::store::Group| GroupRef {
        id: g.id.0,
        name: g.name,
    };
    let others = all
        .into_iter()
        .filter(|g| !member_of.iter().any(|m| m.id == g.id))
        .map(refer)
        .collect();
    Ok(Memberships {
        member_of: member_of.into_iter().map(refer).collect(),
        others,
    })
}

/// Adds the contact to the group, or (`member == false`) removes it.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn set_membership(
    contact_id: i64,
    group_id: i64,
    member: bool,
) -> Result<(), ServerFnError> {
    use crate::state::AppState;
    use hookflow::model::ContactId;
    use hookflow::model::group::GroupId;

    let user = crate::session::require_user()?;
    let state = expect_context::<AppState>();
    let (group, contact, now) = (GroupId(group_id), ContactId(contact_id), chrono::Utc::now());
    let changed = if member {
        state
            .store
            .add_to_group(user.account_id, group, contact, now)
            .await
    } else {
        state
            .store
            .remove_from_group(user.account_id, group, contact, now)
            .await
    }
    .map_err(super::refuse::store_failed("group or contact"))?;
    if changed {
        state.engine.wake();
    }
    Ok(())
}
