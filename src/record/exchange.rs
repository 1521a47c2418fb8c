//! What the recorder keeps of one request/response pair, and the shared log
//! of them. Bodies are kept as a bounded prefix ([`Captured`]); header values
//! (Authorization and cookies included) stay in memory only: the generator
//! decides what reaches a file, never this module.

use std::sync::Mutex;

use tokio::sync::watch;

/// A body as recorded: at most the recorder's cap, with the full length.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    /// The first bytes of the body (at most the cap).
    pub bytes: Vec<u8>,
    /// How many bytes went through in all.
    pub total: u64,
    /// True when `bytes` is only a prefix.
    pub truncated: bool,
}

impl Captured {
    /// A body captured whole.
    pub fn whole(bytes: impl Into<Vec<u8>>) -> Self {
        let bytes = bytes.into();
        Self {
            total: bytes.len() as u64,
            bytes,
            truncated: false,
        }
    }

    /// Appends `chunk`, keeping at most `cap` bytes.
    pub fn push(&mut self, chunk: &[u8], cap: usize) {
        self.total += chunk.len() as u64;
        let room = cap.saturating_sub(self.bytes.len());
        if chunk.len() > room {
            self.truncated = true;
        }
        self.bytes
            .extend_from_slice(&chunk[..chunk.len().min(room)]);
    }

    /// The body as JSON, when it was captured whole and is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        if self.truncated || self.bytes.is_empty() {
            return None;
        }
        serde_json::from_slice(&self.bytes).ok()
    }
}

/// One request and its response, as the client saw them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exchange {
    /// Arrival order (0-based).
    pub seq: u64,
    /// Milliseconds since the recording started, at arrival.
    pub at_ms: u64,
    /// HTTP method.
    pub method: String,
    /// The request path as received (`/scim/v2/Users/42`), undecoded.
    pub path: String,
    /// The raw query string (no `?`), undecoded.
    pub query: Option<String>,
    /// Request headers in arrival order (values as lossy UTF-8).
    pub request_headers: Vec<(String, String)>,
    /// The request body.
    pub request_body: Captured,
    /// Response status.
    pub status: u16,
    /// Response headers in order.
    pub response_headers: Vec<(String, String)>,
    /// The response body (bounded prefix).
    pub response_body: Captured,
    /// Set when the upstream could not be reached or the body broke off.
    pub upstream_error: Option<String>,
}

impl Exchange {
    /// The first request header called `name` (case-insensitive).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        find(&self.request_headers, name)
    }

    /// The first response header called `name` (case-insensitive).
    pub fn response_header(&self, name: &str) -> Option<&str> {
        find(&self.response_headers, name)
    }
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The exchanges recorded so far, shared by the proxy and whoever writes
/// the suite. Completed exchanges are kept in arrival order.
#[derive(Debug)]
pub struct ExchangeLog {
    items: Mutex<Vec<Exchange>>,
    count: watch::Sender<usize>,
}

impl Default for ExchangeLog {
    fn default() -> Self {
        Self {
            items: Mutex::new(Vec::new()),
            count: watch::Sender::new(0),
        }
    }
}

impl ExchangeLog {
    /// Adds a completed exchange.
    pub fn push(&self, exchange: Exchange) {
        let len = {
            let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
            let at = items.partition_point(|e| e.seq < exchange.seq);
            items.insert(at, exchange);
            items.len()
        };
        self.count.send_replace(len);
    }

    /// A copy of every completed exchange, in arrival order.
    pub fn snapshot(&self) -> Vec<Exchange> {
        self.items.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The number of completed exchanges.
    pub fn len(&self) -> usize {
        *self.count.borrow()
    }

    /// True when nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A receiver that changes whenever an exchange completes.
    pub fn watch(&self) -> watch::Receiver<usize> {
        self.count.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_captured_body_keeps_at_most_the_cap_and_counts_everything() {
        let mut c = Captured::default();
        c.push(b"abcdef", 4);
        c.push(b"gh", 4);
        assert_eq!(c.bytes, b"abcd");
        assert_eq!(c.total, 8);
        assert!(c.truncated);
        assert_eq!(c.json(), None);
    }

    #[test]
    fn the_log_orders_exchanges_by_arrival_not_completion() {
        let log = ExchangeLog::default();
        log.push(Exchange {
            seq: 1,
            ..Exchange::default()
        });
        log.push(Exchange {
            seq: 0,
            ..Exchange::default()
        });
        let seqs: Vec<u64> = log.snapshot().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![0, 1]);
        assert_eq!(log.len(), 2);
    }
}
