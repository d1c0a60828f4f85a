//! Where the scheduler's time comes from: the system clock, or tokio's clock (which tests pause and
//! advance, so a simulated day takes milliseconds).

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};

/// The scheduler's clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    /// Resolves at `t` (at once when `t` has passed).
    fn sleep_until(&self, t: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
    /// Resolves after `d` of this clock's time.
    fn sleep(&self, d: chrono::Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let t = self.now() + d;
        self.sleep_until(t)
    }
}

/// Wall-clock time (UTC). Sleeps wake at least once a minute to follow clock changes.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, t: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            loop {
                let left = t - Utc::now();
                let Ok(left) = left.to_std() else { return };
                if left.is_zero() {
                    return;
                }
                tokio::time::sleep(left.min(std::time::Duration::from_secs(60))).await;
            }
        })
    }
}

/// Tokio's monotonic clock mapped onto UTC from a starting instant. Under `tokio::time::pause` (tests:
/// `#[tokio::test(start_paused = true)]`) time stands still until every task waits on a timer, then
/// jumps to the next one: a deterministic fake clock.
pub struct TokioClock {
    origin: DateTime<Utc>,
    at: tokio::time::Instant,
}

impl TokioClock {
    /// A clock that reads `origin` now.
    pub fn starting_at(origin: DateTime<Utc>) -> TokioClock {
        TokioClock { origin, at: tokio::time::Instant::now() }
    }
}

impl Clock for TokioClock {
    /// Whole seconds: tokio's timer rounds deadlines up to its next millisecond, so a sleep until 01:00
    /// wakes at 01:00:00.001; the scheduler's times are meant to the second.
    fn now(&self) -> DateTime<Utc> {
        let secs = self.at.elapsed().as_secs().min(i64::MAX as u64 / 2) as i64;
        self.origin + chrono::Duration::seconds(secs)
    }

    fn sleep_until(&self, t: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let offset = (t - self.origin).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep_until(self.at + offset))
    }
}
