use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL or the place it points to cannot be used.
    #[error("{0}")]
    Config(String),
    /// The database could not be reached.
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique constraint said no; the string names what already exists.
    #[error("{0} already exists")]
    Conflict(Conflict),
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    UserEmail,
    ContactEmail,
    GroupName,
    CustomFieldKey,
    /// Someone else saved the scenario since it was loaded.
    ScenarioVersion,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Conflict::UserEmail => "a user with this email",
            Conflict::ContactEmail => "a contact with this email",
            Conflict::GroupName => "a group with this name",
            Conflict::CustomFieldKey => "a custom field with this key",
            Conflict::ScenarioVersion => "a newer version of this scenario",
        })
    }
}

impl StoreError {
    /// Turns a unique violation of `constraint` into a `Conflict`.
    pub(crate) fn on_unique(e: sqlx::Error, constraint: &str, what: Conflict) -> StoreError {
        if let sqlx::Error::Database(db) = &e {
            let named = db.constraint() == Some(constraint);
            // SQLite does not report constraint names, only the columns.
            let sqlite_unique =
                db.kind() == sqlx::error::ErrorKind::UniqueViolation && db.constraint().is_none();
            if named || sqlite_unique {
                return StoreError::Conflict(what);
            }
        }
        StoreError::Database(e)
    }
}
