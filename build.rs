//! Rebuilds the crate when a bundled suite is added, changed or removed:
//! `suite::bundled()` embeds `suites/` with `include_dir!`, which only tracks
//! files that already existed.

fn main() {
    println!("cargo:rerun-if-changed=suites");
}
