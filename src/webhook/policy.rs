//! Which addresses a webhook may be sent to.
//!
//! A marketer types any URL; without this policy, Hookflow would be a way to reach
//! the operator's private network and the cloud metadata service (SSRF). Every
//! address that is not public is refused unless the operator allowed its network
//! in `HOOKFLOW_ALLOW_NETWORKS`.

mod resolver;

pub use resolver::{PolicyResolver, ResolveError};

use crate::webhook::url::WebhookUrl;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The environment variable holding the operator allowlist.
pub const ALLOW_NETWORKS_VAR: &str = "HOOKFLOW_ALLOW_NETWORKS";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DestinationPolicy {
    /// Networks the operator trusts even though they are not public.
    pub allowed: Vec<IpNet>,
}

/// A refused destination address, with the kind of network it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the address {ip} is not allowed ({reason})")]
pub struct Blocked {
    pub ip: IpAddr,
    pub reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{ALLOW_NETWORKS_VAR}: `{entry}` is not a network; write CIDRs separated by commas, \
     such as 10.0.0.0/8,fd00::/8"
)]
pub struct AllowListError {
    pub entry: String,
}

impl DestinationPolicy {
    /// Parses the comma-separated allowlist. A bare address means that one host.
    pub fn parse_allow_list(raw: &str) -> Result<Self, AllowListError> {
        let allowed = raw
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .map(|net| net.trunc())
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| AllowListError {
                        entry: entry.to_string(),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(DestinationPolicy { allowed })
    }

    /// Reads `HOOKFLOW_ALLOW_NETWORKS`; unset means nothing private is allowed.
    pub fn from_env() -> Result<Self, AllowListError> {
        Self::parse_allow_list(&std::env::var(ALLOW_NETWORKS_VAR).unwrap_or_default())
    }

    pub fn check(&self, ip: IpAddr) -> Result<(), Blocked> {
        if self.allowed.iter().any(|net| net.contains(&ip)) {
            return Ok(());
        }
        match classify(ip) {
            Class::Public => Ok(()),
            Class::NotPublic(reason) => Err(Blocked { ip, reason }),
            // Judged as the IPv4 address it carries, allowlist included; the error
            // still names the address that was actually requested.
            Class::Embeds(v4) => self.check(IpAddr::V4(v4)).map_err(|b| Blocked {
                ip,
                reason: b.reason,
            }),
        }
    }

    /// Checks a URL whose host is an IP literal. reqwest connects to literals
    /// without asking the resolver, so this must run before every send; names
    /// pass here and are checked by [`PolicyResolver`].
    pub fn check_url(&self, url: &WebhookUrl) -> Result<(), Blocked> {
        match url.host() {
            url::Host::Ipv4(ip) => self.check(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => self.check(IpAddr::V6(ip)),
            url::Host::Domain(_) => Ok(()),
        }
    }
}

enum Class {
    Public,
    NotPublic(&'static str),
    Embeds(Ipv4Addr),
}

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), len)
}

const fn v6(segments: [u16; 8], len: u8) -> Ipv6Net {
    let [a, b, c, d, e, f, g, h] = segments;
    Ipv6Net::new_assert(Ipv6Addr::new(a, b, c, d, e, f, g, h), len)
}

/// IANA special-purpose IPv4 ranges that are not reachable on the public
/// internet. The broadcast address comes before 240/4 so it gets its own reason.
const IPV4_NOT_PUBLIC: &[(Ipv4Net, &str)] = &[
    (v4(0, 0, 0, 0, 8), "\"this network\""),
    (v4(10, 0, 0, 0, 8), "private network"),
    (
        v4(100, 64, 0, 0, 10),
        "shared address space (carrier-grade NAT)",
    ),
    (v4(127, 0, 0, 0, 8), "loopback"),
    (v4(169, 254, 169, 254, 32), "cloud metadata service"),
    (v4(169, 254, 0, 0, 16), "link-local"),
    (v4(172, 16, 0, 0, 12), "private network"),
    (v4(192, 0, 0, 0, 24), "IETF protocol assignments"),
    (v4(192, 0, 2, 0, 24), "documentation (TEST-NET-1)"),
    (v4(192, 88, 99, 0, 24), "6to4 relay anycast"),
    (v4(192, 168, 0, 0, 16), "private network"),
    (v4(198, 18, 0, 0, 15), "benchmarking"),
    (v4(198, 51, 100, 0, 24), "documentation (TEST-NET-2)"),
    (v4(203, 0, 113, 0, 24), "documentation (TEST-NET-3)"),
    (v4(224, 0, 0, 0, 4), "multicast"),
    (v4(255, 255, 255, 255, 32), "broadcast"),
    (v4(240, 0, 0, 0, 4), "reserved"),
];

/// IPv6 ranges with a more helpful name than "not global unicast"; anything
/// outside 2000::/3 is refused afterwards in any case.
const IPV6_NOT_PUBLIC: &[(Ipv6Net, &str)] = &[
    (v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48), "local-use NAT64"),
    (v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64), "discard-only"),
    (v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), "documentation"),
    (
        v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),
        "IETF protocol assignments (Teredo, ORCHID, …)",
    ),
    (v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), "documentation"),
    (
        v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
        "unique local (private network)",
    ),
    (v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), "link-local"),
    (v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10), "site-local"),
    (v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), "multicast"),
];

const NAT64: Ipv6Net = v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96);
const SIX_TO_FOUR: Ipv6Net = v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16);
const GLOBAL_UNICAST: Ipv6Net = v6([0x2000, 0, 0, 0, 0, 0, 0, 0], 3);

fn classify(ip: IpAddr) -> Class {
    match ip {
        IpAddr::V4(ip) => IPV4_NOT_PUBLIC
            .iter()
            .find(|(net, _)| net.contains(&ip))
            .map_or(Class::Public, |(_, reason)| Class::NotPublic(reason)),
        IpAddr::V6(ip) => classify_v6(ip),
    }
}

fn classify_v6(ip: Ipv6Addr) -> Class {
    if ip.is_unspecified() {
        return Class::NotPublic("unspecified address");
    }
    if ip.is_loopback() {
        return Class::NotPublic("loopback");
    }
    if let Some(embedded) = embedded_ipv4(ip) {
        return Class::Embeds(embedded);
    }
    if let Some((_, reason)) = IPV6_NOT_PUBLIC.iter().find(|(net, _)| net.contains(&ip)) {
        return Class::NotPublic(reason);
    }
    if !GLOBAL_UNICAST.contains(&ip) {
        return Class::NotPublic("not a global unicast address");
    }
    Class::Public
}

/// The IPv4 address an IPv6 address stands for, where the packet would in effect
/// go to that IPv4 host: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d),
/// NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low32 = || Ipv4Addr::from(u128::from(ip) as u32);
    if let Some(mapped) = ip.to_ipv4_mapped() {
        Some(mapped)
    } else if s[..6] == [0; 6] || NAT64.contains(&ip) {
        Some(low32())
    } else if SIX_TO_FOUR.contains(&ip) {
        Some(Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2])))
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
