//! No code: this crate's `tests/` check the course as a whole.
//!
//! - `tests/help.rs` builds every binary in the workspace and runs its
//!   `--help` (and each subcommand's), so a broken flag or a stale header
//!   fails CI. New crates are picked up by themselves.
//! - `tests/docs.rs` checks that every code excerpt in `docs/` is still the
//!   code it claims to be. `UPDATE_DOCS=1 cargo test -p checks --test docs`
//!   rewrites the excerpts from the source.
