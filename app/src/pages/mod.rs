pub mod contacts;
pub mod home;
pub mod login;
pub mod not_found;
pub mod scenarios;
pub mod settings;
