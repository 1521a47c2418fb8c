//! Rebuilds the crate when a bundled suite or snapshot is added, changed or
//! removed: `suite::bundled()` embeds `suites/` and the snapshot store embeds
//! `snapshots/suites/` with `include_dir!`, which only tracks files that
//! already existed.

fn main() {
    println!("cargo:rerun-if-changed=suites");
    println!("cargo:rerun-if-changed=snapshots/suites");
}
