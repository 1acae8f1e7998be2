//! Building the application (store, router, listener) and running it until a
//! shutdown signal.

use crate::commands;
use crate::config::ServeArgs;
use crate::delivery::{dispatcher_config, sender_config};
use crate::error::CliError;
use crate::routes;
use app::state::AppState;
use hookflow::clock::SystemClock;
use hookflow::delivery::Dispatcher;
use hookflow::engine::{Engine, EngineConfig};
use hookflow::store::{DatabaseUrl, Store};
use hookflow::webhook::sender::Sender;
use leptos::config::LeptosOptions;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    store: Store,
    dispatcher: Dispatcher,
    engine: Engine,
    grace: Duration,
}

impl Application {
    /// Opens the store (running migrations), creates the first admin when asked,
    /// and binds the port (port 0 picks a free one, as tests do).
    pub async fn build(url: &DatabaseUrl, args: &ServeArgs) -> Result<Application, CliError> {
        // Settings first: a typo fails before anything is opened.
        sender_config(&args.delivery)?;
        dispatcher_config(&args.delivery)?;
        let store = Store::open(url, args.database_connections).await?;
        Self::with_store(store, args).await
    }

    /// The same on a store already open (benchmarks run it on a scratch database).
    pub async fn with_store(store: Store, args: &ServeArgs) -> Result<Application, CliError> {
        let sender_config = sender_config(&args.delivery)?;
        let dispatcher_config = dispatcher_config(&args.delivery)?;
        store.reserve_dispatch()?;
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
        let sender = Sender::new(sender_config).map_err(|e| CliError::Input(e.to_string()))?;
        let delivery_window = dispatcher_config.schedule.window;
        let dispatcher = Dispatcher::new(
            store.clone(),
            sender.clone(),
            Arc::new(SystemClock),
            dispatcher_config,
        );
        let engine_config = EngineConfig {
            delivery_window,
            sweep_interval: Duration::from_secs(args.sweep_interval_secs.max(1)),
            ..EngineConfig::default()
        };
        let engine = Engine::new(
            store.clone(),
            Arc::new(SystemClock),
            engine_config,
            Some(dispatcher.clone()),
        );
        let state = AppState {
            leptos_options,
            store: store.clone(),
            dispatcher: dispatcher.clone(),
            engine: engine.clone(),
            sender,
        };
        Ok(Application {
            listener,
            router: routes::router(state).layer(axum::Extension(crate::session::CookiePolicy {
                always_secure: args.secure_cookies,
            })),
            store,
            dispatcher,
            engine,
            grace: Duration::from_secs(args.shutdown_grace_secs),
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves and dispatches until `shutdown` resolves. Then it stops taking
    /// requests and claiming deliveries, lets in-flight work finish (at most
    /// the grace period), gives back what is still leased, and closes the store.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), CliError> {
        let addr = self.listener.local_addr()?;
        tracing::info!(%addr, "Hookflow is listening on http://{addr}");
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let dispatcher = tokio::spawn(self.dispatcher.clone().run(stop_rx.clone(), self.grace));
        let engine = tokio::spawn(self.engine.clone().run(stop_rx.clone()));
        let mut server_stop = stop_rx;
        // The peer address feeds the per-address login limit.
        let router = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let server = axum::serve(self.listener, router).with_graceful_shutdown(async move {
            let _ = server_stop.wait_for(|stop| *stop).await;
        });
        let server = tokio::spawn(async move { server.await });
        shutdown.await;
        tracing::info!("shutting down: no new requests or claims, finishing the work in flight");
        let _ = stop_tx.send(true);
        let grace = self.grace;
        let result = match tokio::time::timeout(grace, server).await {
            Ok(joined) => joined.map_err(|e| CliError::Io(std::io::Error::other(e)))?,
            Err(_) => {
                tracing::warn!("requests still in flight after the grace period; stopping anyway");
                Ok(())
            }
        };
        // The engine finishes its current step (a short transaction); the
        // dispatcher bounds its own wait by the grace period.
        let _ = engine.await;
        let _ = dispatcher.await;
        self.store.close().await;
        tracing::info!("stopped");
        result.map_err(CliError::Io)
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this
/// is called, not when the future is first polled: a signal that comes while the
/// server is starting to serve must stop it gracefully, not kill it.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(interrupt) => {},
                () = wait(terminate) => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
