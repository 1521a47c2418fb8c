//! Snapshots of normalised responses (insta's ideas, at run time): normalise a
//! response (sorted keys, volatile fields and variable values replaced), store
//! it under `snapshots/suites/<suite>/<case>__<name>.snap`, compare later runs
//! against it, and manage pending `.snap.new` files. It does no HTTP and never
//! prints; the CLI's `snapshots` command drives the review flow.

mod compare;
mod error;
mod file;
mod mode;
mod normalize;
mod store;

pub use compare::{Comparison, compare};
pub use error::SnapshotError;
pub use file::{SnapshotFile, SnapshotHeader, slug, snapshot_path};
pub use mode::SnapshotMode;
pub use normalize::{NormalizeInput, normalize};
pub use store::{CheckOutcome, PendingSnapshot, accept, check, pending, reject, stored};
