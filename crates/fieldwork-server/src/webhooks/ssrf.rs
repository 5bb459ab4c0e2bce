//! SSRF guard: which addresses a webhook may reach, checked when an endpoint is saved and
//! again at connect time (a custom resolver that drops forbidden addresses, so a name that
//! re-resolves to an internal address later is still refused).
//!
//! Loopback and private networks are refused unless the operator allows them; link-local,
//! cloud metadata, unspecified, multicast and broadcast addresses are always refused.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// What an address is, for the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    Loopback,
    /// RFC 1918, carrier-grade NAT (100.64/10), benchmarking (198.18/15), unique local (fc00::/7).
    Private,
    LinkLocal,
    /// Cloud instance metadata services (AWS, GCP, Azure, Alibaba, Oracle).
    Metadata,
    /// Unspecified, multicast, broadcast, reserved.
    Unroutable,
}

/// Which classes the operator allows besides public addresses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    pub allow_loopback: bool,
    pub allow_private: bool,
}

impl AddressPolicy {
    /// Why `ip` is refused, or `None` when it is allowed.
    pub fn refusal(self, ip: IpAddr) -> Option<&'static str> {
        match classify(ip) {
            AddressClass::Public => None,
            AddressClass::Loopback if self.allow_loopback || self.allow_private => None,
            AddressClass::Private if self.allow_private => None,
            AddressClass::Loopback => Some("a loopback address"),
            AddressClass::Private => Some("a private network address"),
            AddressClass::LinkLocal => Some("a link-local address"),
            AddressClass::Metadata => Some("a cloud metadata address"),
            AddressClass::Unroutable => Some("an unroutable address"),
        }
    }
}

/// Classifies an address; IPv4-mapped and NAT64 IPv6 addresses as the IPv4 inside.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return classify_v4(v4);
            }
            classify_v6(v6)
        }
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, d] = ip.octets();
    if [
        [169, 254, 169, 254],
        [100, 100, 100, 200],
        [168, 63, 129, 16],
        [192, 0, 0, 192],
    ]
    .contains(&[a, b, c, d])
    {
        return AddressClass::Metadata;
    }
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_link_local() {
        AddressClass::LinkLocal
    } else if ip.is_private()
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b & 0xfe) == 18)
    {
        AddressClass::Private
    } else if ip.is_unspecified() || a == 0 || ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        AddressClass::Unroutable
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let seg = ip.segments();
    if seg == [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254] {
        return AddressClass::Metadata;
    }
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if (seg[0] & 0xffc0) == 0xfe80 {
        AddressClass::LinkLocal
    } else if (seg[0] & 0xfe00) == 0xfc00 {
        AddressClass::Private
    } else if ip.is_unspecified() || ip.is_multicast() {
        AddressClass::Unroutable
    } else {
        AddressClass::Public
    }
}

/// The IPv4 address inside `::ffff:a.b.c.d` or the NAT64 prefix `64:ff9b::/96`.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let seg = ip.segments();
    if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let o = ip.octets();
        return Some(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    None
}

/// A webhook URL that failed validation, with a message for the 422.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRefused(pub String);

/// The longest a name lookup at endpoint creation may take.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Checks a webhook URL when an endpoint is saved: `http` or `https`, a host, and no address
/// the policy refuses. A name that does not resolve now is accepted (the connect-time check
/// still guards it); one that resolves to any refused address is not.
pub async fn check_url(url: &str, policy: AddressPolicy) -> Result<Url, UrlRefused> {
    let parsed = Url::parse(url).map_err(|_| UrlRefused("is not a valid URL".into()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(UrlRefused("must be an http or https URL".into()));
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs: Vec<IpAddr> = match parsed.host() {
        None => return Err(UrlRefused("must name a host".into())),
        Some(url::Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(url::Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]
            } else {
                lookup(&name, port).await
            }
        }
    };
    for ip in addrs {
        if let Some(why) = policy.refusal(ip) {
            return Err(UrlRefused(format!(
                "resolves to {why} ({ip}), which webhooks may not reach"
            )));
        }
    }
    Ok(parsed)
}

async fn lookup(name: &str, port: u16) -> Vec<IpAddr> {
    match tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((name, port))).await {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
        _ => Vec::new(),
    }
}

/// The connect-time guard for IP-literal URLs, which reqwest does not pass to the resolver.
pub fn check_literal(url: &Url, policy: AddressPolicy) -> Result<(), String> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        _ => return Ok(()),
    };
    match policy.refusal(ip) {
        Some(why) => Err(format!("refused to connect to {why} ({ip})")),
        None => Ok(()),
    }
}

/// A resolver that keeps only the addresses the policy allows; a name left with none fails
/// to resolve, so the request never connects.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    pub policy: AddressPolicy,
}

#[derive(Debug, thiserror::Error)]
#[error("{0} resolves only to addresses webhooks may not reach")]
struct Refused(String);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| policy.refusal(a.ip()).is_none())
                .collect();
            if addrs.is_empty() {
                return Err(Box::new(Refused(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The resolver as reqwest takes it.
pub fn resolver(policy: AddressPolicy) -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver { policy })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn classifies_the_dangerous_ranges() {
        let cases = [
            ("8.8.8.8", AddressClass::Public),
            ("2606:4700::1111", AddressClass::Public),
            ("127.0.0.1", AddressClass::Loopback),
            ("127.8.9.10", AddressClass::Loopback),
            ("::1", AddressClass::Loopback),
            ("10.1.2.3", AddressClass::Private),
            ("172.16.0.1", AddressClass::Private),
            ("192.168.1.1", AddressClass::Private),
            ("100.64.0.1", AddressClass::Private),
            ("fd12::1", AddressClass::Private),
            ("169.254.1.1", AddressClass::LinkLocal),
            ("fe80::1", AddressClass::LinkLocal),
            ("169.254.169.254", AddressClass::Metadata),
            ("fd00:ec2::254", AddressClass::Metadata),
            ("100.100.100.200", AddressClass::Metadata),
            ("0.0.0.0", AddressClass::Unroutable),
            ("::", AddressClass::Unroutable),
            ("224.0.0.1", AddressClass::Unroutable),
            ("255.255.255.255", AddressClass::Unroutable),
            ("::ffff:127.0.0.1", AddressClass::Loopback),
            ("::ffff:169.254.169.254", AddressClass::Metadata),
            ("64:ff9b::a00:1", AddressClass::Private),
        ];
        for (s, class) in cases {
            assert_eq!(classify(ip(s)), class, "{s}");
        }
    }

    #[test]
    fn policy_allows_loopback_and_private_only_when_asked() {
        let strict = AddressPolicy::default();
        let demo = AddressPolicy {
            allow_loopback: true,
            allow_private: false,
        };
        let open = AddressPolicy {
            allow_loopback: true,
            allow_private: true,
        };
        assert!(strict.refusal(ip("127.0.0.1")).is_some());
        assert!(demo.refusal(ip("127.0.0.1")).is_none());
        assert!(demo.refusal(ip("10.0.0.1")).is_some());
        assert!(open.refusal(ip("10.0.0.1")).is_none());
        for never in ["169.254.169.254", "169.254.3.4", "fe80::1", "0.0.0.0"] {
            assert!(open.refusal(ip(never)).is_some(), "{never}");
        }
    }

    #[tokio::test]
    async fn urls_are_checked_at_creation() {
        let strict = AddressPolicy::default();
        for bad in [
            "ftp://example.com/x",
            "not a url",
            "http://127.0.0.1:9/hook",
            "http://localhost/hook",
            "http://[::1]/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://10.0.0.5/hook",
        ] {
            assert!(check_url(bad, strict).await.is_err(), "{bad}");
        }
        assert!(check_url("https://203.0.113.9/hook", strict).await.is_ok());
    }
}
