//! Every setting, as a command-line option that can also come from a `HOOKFLOW_*`
//! environment variable. `hookflow --help` and `hookflow serve --help` list them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "hookflow",
    version,
    about = "Hookflow: marketing automation that sends webhooks and keeps its promises"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Where data lives: sqlite://PATH (created when missing) or postgres://USER@HOST:PORT/DB.
    #[arg(
        long,
        env = "HOOKFLOW_DATABASE_URL",
        default_value = "sqlite://data/hookflow.db",
        global = true
    )]
    pub database_url: String,

    /// Log output: human-readable lines, or one JSON object per line.
    #[arg(long, env = "HOOKFLOW_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    /// Which logs to show, as a tracing filter (for example `info` or `hookflow=debug,info`).
    #[arg(long, env = "HOOKFLOW_LOG", default_value = "info", global = true)]
    pub log: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default when no command is given).
    Serve(ServeArgs),
    /// Manage accounts and their admins.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "HOOKFLOW_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,

    /// Folder with the built site (pkg/ with the wasm, the CSS, public assets).
    #[arg(long, env = "HOOKFLOW_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// On the first start of an empty database, create an account with this admin.
    #[arg(long, env = "HOOKFLOW_ADMIN_EMAIL", requires = "admin_password")]
    pub admin_email: Option<String>,

    /// Password of that first admin (at least 10 characters, not easy to guess).
    #[arg(
        long,
        env = "HOOKFLOW_ADMIN_PASSWORD",
        hide_env_values = true,
        requires = "admin_email"
    )]
    pub admin_password: Option<String>,

    /// How long a shutdown waits for in-flight work before giving it back, in seconds.
    #[arg(long, env = "HOOKFLOW_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,

    /// Database connections kept open.
    #[arg(long, env = "HOOKFLOW_DATABASE_CONNECTIONS", default_value_t = 16)]
    pub database_connections: u32,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            bind: "127.0.0.1:3000".parse().expect("valid address"),
            site_root: PathBuf::from("target/site"),
            admin_email: None,
            admin_password: None,
            shutdown_grace_secs: 20,
            database_connections: 16,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account and its first admin user.
    Create {
        #[arg(long)]
        email: String,
        /// At least 10 characters, not easy to guess. Prefer HOOKFLOW_ADMIN_PASSWORD
        /// so it stays out of the shell history.
        #[arg(long, env = "HOOKFLOW_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        /// The account's name (defaults to the email's domain).
        #[arg(long)]
        account_name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new API token for the account of the user with this email.
    Create {
        #[arg(long)]
        email: String,
        /// What the token is for, to tell tokens apart later.
        #[arg(long, default_value = "API token")]
        name: String,
    },
}
