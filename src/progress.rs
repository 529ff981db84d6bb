//! A progress bar on stderr for long verifications: bytes verified of the total, and the
//! current layer.
//!
//! It shows only when stderr is a terminal, `--quiet` is off and the work is large
//! ([`should_show`]); otherwise every method is a no-op and nothing is written, so piped and
//! CI output stay clean. [`Progress`] is a cheap, `Send + Sync` handle: clone it into rayon
//! workers and call [`Progress::advance`] as bytes are hashed.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Work below this many bytes finishes in well under about two seconds (hashing plus
/// decompression runs at roughly 128 MiB/s or better on one core), so no bar is shown.
pub const LARGE_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

/// Whether to show a bar: stderr is a terminal, not `--quiet`, and `total_bytes` is at least
/// [`LARGE_TOTAL_BYTES`].
pub fn should_show(stderr_is_terminal: bool, quiet: bool, total_bytes: u64) -> bool {
    stderr_is_terminal && !quiet && total_bytes >= LARGE_TOTAL_BYTES
}

/// Handle to an optional progress bar. Cloning shares the same bar.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A handle that never draws anything.
    pub fn disabled() -> Self {
        Progress { bar: None }
    }

    /// A bar over `total_bytes` drawn on stderr when `enabled`, else [`Progress::disabled`].
    /// Callers decide `enabled` with [`should_show`] (or use [`Progress::for_stderr`]).
    pub fn new(total_bytes: u64, enabled: bool) -> Self {
        if !enabled {
            return Progress::disabled();
        }
        let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
        // The template is a constant; fall back to the default style rather than fail.
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} verifying [{bar:30}] {binary_bytes}/{binary_total_bytes} \
             ({binary_bytes_per_sec}, {eta}) {wide_msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar: Some(bar) }
    }

    /// A bar over `total_bytes` if [`should_show`] says so for the real stderr.
    pub fn for_stderr(total_bytes: u64, quiet: bool) -> Self {
        let enabled = should_show(std::io::stderr().is_terminal(), quiet, total_bytes);
        Progress::new(total_bytes, enabled)
    }

    /// Whether a bar is being drawn.
    pub fn is_enabled(&self) -> bool {
        self.bar.is_some()
    }

    /// Records `n` more bytes verified.
    pub fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// Sets the text after the bar, e.g. the current layer's digest (a dump path: shown escaped).
    pub fn set_message(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(crate::report::terminal::escape(message).into_owned());
        }
    }

    /// Bytes recorded so far (0 when disabled).
    pub fn position(&self) -> u64 {
        self.bar.as_ref().map_or(0, ProgressBar::position)
    }

    /// Removes the bar from the terminal, so the report that follows starts on a clean line.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_only_for_large_work_on_a_terminal_without_quiet() {
        let big = LARGE_TOTAL_BYTES;
        assert!(should_show(true, false, big));
        assert!(!should_show(false, false, big), "piped stderr draws nothing");
        assert!(!should_show(true, true, big), "--quiet draws nothing");
        assert!(!should_show(true, false, big - 1), "small work draws nothing");
    }

    #[test]
    fn disabled_handle_is_inert() {
        let p = Progress::new(LARGE_TOTAL_BYTES, false);
        assert!(!p.is_enabled());
        p.advance(10);
        p.set_message("sha256:abc");
        p.finish();
        assert_eq!(p.position(), 0);
        assert!(!Progress::disabled().is_enabled());
        assert!(!Progress::for_stderr(1, false).is_enabled());
    }

    #[test]
    fn clones_share_one_bar_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Progress>();
        // Enabled, but indicatif's stderr target draws nothing when stderr is not a terminal.
        let p = Progress::new(100, true);
        let q = p.clone();
        std::thread::spawn(move || q.advance(40)).join().unwrap();
        p.advance(2);
        assert_eq!(p.position(), 42);
        p.finish();
    }
}
