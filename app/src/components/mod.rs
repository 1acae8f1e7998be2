pub mod icon;
pub mod shell;
