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

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/hookflow.db";

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Where data lives: sqlite://PATH (created when missing) or
    /// postgres://USER@HOST:PORT/DB [default: sqlite://data/hookflow.db; for
    /// `bench`, a new SQLite file in a temporary folder]
    #[arg(long, env = "HOOKFLOW_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

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
    /// Import contacts.
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// Benchmarks (see BENCHMARKS.md).
    #[command(subcommand)]
    Bench(crate::bench::BenchCommand),
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

    /// Always mark the session cookie Secure (https only). Set it when browsers
    /// reach Hookflow over https; without it the cookie is Secure only when a
    /// proxy says so (`X-Forwarded-Proto: https`).
    #[arg(long, env = "HOOKFLOW_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// How long a shutdown waits for in-flight work before giving it back, in seconds.
    #[arg(long, env = "HOOKFLOW_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,

    /// Database connections kept open.
    #[arg(long, env = "HOOKFLOW_DATABASE_CONNECTIONS", default_value_t = 16)]
    pub database_connections: u32,

    /// How often time-based triggers (dates reached, consent expiring) are checked, in seconds.
    #[arg(long, env = "HOOKFLOW_SWEEP_INTERVAL_SECS", default_value_t = 60)]
    pub sweep_interval_secs: u64,

    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

/// How webhooks are sent and retried.
#[derive(Debug, Clone, Args)]
pub struct DeliveryArgs {
    /// Delays between attempts, comma-separated (ms, s, m, h, d); the last one repeats.
    #[arg(
        long,
        env = "HOOKFLOW_RETRY_SCHEDULE",
        default_value = "5s,30s,2m,5m,15m,30m,1h,2h,3h"
    )]
    pub retry_schedule: String,

    /// How long a request is retried before it is Failed.
    #[arg(long, env = "HOOKFLOW_RETRY_WINDOW", default_value = "12h")]
    pub retry_window: String,

    /// Networks webhooks may reach although they are not public, comma-separated
    /// CIDRs (e.g. 127.0.0.0/8 to test against a local receiver). Empty: none.
    #[arg(long, env = "HOOKFLOW_ALLOW_NETWORKS", default_value = "")]
    pub allow_networks: String,

    /// Seconds to resolve, connect and finish TLS with a destination.
    #[arg(long, env = "HOOKFLOW_CONNECT_TIMEOUT_SECS", default_value_t = 5)]
    pub connect_timeout_secs: u64,

    /// Seconds for a whole attempt, response included.
    #[arg(long, env = "HOOKFLOW_REQUEST_TIMEOUT_SECS", default_value_t = 15)]
    pub request_timeout_secs: u64,

    /// Deliveries this process works on at once, all destinations together.
    #[arg(long, env = "HOOKFLOW_DISPATCH_CONCURRENCY", default_value_t = 2048)]
    pub dispatch_concurrency: usize,

    /// Requests in flight at once to one destination (host:port).
    #[arg(long, env = "HOOKFLOW_DESTINATION_CONCURRENCY", default_value_t = 64)]
    pub destination_concurrency: usize,

    /// Seconds a claimed delivery stays reserved for this process; after a crash,
    /// another instance takes it over when this runs out.
    #[arg(long, env = "HOOKFLOW_LEASE_SECS", default_value_t = 300)]
    pub lease_secs: u64,

    /// Milliseconds between looks for due work when nothing wakes the dispatcher
    /// (the path between instances sharing PostgreSQL).
    #[arg(long, env = "HOOKFLOW_POLL_INTERVAL_MS", default_value_t = 1000)]
    pub poll_interval_ms: u64,
}

/// Parses only the serve options, from the environment and defaults: what
/// `hookflow` with no command runs with.
#[derive(Parser)]
struct ServeOnly {
    #[command(flatten)]
    args: ServeArgs,
}

impl ServeArgs {
    pub fn from_env() -> ServeArgs {
        ServeOnly::parse_from(["hookflow"]).args
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

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Create or update contacts from a CSV file, matched by email. The header row
    /// names the fields (`email`, `firstname`, …, custom field keys); an empty cell
    /// leaves that value as it is; an invalid row is reported and skipped.
    Import {
        /// The CSV file (UTF-8, comma-separated, header row first).
        file: PathBuf,
        /// The id of the account to import into.
        #[arg(long)]
        account: i64,
    },
}
