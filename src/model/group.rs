//! Groups: named lists of contacts. A name is unique within its account.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A group of contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroupId(pub i64);

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A group's name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GroupName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupNameError {
    #[error("enter a name for the group")]
    Empty,
    #[error("a group name is at most {max} characters", max = GroupName::MAX_LEN)]
    TooLong,
    #[error("a group name cannot contain line breaks or control characters")]
    Control,
}

impl GroupName {
    pub const MAX_LEN: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, GroupNameError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(GroupNameError::Empty);
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(GroupNameError::TooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(GroupNameError::Control);
        }
        Ok(GroupName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for GroupName {
    type Error = GroupNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        GroupName::parse(&value)
    }
}

impl From<GroupName> for String {
    fn from(name: GroupName) -> String {
        name.0
    }
}

impl fmt::Display for GroupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_name_is_trimmed_and_checked() {
        assert_eq!(
            GroupName::parse("  VIP customers ").unwrap().as_str(),
            "VIP customers"
        );
        assert_eq!(GroupName::parse(" "), Err(GroupNameError::Empty));
        assert_eq!(
            GroupName::parse(&"x".repeat(101)),
            Err(GroupNameError::TooLong)
        );
        assert_eq!(GroupName::parse("a\nb"), Err(GroupNameError::Control));
    }
}
