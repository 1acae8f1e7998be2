//! Building the application (store, router, listener) and running it until a
//! shutdown signal.

use crate::commands;
use crate::config::ServeArgs;
use crate::error::CliError;
use crate::routes;
use app::state::AppState;
use hookflow::store::{DatabaseUrl, Store};
use leptos::config::LeptosOptions;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    store: Store,
    grace: Duration,
}

impl Application {
    /// Opens the store (running migrations), creates the first admin when asked,
    /// and binds the port (port 0 picks a free one, as tests do).
    pub async fn build(url: &DatabaseUrl, args: &ServeArgs) -> Result<Application, CliError> {
        let store = Store::open(url, args.database_connections).await?;
        commands::admin::bootstrap(
            &store,
            args.admin_email.as_deref(),
            args.admin_password.as_deref(),
        )
        .await?;
        let listener = TcpListener::bind(args.bind)
            .await
            .map_err(|source| CliError::Bind {
                addr: args.bind,
                source,
            })?;
        let bound = listener.local_addr()?;
        let leptos_options = LeptosOptions::builder()
            .output_name("hookflow")
            .site_root(args.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(bound)
            .build();
        let state = AppState {
            leptos_options,
            store: store.clone(),
        };
        Ok(Application {
            listener,
            router: routes::router(state),
            store,
            grace: Duration::from_secs(args.shutdown_grace_secs),
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves until `shutdown` resolves, then stops taking requests, lets the
    /// in-flight ones finish (at most the grace period) and closes the store.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), CliError> {
        let addr = self.listener.local_addr()?;
        tracing::info!(%addr, "Hookflow is listening on http://{addr}");
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let server = axum::serve(self.listener, self.router).with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: no new requests, finishing the ones in flight");
            let _ = stopping_tx.send(());
        });
        let server = tokio::spawn(async move { server.await });
        let grace = self.grace;
        let result = tokio::select! {
            r = server => r.map_err(|e| CliError::Io(std::io::Error::other(e)))?,
            () = async move {
                let _ = stopping_rx.await;
                tokio::time::sleep(grace).await;
            } => {
                tracing::warn!("requests still in flight after the grace period; stopping anyway");
                Ok(())
            }
        };
        self.store.close().await;
        tracing::info!("stopped");
        result.map_err(CliError::Io)
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
