//! Browser sessions over HTTP: the cookie, the gate every request passes, and
//! the CSRF checks.
//!
//! - The cookie `hookflow_session` holds 256 random bits (HttpOnly, SameSite=Lax,
//!   Path=/, Secure behind https); the database keeps only their SHA-256.
//! - `gate` resolves the session for pages, server functions and `/login`.
//!   Without one, pages redirect to `/login?next=…` and server functions answer
//!   401. Public parts never look: `/healthz`, `/metrics`, `/f/…` (forms), `/t/…`
//!   (tracking), `/api/…` (API tokens), `/pkg/…` and static files.
//! - CSRF: a POST/PUT/PATCH/DELETE made with a session must come from our own
//!   origin (`Sec-Fetch-Site`/`Origin`, when the browser sends them) *and* carry
//!   the session's token: the `X-CSRF-Token` header (server functions, through
//!   `app::session::CsrfClient`) or an `_csrf` form field (HTML forms).
//!   Otherwise 403. `/login` itself has no session yet: it gets the origin check.

pub mod address;
pub mod cookie;
pub mod csrf;
mod gate;

pub use address::ClientAddress;
pub use cookie::CookiePolicy;
pub use gate::{gate, query_param};
