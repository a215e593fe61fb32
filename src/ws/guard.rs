//! Checks made before a WebSocket upgrade: origin, connection rate; and the per-socket
//! message-rate budget.
use http::HeaderMap;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Cross-site WebSocket hijacking guard: a browser always sends `Origin`, and it must be one
/// of ours. A handshake without `Origin` is not a browser (scripts, the spec's Python client).
pub fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    match headers.get(http::header::ORIGIN).map(|v| v.to_str()) {
        None => true,
        Some(Ok(origin)) => allowed.iter().any(|a| a == origin.trim_end_matches('/')),
        Some(Err(_)) => false,
    }
}

/// A token bucket: `rate` tokens per `per`, holding at most `burst`.
#[derive(Debug, Clone)]
pub struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub fn full(burst: f64) -> Self {
        Self {
            tokens: burst,
            last: Instant::now(),
        }
    }

    pub fn take(&mut self, rate_per_sec: f64, burst: f64) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * rate_per_sec;
        self.tokens = (self.tokens + refill).min(burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// New connections per minute per client IP.
pub struct ConnectLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl ConnectLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn allow(&self, ip: IpAddr) -> bool {
        let rate = f64::from(self.per_minute) / 60.0;
        let burst = f64::from(self.per_minute.max(1));
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        // Forget idle clients so the map cannot grow without bound.
        if buckets.len() > 10_000 {
            let cutoff = Instant::now() - Duration::from_secs(120);
            buckets.retain(|_, b| b.last > cutoff);
        }
        buckets
            .entry(ip)
            .or_insert_with(|| Bucket::full(burst))
            .take(rate, burst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let allowed = vec!["http://127.0.0.1:8000".to_string()];
        let mut h = HeaderMap::new();
        assert!(origin_allowed(&h, &allowed), "no Origin: not a browser");
        h.insert(
            http::header::ORIGIN,
            "http://127.0.0.1:8000".parse().unwrap(),
        );
        assert!(origin_allowed(&h, &allowed));
        h.insert(
            http::header::ORIGIN,
            "https://evil.example".parse().unwrap(),
        );
        assert!(!origin_allowed(&h, &allowed));
    }

    #[test]
    fn bucket_allows_a_burst_then_refuses() {
        let mut b = Bucket::full(3.0);
        assert!((0..3).all(|_| b.take(0.0, 3.0)));
        assert!(!b.take(0.0, 3.0));
    }

    #[test]
    fn connect_limiter_is_per_ip() {
        let l = ConnectLimiter::new(2);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!(l.allow(a) && l.allow(a));
        assert!(!l.allow(a));
        assert!(l.allow(b));
    }
}
