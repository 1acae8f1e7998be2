//! Groups in the browser: list with member counts, create, rename, delete, and
//! a group's members. The rules are the REST API's (server/src/api/groups.rs).

use super::contacts::ContactList;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub id: i64,
    pub name: String,
    pub members: i64,
}

/// A group and one page of its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMembersPage {
    pub group: GroupSummary,
    pub members: ContactList,
}

/// What a create or rename gave: done, or what is wrong with the name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NameOutcome {
    Done,
    Problem(String),
}

#[cfg(feature = "ssr")]
fn summary(g: hookflow::store::Group) -> GroupSummary {
    GroupSummary {
        id: g.id.0,
        name: g.name,
        members: g.members,
    }
}

#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn list_groups() -> Result<Vec<GroupSummary>, ServerFnError> {
    use crate::state::AppState;
    let user = crate::session::require_user()?;
    let groups = expect_context::<AppState>()
        .store
        .groups(user.account_id)
        .await
        .map_err(super::refuse::store_failed("group"))?;
    Ok(groups.into_iter().map(summary).collect())
}

/// Creates a group (`id == None`) or renames one.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn save_group(id: Option<i64>, name: String) -> Result<NameOutcome, ServerFnError> {
    use crate::state::AppState;
    use hookflow::model::group::{GroupId, GroupName};
    use hookflow::store::StoreError;

    let user = crate::session::require_user()?;
    let store = expect_context::<AppState>().store;
    let name = match GroupName::parse(&name) {
        Ok(name) => name,
        Err(e) => return Ok(NameOutcome::Problem(e.to_string())),
    };
    let saved = match id {
        None => store
            .create_group(user.account_id, &name, chrono::Utc::now())
            .await
            .map(|_| ()),
        Some(id) => store
            .rename_group(user.account_id, GroupId(id), &name)
            .await
            .map(|_| ()),
    };
    match saved {
        Ok(()) => Ok(NameOutcome::Done),
        Err(StoreError::Conflict(c)) => Ok(NameOutcome::Problem(format!("{c} already exists"))),
        Err(e) => Err(super::refuse::store_failed("group")(e)),
    }
}

/// Deletes the group; its contacts stay, only the memberships go.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn delete_group(id: i64) -> Result<(), ServerFnError> {
    use crate::state::AppState;
    use hookflow::model::group::GroupId;

    let user = crate::session::require_user()?;
    let state = expect_context::<AppState>();
    state
        .store
        .delete_group(user.account_id, GroupId(id), chrono::Utc::now())
        .await
        .map_err(super::refuse::store_failed("group"))?;
    state.engine.wake();
    Ok(())
}

#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn group_members(id: i64, after: Option<i64>) -> Result<GroupMembersPage, ServerFnError> {
    use super::contacts::PAGE_SIZE;
    use super::contacts::ssr::summary as contact_summary;
    use super::refuse::store_failed as failed;
    use crate::state::AppState;
    use hookflow::model::ContactId;
    use hookflow::model::group::GroupId;

    let user = crate::session::require_user()?;
    let store = expect_context::<AppState>().store;
    let group = store
        .group(user.account_id, GroupId(id))
        .await
        .map_err(failed("group"))?;
    let page = store
        .group_members(
            user.account_id,
            GroupId(id),
            after.map(ContactId),
            PAGE_SIZE,
        )
        .await
        .map_err(failed("group"))?;
    let contacts = page.contacts.into_iter().map(contact_summary).collect();
    Ok(GroupMembersPage {
        group: summary(group),
        members: ContactList {
            contacts,
            next_after: page.next_after.map(|id| id.0),
        },
    })
}
