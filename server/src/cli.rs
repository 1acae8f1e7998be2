//! Parses the command line, runs the command, and turns any failure into one
//! clear line on stderr and a non-zero exit.

use crate::config::ContactsCommand;
use crate::config::{AdminCommand, Cli, Command, DEFAULT_DATABASE_URL, ServeArgs, TokenCommand};
use crate::error::CliError;
use crate::{bench, commands, startup, telemetry};
use clap::Parser;
use hookflow::store::{DatabaseUrl, Store};
use std::process::ExitCode;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.global.log_format, &cli.global.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let given = cli.global.database_url.as_deref();
    let url =
        || -> Result<DatabaseUrl, CliError> { Ok(given.unwrap_or(DEFAULT_DATABASE_URL).parse()?) };
    match cli
        .command
        .unwrap_or_else(|| Command::Serve(ServeArgs::from_env()))
    {
        Command::Serve(args) => {
            let app = startup::Application::build(&url()?, &args).await?;
            app.run_until_stopped(startup::shutdown_signal()).await
        }
        Command::Admin(AdminCommand::Create {
            email,
            password,
            account_name,
        }) => {
            let store = Store::open(&url()?, 2).await?;
            let created =
                commands::admin::create(&store, &email, &password, account_name.as_deref()).await;
            store.close().await;
            let (account, user) = created?;
            println!(
                "Created account {account} with admin {} (user {user}).",
                email.trim().to_lowercase()
            );
            Ok(())
        }
        Command::Token(TokenCommand::Create { email, name }) => {
            let store = Store::open(&url()?, 2).await?;
            let created = commands::token::create(&store, &email, &name).await;
            store.close().await;
            println!("{}", created?);
            Ok(())
        }
        Command::Contacts(ContactsCommand::Import { file, account }) => {
            let account = hookflow::model::AccountId(account);
            commands::contacts::import(&url()?, &file, account).await
        }
        Command::Bench(command) => {
            let url = given.map(str::parse::<DatabaseUrl>).transpose()?;
            bench::run(url, command).await
        }
    }
}
