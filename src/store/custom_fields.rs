//! The fields an account adds to its contacts. Listing them is
//! `Store::account_custom_fields`; keys are checked by `CustomField::new`.

use super::error::Conflict;
use super::{Engine, Store, StoreError, on_tx};
use crate::clock::to_millis;
use crate::model::AccountId;
use crate::model::fields::{CustomField, CustomFieldKind};
use chrono::{DateTime, Utc};

fn kind_str(kind: CustomFieldKind) -> &'static str {
    match kind {
        CustomFieldKind::Text => "text",
        CustomFieldKind::Number => "number",
        CustomFieldKind::Date => "date",
    }
}

/// Removes one key from every contact of the account; the JSON functions differ.
const STRIP_SQLITE: &str = "UPDATE contacts SET fields = json_remove(fields, '$.' || $1)
    WHERE account_id = $2 AND json_type(fields, '$.' || $1) IS NOT NULL";
const STRIP_POSTGRES: &str = "UPDATE contacts SET fields = (fields::jsonb - $1::text)::text
    WHERE account_id = $2 AND jsonb_exists(fields::jsonb, $1::text)";

impl Store {
    /// A second field with the same key in the account is a `Conflict::CustomFieldKey`.
    pub async fn create_custom_field(
        &self,
        account: AccountId,
        field: &CustomField,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        super::on_pool!(self, pool => {
            sqlx::query("INSERT INTO custom_fields (account_id, key, label, kind, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(account.0).bind(field.key()).bind(field.label()).bind(kind_str(field.kind()))
                .bind(to_millis(now))
                .execute(pool)
                .await
                .map_err(|e| StoreError::on_unique(e, "custom_fields_pkey", Conflict::CustomFieldKey))?;
        });
        Ok(())
    }

    /// Deletes the field and its value from every contact of the account. This is
    /// a change of the catalogue, not of contacts, so no contact events.
    pub async fn delete_custom_field(
        &self,
        account: AccountId,
        key: &str,
    ) -> Result<(), StoreError> {
        let strip = match self.engine() {
            Engine::Sqlite => STRIP_SQLITE,
            Engine::Postgres => STRIP_POSTGRES,
        };
        let mut tx = self.begin().await?;
        let deleted = on_tx!(&mut tx, conn => {
            let deleted = sqlx::query("DELETE FROM custom_fields WHERE account_id = $1 AND key = $2")
                .bind(account.0).bind(key)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if deleted > 0 {
                sqlx::query(strip).bind(key).bind(account.0).execute(&mut *conn).await?;
            }
            deleted
        });
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }
}
