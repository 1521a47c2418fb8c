//! Snapshots of normalised responses (insta's ideas, at run time): normalise a
//! response (sorted keys, volatile fields and variable values replaced), store
//! it under `<folder>/suites/<suite>/<case>__<name>.snap`, compare later runs
//! against it, and manage pending `.snap.new` files.
//!
//! Snapshots belong to a target ([`SnapshotStore`]): the bundled ones,
//! compiled into the binary, apply only to the embedded reference server;
//! every other target records its own under `.scimulator/snapshots/<target>/`.
//! A mismatch is *drift*, reported beside the case's verdict by the runner,
//! not a failure. It does no HTTP and never prints; the CLI's `snapshots`
//! command drives the review flow.

mod compare;
mod error;
mod file;
mod location;
mod mode;
mod normalize;
mod store;

pub use compare::{Comparison, compare};
pub use error::SnapshotError;
pub use file::{SnapshotFile, SnapshotHeader, slug, snapshot_path};
pub use location::{
    BUNDLED_PREFIX, Checked, EMBEDDED_DIR, PER_TARGET_ROOT, SnapshotStore, checkout_snapshots,
    per_target_dir, target_dir_name,
};
pub use mode::SnapshotMode;
pub use normalize::{NormalizeInput, normalize};
pub use store::{CheckOutcome, PendingSnapshot, accept, check, pending, reject, stored};
