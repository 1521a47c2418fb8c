//! Measurements of a load run: per request kind a latency histogram
//! (`hdrhistogram`, microseconds, 3 significant digits), counts of errors,
//! `429`s and `5xx`, and a per-second timeline. Pure bookkeeping: no I/O.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Highest latency tracked (longer ones are clamped): 10 minutes in µs.
const MAX_US: u64 = 600_000_000;
/// Seconds of timeline kept.
const MAX_SECONDS: usize = 3_600;

fn histogram() -> Histogram<u64> {
    // Constant bounds within hdrhistogram's limits: this cannot fail.
    Histogram::new_with_bounds(1, MAX_US, 3).expect("constant histogram bounds are valid")
}

/// What one exchange was, for the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A 2xx, or an answer the IdP accepts (a 409 on a racing create, a 404 lookup).
    Ok,
    /// Answered 429.
    Throttled,
    /// Answered 5xx.
    ServerError,
    /// Another 4xx the IdP does not accept.
    ClientError,
    /// No answer (connection refused, timeout, body too large).
    Transport,
}

#[derive(Debug, Clone)]
struct Kind {
    latency: Histogram<u64>,
    count: u64,
    errors: u64,
    throttled: u64,
    server_errors: u64,
}

#[derive(Debug, Clone)]
struct Second {
    latency: Histogram<u64>,
    errors: u64,
    throttled: u64,
}

/// Counters and histograms of one run (merge per-task ones with [`Metrics::merge`]).
#[derive(Debug, Clone)]
pub struct Metrics {
    kinds: BTreeMap<&'static str, Kind>,
    seconds: Vec<Second>,
    overall: Histogram<u64>,
    lag: Histogram<u64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            kinds: BTreeMap::new(),
            seconds: Vec::new(),
            overall: histogram(),
            lag: histogram(),
        }
    }
}

fn us(d: Duration) -> u64 {
    u64::try_from(d.as_micros())
        .unwrap_or(MAX_US)
        .clamp(1, MAX_US)
}

impl Metrics {
    /// Records one exchange of `kind`, answered after `latency`, sent at
    /// `at` since the start, `lag` after its scheduled time.
    pub fn record(
        &mut self,
        kind: &'static str,
        class: Class,
        latency: Duration,
        at: Duration,
        lag: Duration,
    ) {
        let v = us(latency);
        let k = self.kinds.entry(kind).or_insert_with(|| Kind {
            latency: histogram(),
            count: 0,
            errors: 0,
            throttled: 0,
            server_errors: 0,
        });
        k.count += 1;
        let _ = k.latency.record(v);
        let error = !matches!(class, Class::Ok);
        k.errors += u64::from(error);
        k.throttled += u64::from(class == Class::Throttled);
        k.server_errors += u64::from(class == Class::ServerError);
        let _ = self.overall.record(v);
        let _ = self.lag.record(us(lag));
        let s = usize::try_from(at.as_secs())
            .unwrap_or(usize::MAX)
            .min(MAX_SECONDS);
        while self.seconds.len() <= s {
            self.seconds.push(Second {
                latency: histogram(),
                errors: 0,
                throttled: 0,
            });
        }
        if let Some(sec) = self.seconds.get_mut(s) {
            let _ = sec.latency.record(v);
            sec.errors += u64::from(error);
            sec.throttled += u64::from(class == Class::Throttled);
        }
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &Metrics) {
        for (name, k) in &other.kinds {
            match self.kinds.get_mut(name) {
                Some(mine) => {
                    let _ = mine.latency.add(&k.latency);
                    mine.count += k.count;
                    mine.errors += k.errors;
                    mine.throttled += k.throttled;
                    mine.server_errors += k.server_errors;
                }
                None => {
                    self.kinds.insert(name, k.clone());
                }
            }
        }
        for (i, s) in other.seconds.iter().enumerate() {
            while self.seconds.len() <= i {
                self.seconds.push(Second {
                    latency: histogram(),
                    errors: 0,
                    throttled: 0,
                });
            }
            if let Some(mine) = self.seconds.get_mut(i) {
                let _ = mine.latency.add(&s.latency);
                mine.errors += s.errors;
                mine.throttled += s.throttled;
            }
        }
        let _ = self.overall.add(&other.overall);
        let _ = self.lag.add(&other.lag);
    }

    /// Requests recorded.
    pub fn total(&self) -> u64 {
        self.overall.len()
    }

    /// Responses that were 5xx.
    pub fn server_errors(&self) -> u64 {
        self.kinds.values().map(|k| k.server_errors).sum()
    }

    /// The summary for reports, `elapsed` being the measured wall time.
    pub fn summary(&self, elapsed: Duration) -> Summary {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let kinds = self
            .kinds
            .iter()
            .map(|(name, k)| KindSummary {
                kind: (*name).to_owned(),
                count: k.count,
                errors: k.errors,
                throttled: k.throttled,
                server_errors: k.server_errors,
                rate: k.count as f64 / secs,
                latency: Percentiles::of(&k.latency),
            })
            .collect();
        let timeline = self
            .seconds
            .iter()
            .enumerate()
            .map(|(second, s)| SecondSummary {
                second: second as u64,
                requests: s.latency.len(),
                errors: s.errors,
                throttled: s.throttled,
                p50_ms: ms(s.latency.value_at_quantile(0.5)),
                p99_ms: ms(s.latency.value_at_quantile(0.99)),
            })
            .collect();
        let mut buckets = Vec::new();
        if !self.overall.is_empty() {
            let mut upper = 100u64; // 0.1 ms
            let mut below = 0u64;
            while below < self.overall.len() && upper <= MAX_US {
                let n = self.overall.count_between(0, upper).saturating_sub(below);
                buckets.push(Bucket {
                    upto_ms: ms(upper),
                    count: n,
                });
                below += n;
                upper = upper.saturating_mul(2);
            }
        }
        Summary {
            requests: self.total(),
            elapsed_s: elapsed.as_secs_f64(),
            achieved_rate: self.total() as f64 / secs,
            errors: self.kinds.values().map(|k| k.errors).sum(),
            throttled: self.kinds.values().map(|k| k.throttled).sum(),
            server_errors: self.server_errors(),
            latency: Percentiles::of(&self.overall),
            schedule_lag: Percentiles::of(&self.lag),
            kinds,
            timeline,
            histogram: buckets,
        }
    }
}

fn ms(us: u64) -> f64 {
    (us as f64) / 1000.0
}

/// p50, p90, p99 and max in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Maximum.
    pub max_ms: f64,
}

impl Percentiles {
    fn of(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Self {
                p50_ms: 0.0,
                p90_ms: 0.0,
                p99_ms: 0.0,
                max_ms: 0.0,
            };
        }
        Self {
            p50_ms: ms(h.value_at_quantile(0.5)),
            p90_ms: ms(h.value_at_quantile(0.9)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            max_ms: ms(h.max()),
        }
    }
}

/// One request kind's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindSummary {
    /// e.g. `user.lookup`.
    pub kind: String,
    /// Requests sent.
    pub count: u64,
    /// Answers other than the accepted ones (429, 5xx, other 4xx, no answer).
    pub errors: u64,
    /// `429`s.
    pub throttled: u64,
    /// `5xx`s.
    pub server_errors: u64,
    /// Requests per second over the run.
    pub rate: f64,
    /// Latency.
    pub latency: Percentiles,
}

/// One second of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecondSummary {
    /// Seconds since the start.
    pub second: u64,
    /// Requests sent in that second.
    pub requests: u64,
    /// Errors among them.
    pub errors: u64,
    /// `429`s among them.
    pub throttled: u64,
    /// Median latency.
    pub p50_ms: f64,
    /// 99th percentile latency.
    pub p99_ms: f64,
}

/// A histogram bar: requests with latency up to `upto_ms` (above the previous bar).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    /// Upper bound.
    pub upto_ms: f64,
    /// Requests.
    pub count: u64,
}

/// Everything the reports show about the traffic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Requests sent.
    pub requests: u64,
    /// Wall time of the scenario.
    pub elapsed_s: f64,
    /// Requests per second achieved.
    pub achieved_rate: f64,
    /// Errors.
    pub errors: u64,
    /// `429`s.
    pub throttled: u64,
    /// `5xx`s.
    pub server_errors: u64,
    /// All requests' latency.
    pub latency: Percentiles,
    /// How late requests left compared with the open-model schedule.
    pub schedule_lag: Percentiles,
    /// Per request kind.
    pub kinds: Vec<KindSummary>,
    /// Per second.
    pub timeline: Vec<SecondSummary>,
    /// Latency histogram (doubling buckets from 0.1 ms).
    pub histogram: Vec<Bucket>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_counts_and_merge_add_up() {
        let mut a = Metrics::default();
        let mut b = Metrics::default();
        for i in 1..=100u64 {
            a.record(
                "x",
                Class::Ok,
                Duration::from_millis(i),
                Duration::from_millis(10 * i),
                Duration::ZERO,
            );
        }
        b.record(
            "x",
            Class::Throttled,
            Duration::from_millis(500),
            Duration::from_secs(2),
            Duration::ZERO,
        );
        b.record(
            "y",
            Class::ServerError,
            Duration::from_millis(1),
            Duration::ZERO,
            Duration::ZERO,
        );
        a.merge(&b);
        let s = a.summary(Duration::from_secs(2));
        assert_eq!(s.requests, 102);
        assert_eq!(s.throttled, 1);
        assert_eq!(s.server_errors, 1);
        assert_eq!(s.errors, 2);
        let x = &s.kinds[0];
        assert_eq!((x.kind.as_str(), x.count), ("x", 101));
        assert!((x.latency.p50_ms - 51.0).abs() < 1.0, "{:?}", x.latency);
        assert!((x.latency.max_ms - 500.0).abs() < 1.0);
        assert_eq!(s.timeline.len(), 3);
        assert_eq!(s.histogram.iter().map(|b| b.count).sum::<u64>(), 102);
        assert!((s.achieved_rate - 51.0).abs() < 0.01);
    }
}
