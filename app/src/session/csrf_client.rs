//! Server function calls from the browser carry the session's CSRF token in an
//! `X-CSRF-Token` header, read from the page's `<meta name="csrf-token">`. A
//! custom header also makes the request one that another site cannot send
//! without the browser asking us first (CORS), which we never allow.
//!
//! A 401 answer means the session has ended: the page goes to the login, which
//! leads back to it.
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
        let sent = <BrowserClient as Client<E, IS, OS>>::send(req);
        async move {
            let response = sent.await;
            // The session ended (logged out elsewhere, or expired): log in again
            // and come back here.
            #[cfg(feature = "hydrate")]
            if let Ok(r) = &response {
                use leptos::server_fn::response::ClientRes;
                if <BrowserResponse as ClientRes<E>>::status(r) == 401 {
                    back_to_login();
                }
            }
            response
        }
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

#[cfg(feature = "hydrate")]
fn back_to_login() {
    let location = leptos::prelude::window().location();
    let here = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    let next: String = here
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let _ = location.assign(&format!("/login?next={next}"));
}
