pub mod admin;
pub mod contacts;
pub mod token;
