pub mod account;
pub mod chart;
pub mod editor;
pub mod field;
pub mod icon;
pub mod shell;
pub mod show_once;
