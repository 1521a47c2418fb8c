//! Injectable time and id sources, so that tests and snapshots of the
//! server can be deterministic. Production uses the system clock and
//! random UUIDs; tests use [`FixedClock`] and [`SequentialIds`].

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time (UTC).
    fn now(&self) -> OffsetDateTime;
}

/// A source of fresh resource and token ids.
pub trait IdSource: Send + Sync + std::fmt::Debug {
    /// A new id, never returned before by this source.
    fn next_id(&self) -> String;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that returns a settable time; for tests (e.g. token expiry).
#[derive(Debug)]
pub struct FixedClock(Mutex<OffsetDateTime>);

impl FixedClock {
    /// A clock stopped at `at`.
    pub fn new(at: OffsetDateTime) -> Self {
        Self(Mutex::new(at))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: OffsetDateTime) {
        if let Ok(mut guard) = self.0.lock() {
            *guard = at;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
            .lock()
            .map(|g| *g)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// Random v4 UUIDs.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct UuidIds;

impl IdSource for UuidIds {
    fn next_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

/// Deterministic ids `id-1`, `id-2`, …; for tests.
#[derive(Debug, Default)]
pub struct SequentialIds(AtomicU64);

impl IdSource for SequentialIds {
    fn next_id(&self) -> String {
        let n = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        format!("id-{n}")
    }
}

/// Formats a time as RFC 3339 (the SCIM `DateTime` format).
pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_ids_never_repeat() {
        let ids = SequentialIds::default();
        assert_eq!(ids.next_id(), "id-1");
        assert_eq!(ids.next_id(), "id-2");
    }

    #[test]
    fn fixed_clock_can_be_moved() {
        let clock = FixedClock::new(OffsetDateTime::UNIX_EPOCH);
        let later = OffsetDateTime::UNIX_EPOCH + time::Duration::hours(1);
        clock.set(later);
        assert_eq!(clock.now(), later);
        assert_eq!(rfc3339(later), "1970-01-01T01:00:00Z");
    }
}
