//! Where handlers' outbound connections (`fetch`, `http`, `net`, `tls`) may
//! go: the public internet, and internal addresses (loopback, private,
//! link-local, …) only when the operator allows them. Checked on the
//! addresses a name resolves to, at connect time, so DNS cannot smuggle a
//! request inside (no resolve-then-rebind window).

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::dns::Name;

/// The operator's exceptions to the internal-address ban.
#[derive(Clone, Debug, Default)]
pub(crate) struct EgressPolicy {
    /// Host names fetch may reach whatever they resolve to.
    hosts: Vec<String>,
    /// Networks (address, prefix length) fetch may reach.
    networks: Vec<(IpAddr, u8)>,
}

impl EgressPolicy {
    /// Parses allow-list entries: host names (`api.internal`), addresses
    /// (`10.1.2.3`) and networks (`10.0.0.0/8`, `fd00::/8`).
    pub(crate) fn parse(entries: &[String]) -> Result<EgressPolicy, String> {
        let mut policy = EgressPolicy::default();
        for entry in entries {
            let entry = entry.trim();
            if let Some((ip, prefix)) = entry.split_once('/') {
                let ip: IpAddr = ip
                    .parse()
                    .map_err(|_| format!("'{entry}' is not a network such as 10.0.0.0/8"))?;
                let max = if ip.is_ipv4() { 32 } else { 128 };
                let prefix: u8 = prefix
                    .parse()
                    .ok()
                    .filter(|p| *p <= max)
                    .ok_or_else(|| format!("'{entry}': the prefix must be 0 to {max}"))?;
                policy.networks.push((ip, prefix));
            } else if let Ok(ip) = entry.parse::<IpAddr>() {
                policy
                    .networks
                    .push((ip, if ip.is_ipv4() { 32 } else { 128 }));
            } else if !entry.is_empty()
                && entry
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
            {
                policy.hosts.push(entry.to_ascii_lowercase());
            } else {
                return Err(format!("'{entry}' is not a host name, address or network"));
            }
        }
        Ok(policy)
    }

    fn host_allowed(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Whether fetch may connect to `ip`.
    pub(crate) fn ip_allowed(&self, ip: IpAddr) -> bool {
        !is_internal(ip)
            || self
                .networks
                .iter()
                .any(|&(net, prefix)| contains(net, prefix, ip))
    }
}

/// Addresses that reach the host itself or its private networks.
pub(crate) fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
                || (a == 192 && b == 0 && v4.octets()[2] == 0) // IETF protocol assignments
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240 // reserved
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let s = v6.segments();
            // IPv4 inside IPv6: compatible (::a.b.c.d) and translated
            // (::ffff:0:a.b.c.d) forms reach that IPv4 address.
            let embedded =
                Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
            if s[..6] == [0; 6] || s[..6] == [0, 0, 0, 0, 0xffff, 0] {
                return v6.is_loopback()
                    || v6.is_unspecified()
                    || is_internal(IpAddr::V4(embedded));
            }
            let first = s[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated, still routed by some)
                || (first == 0x64 && s[1] == 0xff9b) // NAT64, well-known and local-use (embeds IPv4)
                || first == 0x2002 // 6to4 (embeds IPv4, relayed anywhere)
                || (first == 0x2001 && s[1] == 0) // Teredo (embeds IPv4)
        }
    }
}

fn contains(net: IpAddr, prefix: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

/// The DNS resolver of fetch's connector: drops addresses the policy
/// forbids, and fails when none are left.
#[derive(Clone)]
pub(crate) struct EgressResolver {
    pub(crate) policy: Arc<EgressPolicy>,
}

impl tower_service::Service<Name> for EgressResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, std::io::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), std::io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let policy = Arc::clone(&self.policy);
        Box::pin(async move {
            let host = name.as_str().to_owned();
            Ok(resolve(&policy, &host, 0).await?.into_iter())
        })
    }
}

/// The addresses `host` resolves to that the policy lets a handler reach
/// (with `port`). A name that does not resolve is `NotFound` (Node's
/// ENOTFOUND); one that resolves only to refused addresses is
/// `PermissionDenied`.
pub(crate) async fn resolve(
    policy: &EgressPolicy,
    host: &str,
    port: u16,
) -> Result<Vec<SocketAddr>, std::io::Error> {
    let all = lookup(host, port).await?;
    if policy.host_allowed(host) {
        return Ok(all);
    }
    let allowed: Vec<SocketAddr> = all
        .iter()
        .copied()
        .filter(|a| policy.ip_allowed(a.ip()))
        .collect();
    if allowed.is_empty() && !all.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            denied_message(host),
        ));
    }
    Ok(allowed)
}

/// Lookups running at once. `getaddrinfo` blocks a thread of the blocking
/// pool each: a flood of names that do not answer must not take them all.
const MAX_LOOKUPS: usize = 32;

/// How long a lookup may take (Node's own fetch gives up on DNS about as
/// soon).
const LOOKUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

static LOOKUPS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_LOOKUPS);

/// How long an answer is reused. The system resolver (which honours
/// `/etc/hosts` and the host's resolver settings, unlike a resolver of our
/// own) gives no TTL, so answers are kept briefly: handlers that call one
/// API many times cost one lookup, and a name cannot change its addresses
/// between one request's check and the next in that time. Addresses are
/// checked against the policy after the cache, on every connect.
const ANSWER_TTL: std::time::Duration = std::time::Duration::from_secs(30);
/// How long "no such name" is reused.
const NOT_FOUND_TTL: std::time::Duration = std::time::Duration::from_secs(5);
/// Names kept at most (all are dropped at once past it: a crude bound,
/// reached only by a flood of distinct names).
const MAX_ANSWERS: usize = 4096;

type Answers = std::collections::HashMap<String, (std::time::Instant, Result<Vec<IpAddr>, String>)>;

static ANSWERS: std::sync::LazyLock<std::sync::Mutex<Answers>> =
    std::sync::LazyLock::new(Default::default);

fn answers() -> std::sync::MutexGuard<'static, Answers> {
    ANSWERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A lookup that failed, with Node's code for it: `ENOTFOUND` (the name
/// has no addresses) or `EAI_AGAIN` (no answer now: a timeout, a resolver
/// that failed). Carried inside the `io::Error` a resolve returns.
#[derive(Debug)]
pub(crate) struct LookupError {
    pub(crate) code: &'static str,
    message: String,
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LookupError {}

/// Whether a failed `getaddrinfo` said the name has no addresses (glibc's
/// words for `EAI_NONAME` and `EAI_NODATA`), as opposed to a failure that
/// may pass (`EAI_AGAIN`, `EAI_FAIL`, …).
fn definitely_not_found(why: &str) -> bool {
    why.contains("Name or service not known") || why.contains("No address associated with hostname")
}

/// `host`'s addresses, from a recent answer or through a bounded number of
/// lookups at once, each within [`LOOKUP_TIMEOUT`] (waiting for a turn
/// included). Only answers and "no such name" are kept.
async fn lookup(host: &str, port: u16) -> Result<Vec<SocketAddr>, std::io::Error> {
    let failed = |code: &'static str, why: &str| {
        let kind = if code == "ENOTFOUND" {
            std::io::ErrorKind::NotFound
        } else {
            std::io::ErrorKind::Other
        };
        let message = format!("getaddrinfo {code} {host}: {why}");
        std::io::Error::new(kind, LookupError { code, message })
    };
    let not_found = |why: &str| failed("ENOTFOUND", why);
    let with_port = |ips: &[IpAddr]| ips.iter().map(|ip| SocketAddr::new(*ip, port)).collect();
    if let Some((until, answer)) = answers().get(host)
        && std::time::Instant::now() < *until
    {
        return answer
            .as_deref()
            .map(with_port)
            .map_err(|why| not_found(why));
    }
    let lookup = async {
        let _turn = LOOKUPS.acquire().await.map_err(|e| e.to_string())?;
        tokio::net::lookup_host((host, 0))
            .await
            .map(|addrs| addrs.map(|a| a.ip()).collect::<Vec<IpAddr>>())
            .map_err(|e| e.to_string())
    };
    let answer = tokio::time::timeout(LOOKUP_TIMEOUT, lookup)
        .await
        .map_err(|_| failed("EAI_AGAIN", &format!("no answer within {LOOKUP_TIMEOUT:?}")))?;
    // Failures that may pass are not remembered: the next call tries again.
    let ttl = match &answer {
        Ok(_) => ANSWER_TTL,
        Err(why) if definitely_not_found(why) => NOT_FOUND_TTL,
        Err(why) => return Err(failed("EAI_AGAIN", why)),
    };
    {
        let mut answers = answers();
        if answers.len() >= MAX_ANSWERS {
            answers.clear();
        }
        answers.insert(
            host.to_owned(),
            (std::time::Instant::now() + ttl, answer.clone()),
        );
    }
    answer
        .as_deref()
        .map(with_port)
        .map_err(|why| not_found(why))
}

pub(crate) fn denied_message(host: &str) -> String {
    format!(
        "{host} is an internal address (loopback, private or link-local), which handlers may not reach; an operator can allow it with `chatfn serve --fetch-allow`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    #[test]
    fn only_no_such_name_is_kept_and_a_failure_that_may_pass_is_eai_again() {
        let glibc = |why: &str| format!("failed to lookup address information: {why}");
        assert!(definitely_not_found(&glibc("Name or service not known")));
        assert!(definitely_not_found(&glibc(
            "No address associated with hostname"
        )));
        assert!(!definitely_not_found(&glibc(
            "Temporary failure in name resolution"
        )));
        let again = std::io::Error::other(LookupError {
            code: "EAI_AGAIN",
            message: "getaddrinfo EAI_AGAIN example.com".into(),
        });
        assert_eq!(crate::outbound::node_error_code(&again), "EAI_AGAIN");
    }

    #[tokio::test]
    async fn answers_are_reused_with_the_port_asked_for() {
        let first = lookup("localhost", 80).await.expect("localhost resolves");
        assert!(first.iter().all(|a| a.port() == 80 && a.ip().is_loopback()));
        let (until, _) = answers().get("localhost").cloned().expect("kept");
        let again = lookup("localhost", 443).await.expect("from the cache");
        assert!(again.iter().all(|a| a.port() == 443));
        assert_eq!(answers().get("localhost").map(|(u, _)| *u), Some(until));
        let missing = lookup("no-such-host.invalid", 80)
            .await
            .expect_err("not found");
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
        assert!(
            answers()
                .get("no-such-host.invalid")
                .is_some_and(|(_, a)| a.is_err())
        );
    }

    #[test]
    fn internal_addresses_are_denied_unless_allowed() {
        let policy = EgressPolicy::default();
        for denied in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "::10.0.0.1",
            "::ffff:0:127.0.0.1",
            "::ffff:0:169.254.169.254",
            "2002:7f00:1::1",
            "2002:a00:1::",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "fec0::1",
            "64:ff9b:1::a00:1",
            "255.255.255.255",
            "224.0.0.1",
        ] {
            assert!(!policy.ip_allowed(ip(denied)), "{denied}");
        }
        for allowed in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "172.32.0.1",
            "100.128.0.1",
        ] {
            assert!(policy.ip_allowed(ip(allowed)), "{allowed}");
        }
        let policy =
            EgressPolicy::parse(&["10.0.0.0/8".into(), "::1".into(), "API.internal".into()])
                .expect("parses");
        assert!(policy.ip_allowed(ip("10.200.0.1")));
        assert!(policy.ip_allowed(ip("::1")));
        assert!(!policy.ip_allowed(ip("127.0.0.1")));
        assert!(policy.host_allowed("api.internal"));
        for bad in ["10.0.0.0/33", "x/y", "a b", ""] {
            assert!(EgressPolicy::parse(&[bad.into()]).is_err(), "{bad}");
        }
    }
}
