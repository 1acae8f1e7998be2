pub mod account;
pub mod icon;
pub mod shell;
