//! Who a request comes from, for rate limits, throttles and the audit trail (server only).
//!
//! Without `--trusted-proxies` the TCP peer is the client. Behind proxies, only a request whose
//! peer is a trusted proxy has its `Forwarded` / `X-Forwarded-For` chain believed, and the
//! client is the rightmost address in that chain that is not itself a trusted proxy: everything
//! to its left was written by the client and may be forged.
use http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr};

/// The `--trusted-proxies` list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses CIDRs (`10.0.0.0/8`) or plain addresses (`127.0.0.1`, a /32 or /128).
    pub fn parse<S: AsRef<str>>(list: &[S]) -> Result<Self, String> {
        let mut nets = Vec::with_capacity(list.len());
        for item in list
            .iter()
            .map(|s| s.as_ref().trim())
            .filter(|s| !s.is_empty())
        {
            let net = item
                .parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("--trusted-proxies: {item:?} is not an address or CIDR"))?;
            nets.push(net);
        }
        Ok(Self(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request that arrived from `peer` with `headers`.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let chain = forwarded_chain(headers);
        // Right to left: the first hop a trusted proxy did not vouch for is the client.
        let mut client = peer;
        for hop in chain.into_iter().rev() {
            let Some(ip) = hop else {
                // An unparseable hop (`unknown`, garbage): nothing further left can be trusted.
                return client;
            };
            client = canonical(ip);
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

/// The addresses a request passed through, leftmost (the claimed origin) first, from
/// `Forwarded` when present, else `X-Forwarded-For`. Several header lines are one list.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<&str> = headers
        .get_all(http::header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|line| line.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| parse_node(v))
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(','))
        .map(parse_node)
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let v = raw.trim().trim_matches('"');
    if let Ok(ip) = v.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    v.rsplit_once(':')
        .and_then(|(ip, port)| port.parse::<u16>().ok().and(ip.parse().ok()))
}

/// An IPv4 address mapped into IPv6 (`::ffff:1.2.3.4`, what a dual-stack socket reports) is
/// the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The key a per-client limit counts under: the address itself for IPv4, its /64 for IPv6
/// (one subscriber usually holds a whole /64, so per-address limits would not bind).
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_it_claims() {
        let none = TrustedProxies::default();
        let forged = headers(&[("x-forwarded-for", "1.2.3.4"), ("forwarded", "for=5.6.7.8")]);
        assert_eq!(none.client_ip(ip("9.9.9.9"), &forged), ip("9.9.9.9"));
    }

    #[test]
    fn an_untrusted_peer_is_not_believed() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        let forged = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(proxies.client_ip(ip("9.9.9.9"), &forged), ip("9.9.9.9"));
    }

    #[test]
    fn behind_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8", "192.168.1.1"]).unwrap();
        // The client forged "1.1.1.1" on the left; 203.0.113.7 is what our proxy saw.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.7, 10.0.0.2")]);
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), &h), ip("203.0.113.7"));
        let two_lines = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "203.0.113.8"),
        ]);
        assert_eq!(
            proxies.client_ip(ip("192.168.1.1"), &two_lines),
            ip("203.0.113.8")
        );
    }

    #[test]
    fn forwarded_is_read_with_ports_quotes_and_ipv6() {
        let proxies = TrustedProxies::parse(&["10.0.0.1"]).unwrap();
        let h = headers(&[(
            "forwarded",
            r#"for=1.1.1.1, for="[2001:db8:cafe::17]:4711";proto=https"#,
        )]);
        assert_eq!(
            proxies.client_ip(ip("10.0.0.1"), &h),
            ip("2001:db8:cafe::17")
        );
        let v4_port = headers(&[("forwarded", "for=198.51.100.3:8080;by=10.0.0.1")]);
        assert_eq!(
            proxies.client_ip(ip("10.0.0.1"), &v4_port),
            ip("198.51.100.3")
        );
    }

    #[test]
    fn garbage_or_unknown_hops_stop_the_walk() {
        let proxies = TrustedProxies::parse(&["10.0.0.1"]).unwrap();
        let h = headers(&[("x-forwarded-for", "1.1.1.1, unknown")]);
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), &h), ip("10.0.0.1"));
        let no_header = HeaderMap::new();
        assert_eq!(
            proxies.client_ip(ip("10.0.0.1"), &no_header),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn bad_entries_are_refused_with_the_flag_named() {
        let err = TrustedProxies::parse(&["10.0.0.0/8", "nonsense"]).unwrap_err();
        assert!(err.contains("--trusted-proxies") && err.contains("nonsense"));
        assert!(TrustedProxies::parse(&["::1", "fd00::/8"]).is_ok());
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_64_and_mapped_v4_is_v4() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(limit_key(ip("2001:db8:1:2:bbbb::9")), ip("2001:db8:1:2::"));
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(limit_key(ip("192.0.2.1")), ip("192.0.2.1"));
    }
}
