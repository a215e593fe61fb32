//! How often each device may report: `--device-reports-per-minute`, per device, per instance.
//!
//! A GCRA limiter from `governor`, keyed by device id: a steady rate with a burst of the same
//! size, so a cabinet that reconnects after an outage may catch up once. Several instances
//! each allow the rate (a device normally talks to one through its load balancer).
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

use crate::error::{AppError, AppResult};

#[derive(Clone)]
pub struct ReportLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<i32>>,
}

impl ReportLimiter {
    /// `per_minute` reports per device (at least one).
    pub fn new(per_minute: u32) -> Self {
        let rate = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(rate))),
        }
    }

    /// Takes one report of `device_id`'s allowance, or says how long to wait (429).
    pub fn check(&self, device_id: i32) -> AppResult<()> {
        self.limiter.check_key(&device_id).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.limiter.clock().now());
            // Devices are few (an admin creates each), but revoked ones leave their state.
            self.limiter.retain_recent();
            AppError::TooManyAttempts {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_device_has_its_own_allowance() {
        let limiter = ReportLimiter::new(3);
        for _ in 0..3 {
            assert!(limiter.check(1).is_ok());
        }
        match limiter.check(1) {
            Err(AppError::TooManyAttempts { retry_after_secs }) => {
                assert!((1..=20).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("the fourth report in a minute is refused: {other:?}"),
        }
        assert!(limiter.check(2).is_ok(), "another device is not affected");
    }
}
