//! A DNS resolver for reqwest that only ever hands out allowed addresses.
//!
//! Checking the addresses here, at connection time, rather than resolving once
//! before sending, closes the DNS-rebinding gap: the address that is checked is
//! the address that is connected to.

use super::{Blocked, DestinationPolicy};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;
use std::sync::Arc;

/// Why a host name gave no address to connect to. The sender finds this type
/// again in the reqwest error's source chain to tell DNS failures from refusals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("DNS name not found: {host}")]
    NotFound { host: String },
    /// Every address of the name is refused; the first one is reported.
    #[error("{host} resolves only to addresses that are not allowed: {blocked}")]
    Blocked { host: String, blocked: Blocked },
}

#[derive(Debug, Clone)]
pub struct PolicyResolver {
    policy: Arc<DestinationPolicy>,
}

impl PolicyResolver {
    pub fn new(policy: Arc<DestinationPolicy>) -> Self {
        PolicyResolver { policy }
    }

    /// The allowed addresses of `host`, port 0 (reqwest fills in the URL's port).
    pub async fn resolve_allowed(&self, host: &str) -> Result<Vec<SocketAddr>, ResolveError> {
        let not_found = || ResolveError::NotFound {
            host: host.to_string(),
        };
        // The OS resolver's failure reasons (no such name, no answer, no server)
        // all mean the same thing to the marketer: this name does not resolve.
        let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
            .await
            .map_err(|_| not_found())?
            .collect();
        let mut first_blocked = None;
        let allowed: Vec<SocketAddr> = resolved
            .into_iter()
            .filter(|addr| match self.policy.check(addr.ip()) {
                Ok(()) => true,
                Err(blocked) => {
                    tracing::debug!(host, ip = %blocked.ip, reason = blocked.reason, "address refused");
                    first_blocked.get_or_insert(blocked);
                    false
                }
            })
            .collect();
        match (allowed.is_empty(), first_blocked) {
            (false, _) => Ok(allowed),
            (true, Some(blocked)) => Err(ResolveError::Blocked {
                host: host.to_string(),
                blocked,
            }),
            (true, None) => Err(not_found()),
        }
    }
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        Box::pin(async move {
            let addrs = this.resolve_allowed(name.as_str()).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}
