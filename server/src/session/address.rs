//! The client's address, for the per-address login limit.
//!
//! The peer address of the connection, except when that peer is on this machine
//! or a private network (a reverse proxy): then the last address it appended to
//! `X-Forwarded-For`. A client on the internet cannot choose that entry.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddress(client_ip(peer, &parts.headers)))
    }
}

fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap) -> String {
    let Some(peer) = peer else {
        return "unknown".to_string();
    };
    let forwarded = || {
        let list = headers.get("x-forwarded-for")?.to_str().ok()?;
        list.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
    };
    match forwarded() {
        Some(client) if is_local(peer) => client.to_string(),
        _ => peer.to_string(),
    }
}

fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_loopback() || v4.is_private())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn xff(v: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static(v));
        h
    }

    #[test]
    fn a_local_proxy_names_the_client_and_a_remote_peer_cannot() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let remote: IpAddr = "203.0.113.9".parse().unwrap();
        let spoofed = xff("1.1.1.1, 198.51.100.7");
        assert_eq!(client_ip(Some(proxy), &spoofed), "198.51.100.7");
        assert_eq!(client_ip(Some(remote), &spoofed), "203.0.113.9");
        assert_eq!(client_ip(Some(proxy), &xff("garbage")), "127.0.0.1");
        assert_eq!(client_ip(None, &HeaderMap::new()), "unknown");
    }
}
