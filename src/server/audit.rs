//! The audit log of SCIM requests: time, token name, method, path, status,
//! resource id and what changed. Handlers attach an [`AuditNote`] to their
//! response; the auth middleware turns it into an [`AuditEntry`]. The log is
//! bounded (oldest entries dropped) and never holds secrets. Requests are
//! recorded raw ([`Recorded`]) and formatted only when the log is read, so
//! auditing costs every request as little as possible.

use std::collections::VecDeque;
use std::sync::mpsc::Sender;
use std::sync::{Mutex, OnceLock};

use axum::http::Method;
use serde::Serialize;
use time::OffsetDateTime;

use super::clock::rfc3339;

/// Maximum number of entries kept.
pub(crate) const AUDIT_CAPACITY: usize = 10_000;

/// One audited SCIM request.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct AuditEntry {
    /// Request time, RFC 3339.
    pub time: String,
    /// Name of the token used (`None` when authentication failed).
    pub token: Option<String>,
    /// HTTP method.
    pub method: String,
    /// Request path (without query).
    pub path: String,
    /// Response status.
    pub status: u16,
    /// Resource touched, if any.
    pub resource_id: Option<String>,
    /// What changed, e.g. `created`, `patched: replace active`.
    pub change: Option<String>,
}

/// Response extension a handler sets to describe its effect.
#[derive(Debug, Clone, Default)]
pub(crate) struct AuditNote {
    /// Resource touched.
    pub resource_id: Option<String>,
    /// What changed.
    pub change: Option<String>,
}

/// One SCIM request as the auth middleware records it.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    /// When the request was answered.
    pub at: OffsetDateTime,
    /// Name of the token used (`None` when authentication failed).
    pub token: Option<String>,
    /// HTTP method.
    pub method: Method,
    /// Request path (without query).
    pub path: String,
    /// Response status.
    pub status: u16,
    /// What the handler said it did.
    pub note: AuditNote,
}

impl Recorded {
    fn entry(&self) -> AuditEntry {
        AuditEntry {
            time: rfc3339(self.at),
            token: self.token.clone(),
            method: self.method.as_str().to_owned(),
            path: self.path.clone(),
            status: self.status,
            resource_id: self.note.resource_id.clone(),
            change: self.note.change.clone(),
        }
    }
}

/// The bounded audit log.
#[derive(Debug, Default)]
pub struct AuditLog {
    entries: Mutex<VecDeque<Recorded>>,
    /// Where each entry is also sent to be saved (`serve --data`).
    sink: OnceLock<Mutex<Sender<serde_json::Value>>>,
}

impl AuditEntry {
    /// The raw entry back (an unreadable time or method gives `None`).
    fn recorded(&self) -> Option<Recorded> {
        Some(Recorded {
            at: OffsetDateTime::parse(&self.time, &time::format_description::well_known::Rfc3339)
                .ok()?,
            token: self.token.clone(),
            method: Method::from_bytes(self.method.as_bytes()).ok()?,
            path: self.path.clone(),
            status: self.status,
            note: AuditNote {
                resource_id: self.resource_id.clone(),
                change: self.change.clone(),
            },
        })
    }
}

impl AuditLog {
    /// Appends an entry, dropping the oldest beyond [`AUDIT_CAPACITY`].
    pub(crate) fn push(&self, entry: Recorded) {
        if let Some(sink) = self.sink.get()
            && let (Ok(sink), Ok(json)) = (sink.lock(), serde_json::to_value(entry.entry()))
        {
            let _ = sink.send(json);
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= AUDIT_CAPACITY {
                entries.pop_front();
            }
            entries.push_back(entry);
        }
    }

    /// Puts back saved entries (oldest first; unreadable ones are skipped),
    /// then sends every new entry to `sink` to be saved.
    pub fn attach(&self, saved: Vec<serde_json::Value>, sink: Sender<serde_json::Value>) {
        if let Ok(mut entries) = self.entries.lock() {
            for value in saved {
                if let Some(recorded) = serde_json::from_value::<AuditEntry>(value)
                    .ok()
                    .and_then(|e| e.recorded())
                {
                    if entries.len() >= AUDIT_CAPACITY {
                        entries.pop_front();
                    }
                    entries.push_back(recorded);
                }
            }
        }
        let _ = self.sink.set(Mutex::new(sink));
    }

    /// All entries, oldest first.
    pub fn entries(&self) -> Vec<AuditEntry> {
        self.entries
            .lock()
            .map(|e| e.iter().map(Recorded::entry).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_log_drops_oldest_entries_beyond_capacity() {
        let log = AuditLog::default();
        for i in 0..AUDIT_CAPACITY + 2 {
            log.push(Recorded {
                at: OffsetDateTime::UNIX_EPOCH,
                token: None,
                method: Method::GET,
                path: format!("/{i}"),
                status: 200,
                note: AuditNote::default(),
            });
        }
        let entries = log.entries();
        assert_eq!(entries.len(), AUDIT_CAPACITY);
        assert_eq!(entries.first().map(|e| e.path.as_str()), Some("/2"));
        assert_eq!(
            entries
                .first()
                .map(|e| (e.time.as_str(), e.method.as_str())),
            Some(("1970-01-01T00:00:00Z", "GET"))
        );
    }
}
