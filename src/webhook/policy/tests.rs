use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn refused(policy: &DestinationPolicy, s: &str) -> bool {
    policy.check(ip(s)).is_err()
}

#[test]
fn public_addresses_are_allowed() {
    let policy = DestinationPolicy::default();
    for s in [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "172.32.0.1",
        "100.128.0.1",
        "2606:4700::1111",
        "2a00:1450::1",
    ] {
        assert_eq!(policy.check(ip(s)), Ok(()), "{s}");
    }
    // Embedded public IPv4 stays public.
    assert_eq!(policy.check(ip("::ffff:8.8.8.8")), Ok(()));
    assert_eq!(policy.check(ip("64:ff9b::808:808")), Ok(()));
}

#[test]
fn every_special_purpose_ipv4_range_is_refused() {
    let policy = DestinationPolicy::default();
    for s in [
        "0.0.0.0",
        "0.1.2.3",
        "10.0.0.1",
        "10.255.255.255",
        "100.64.0.1",
        "100.127.255.254",
        "127.0.0.1",
        "127.255.0.9",
        "169.254.0.1",
        "169.254.169.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.0.0.8",
        "192.0.2.1",
        "192.88.99.1",
        "192.168.1.1",
        "198.18.0.1",
        "198.19.255.255",
        "198.51.100.7",
        "203.0.113.9",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
    ] {
        assert!(refused(&policy, s), "{s} should be refused");
    }
}

#[test]
fn every_non_public_ipv6_range_is_refused() {
    let policy = DestinationPolicy::default();
    for s in [
        "::",
        "::1",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "fec0::1",
        "ff02::1",
        "2001:db8::1",
        "100::1",
        "2001::1",
        "2001:1::1",
        "64:ff9b:1::1",
        "3fff::1",
        "5f00::1",
        "4000::1",
        // IPv4 hidden inside IPv6 is judged by that IPv4.
        "::ffff:127.0.0.1",
        "::ffff:7f00:1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b::127.0.0.1",
        "2002:7f00:1::",
        "2002:c0a8:101::1",
    ] {
        assert!(refused(&policy, s), "{s} should be refused");
    }
}

#[test]
fn the_refusal_names_the_address_and_why() {
    let blocked = DestinationPolicy::default()
        .check(ip("169.254.169.254"))
        .unwrap_err();
    assert_eq!(blocked.reason, "cloud metadata service");
    let blocked = DestinationPolicy::default()
        .check(ip("::ffff:127.0.0.1"))
        .unwrap_err();
    assert_eq!(
        (blocked.ip, blocked.reason),
        (ip("::ffff:127.0.0.1"), "loopback")
    );
    assert_eq!(
        blocked.to_string(),
        "the address ::ffff:127.0.0.1 is not allowed (loopback)"
    );
}

#[test]
fn the_operator_allowlist_opens_only_its_networks() {
    let policy = DestinationPolicy::parse_allow_list(" 127.0.0.0/8, fd00::/8 ,10.1.2.3,").unwrap();
    for s in [
        "127.0.0.1",
        "127.9.9.9",
        "::ffff:127.0.0.1",
        "fd00::5",
        "10.1.2.3",
    ] {
        assert_eq!(policy.check(ip(s)), Ok(()), "{s}");
    }
    for s in [
        "10.1.2.4",
        "192.168.0.1",
        "::1",
        "169.254.169.254",
        "fc00::1",
    ] {
        assert!(refused(&policy, s), "{s}");
    }
}

#[test]
fn allowlist_parse_errors_name_the_bad_entry() {
    assert_eq!(
        DestinationPolicy::parse_allow_list("").unwrap().allowed,
        vec![]
    );
    let err = DestinationPolicy::parse_allow_list("10.0.0.0/8, intranet").unwrap_err();
    assert_eq!(err.entry, "intranet");
    assert!(
        err.to_string()
            .starts_with("HOOKFLOW_ALLOW_NETWORKS: `intranet` is not a network")
    );
    assert!(DestinationPolicy::parse_allow_list("10.0.0.0/33").is_err());
    // Host bits are dropped so the network means what the operator meant.
    let policy = DestinationPolicy::parse_allow_list("10.9.8.7/16").unwrap();
    assert_eq!(
        policy.allowed,
        vec!["10.9.0.0/16".parse::<IpNet>().unwrap()]
    );
}

/// What an attacker would type into the URL field, end to end through the parser.
#[test]
fn ssrf_battery_of_literal_urls_is_refused() {
    let policy = DestinationPolicy::default();
    for raw in [
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://0x7f.1/",
        "http://127.1/",
        "http://0/",
        "http://0.0.0.0:8080/",
        "http://[::1]/",
        "http://[::]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:7f00:0001]/",
        "http://[::127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://2852039166/",
        "http://100.64.0.1/",
        "http://10.0.0.1/",
        "http://192.168.0.1/",
        "https://172.16.0.1/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://255.255.255.255/",
        "http://224.0.0.1/",
    ] {
        let url = WebhookUrl::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        assert!(
            policy.check_url(&url).is_err(),
            "{raw} should be refused (host {:?})",
            url.host()
        );
    }
}

#[test]
fn named_hosts_are_left_to_the_resolver() {
    let policy = DestinationPolicy::default();
    let url = WebhookUrl::parse("https://hooks.example.org/in").unwrap();
    assert_eq!(policy.check_url(&url), Ok(()));
    assert_eq!(
        policy.check_url(&WebhookUrl::parse("http://8.8.8.8/").unwrap()),
        Ok(())
    );
}

#[tokio::test]
async fn the_resolver_refuses_names_of_loopback_and_reports_unknown_names() {
    let resolver = PolicyResolver::new(Default::default());
    match resolver.resolve_allowed("localhost").await {
        Err(ResolveError::Blocked { host, blocked }) => {
            assert_eq!(host, "localhost");
            assert_eq!(blocked.reason, "loopback");
        }
        other => panic!("localhost should be refused, got {other:?}"),
    }
    assert_eq!(
        resolver.resolve_allowed("no-such-host.invalid").await,
        Err(ResolveError::NotFound {
            host: "no-such-host.invalid".into()
        })
    );
    let open = PolicyResolver::new(
        DestinationPolicy::parse_allow_list("127.0.0.0/8,::1")
            .unwrap()
            .into(),
    );
    assert!(!open.resolve_allowed("localhost").await.unwrap().is_empty());
}
