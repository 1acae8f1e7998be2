//! Groups of one account and their members. Membership changes append
//! `added_to_group` / `removed_from_group` only when membership really changed.

use super::contact_rows::{ContactRow, select_contacts, stored_instant};
use super::contacts::{ContactPage, page_limit};
use super::error::Conflict;
use super::{Store, StoreError, on_pool, on_tx};
use crate::clock::{from_millis, to_millis};
use crate::engine::event::ContactEvent;
use crate::model::group::{GroupId, GroupName};
use crate::model::{AccountId, ContactId};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    /// How many contacts are in the group.
    pub members: i64,
    pub created_at: DateTime<Utc>,
}

/// `id, name, created_at, members`, as `query_as` reads them.
type GroupRow = (i64, String, i64, i64);

macro_rules! select_groups {
    ($rest:literal) => {
        concat!(
            "SELECT g.id, g.name, g.created_at,
                    (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members
             FROM groups g ",
            $rest
        )
    };
}

fn group_from_row((id, name, created_at, members): GroupRow) -> Group {
    Group {
        id: GroupId(id),
        name,
        members,
        created_at: from_millis(created_at),
    }
}

impl Store {
    /// A second group with the same name in the account is a `Conflict::GroupName`.
    pub async fn create_group(
        &self,
        account: AccountId,
        name: &GroupName,
        now: DateTime<Utc>,
    ) -> Result<Group, StoreError> {
        let now = stored_instant(now);
        let id: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("INSERT INTO groups (account_id, name, created_at) VALUES ($1, $2, $3) RETURNING id")
                .bind(account.0).bind(name.as_str()).bind(to_millis(now))
                .fetch_one(pool)
                .await
                .map_err(|e| StoreError::on_unique(e, "groups_name_key", Conflict::GroupName))?
        });
        Ok(Group {
            id: GroupId(id),
            name: name.to_string(),
            members: 0,
            created_at: now,
        })
    }

    /// Every group of the account, by name.
    pub async fn groups(&self, account: AccountId) -> Result<Vec<Group>, StoreError> {
        let rows: Vec<GroupRow> = on_pool!(self, pool => {
            sqlx::query_as(select_groups!("WHERE g.account_id = $1 ORDER BY g.name, g.id"))
                .bind(account.0)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(group_from_row).collect())
    }

    pub async fn group(&self, account: AccountId, id: GroupId) -> Result<Group, StoreError> {
        let row: Option<GroupRow> = on_pool!(self, pool => {
            sqlx::query_as(select_groups!("WHERE g.account_id = $1 AND g.id = $2"))
                .bind(account.0).bind(id.0)
                .fetch_optional(pool)
                .await?
        });
        row.map(group_from_row).ok_or(StoreError::NotFound)
    }

    pub async fn rename_group(
        &self,
        account: AccountId,
        id: GroupId,
        name: &GroupName,
    ) -> Result<Group, StoreError> {
        let renamed = on_pool!(self, pool => {
            sqlx::query("UPDATE groups SET name = $1 WHERE account_id = $2 AND id = $3")
                .bind(name.as_str()).bind(account.0).bind(id.0)
                .execute(pool)
                .await
                .map_err(|e| StoreError::on_unique(e, "groups_name_key", Conflict::GroupName))?
                .rows_affected()
        });
        if renamed == 0 {
            return Err(StoreError::NotFound);
        }
        self.group(account, id).await
    }

    /// Deletes the group; each of its members gets a `removed_from_group` event.
    pub async fn delete_group(
        &self,
        account: AccountId,
        id: GroupId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let event = ContactEvent::RemovedFromGroup { group_id: id.0 };
        let data = event.data().to_string();
        let mut tx = self.begin().await?;
        let deleted = on_tx!(&mut tx, conn => {
            // One statement for all members, in the events table's own format
            // (`StoreTx::append_event` writes one row at a time).
            sqlx::query(
                "INSERT INTO events (account_id, contact_id, kind, data, created_at)
                 SELECT g.account_id, m.contact_id, $1, $2, $3
                 FROM group_members m JOIN groups g ON g.id = m.group_id
                 WHERE g.account_id = $4 AND g.id = $5 ORDER BY m.contact_id",
            )
            .bind(event.kind()).bind(&data).bind(to_millis(now)).bind(account.0).bind(id.0)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM groups WHERE account_id = $1 AND id = $2")
                .bind(account.0).bind(id.0)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }

    /// Adds the contact to the group. `Ok(false)` when it already was a member;
    /// `NotFound` when either is not in this account.
    pub async fn add_to_group(
        &self,
        account: AccountId,
        group: GroupId,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        if !tx.add_group_member(account, group.0, contact, now).await? {
            // Nothing was written: end the transaction before looking why.
            drop(tx);
            self.check_group_and_contact(account, group, contact)
                .await?;
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Removes the contact from the group. `Ok(false)` when it was not a member;
    /// `NotFound` when either is not in this account.
    pub async fn remove_from_group(
        &self,
        account: AccountId,
        group: GroupId,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        if !tx
            .remove_group_member(account, group.0, contact, now)
            .await?
        {
            drop(tx);
            self.check_group_and_contact(account, group, contact)
                .await?;
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn check_group_and_contact(
        &self,
        account: AccountId,
        group: GroupId,
        contact: ContactId,
    ) -> Result<(), StoreError> {
        self.group(account, group).await?;
        self.contact(account, contact).await?;
        Ok(())
    }

    /// The group's members in id order, after the cursor.
    pub async fn group_members(
        &self,
        account: AccountId,
        group: GroupId,
        after: Option<ContactId>,
        limit: u32,
    ) -> Result<ContactPage, StoreError> {
        self.group(account, group).await?;
        let limit = page_limit(limit);
        let rows: Vec<ContactRow> = on_pool!(self, pool => {
            sqlx::query_as(select_contacts!(
                "JOIN group_members m ON m.contact_id = c.id
                 WHERE c.account_id = $1 AND m.group_id = $2 AND c.id > $3 ORDER BY c.id LIMIT $4"
            ))
            .bind(account.0).bind(group.0).bind(after.map_or(0, |a| a.0)).bind(i64::from(limit) + 1)
            .fetch_all(pool)
            .await?
        });
        ContactPage::from_rows(rows, limit)
    }

    /// The groups the contact is in, by name.
    pub async fn contact_groups(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Vec<Group>, StoreError> {
        self.contact(account, contact).await?;
        let rows: Vec<GroupRow> = on_pool!(self, pool => {
            sqlx::query_as(select_groups!(
                "JOIN group_members cm ON cm.group_id = g.id
                 WHERE g.account_id = $1 AND cm.contact_id = $2 ORDER BY g.name, g.id"
            ))
            .bind(account.0).bind(contact.0)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(group_from_row).collect())
    }
}
