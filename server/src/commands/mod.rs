pub mod admin;
pub mod token;
