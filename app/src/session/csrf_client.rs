//! Server function calls from the browser carry the session's CSRF token in an
//! `X-CSRF-Token` header, read from the page's `<meta name="csrf-token">`. A
//! custom header also makes the request one that another site cannot send
//! without the browser asking us first (CORS), which we never allow.
//!
//! Every server function that is not a plain read declares it:
//! `#[server(prefix = "/fn", client = crate::session::CsrfClient)]`. Without it
//! the server answers 403.

use leptos::server_fn::Bytes;
use leptos::server_fn::client::Client;
use leptos::server_fn::client::browser::BrowserClient;
use leptos::server_fn::error::FromServerFnError;
use leptos::server_fn::request::browser::BrowserRequest;
use leptos::server_fn::response::browser::BrowserResponse;
use std::future::Future;

/// The browser's `fetch`, plus the CSRF header.
pub struct CsrfClient;

impl<E, IS, OS> Client<E, IS, OS> for CsrfClient
where
    E: FromServerFnError,
    IS: FromServerFnError,
    OS: FromServerFnError,
{
    type Request = BrowserRequest;
    type Response = BrowserResponse;

    fn send(req: BrowserRequest) -> impl Future<Output = Result<BrowserResponse, E>> + Send {
        #[cfg(feature = "hydrate")]
        if let Some(token) = page_token() {
            req.headers().set(super::CSRF_HEADER, &token);
        }
        <BrowserClient as Client<E, IS, OS>>::send(req)
    }

    #[allow(clippy::type_complexity)]
    fn open_websocket(
        path: &str,
    ) -> impl Future<
        Output = Result<
            (
                impl futures::Stream<Item = Result<Bytes, Bytes>> + Send + 'static,
                impl futures::Sink<Bytes> + Send + 'static,
            ),
            E,
        >,
    > + Send {
        <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
    }

    fn spawn(future: impl Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<E, IS, OS>>::spawn(future)
    }
}

/// The token the server rendered into the page, if anyone is signed in.
#[cfg(feature = "hydrate")]
fn page_token() -> Option<String> {
    leptos::prelude::document()
        .query_selector("meta[name=csrf-token]")
        .ok()
        .flatten()?
        .get_attribute("content")
}
