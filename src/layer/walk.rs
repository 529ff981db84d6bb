//! Push-based walk of a tar stream's headers (placeholder until the full walker lands).

/// Limits for the walk.
#[derive(Debug, Clone, Copy)]
pub struct WalkLimits {
    /// Entries recorded at most.
    pub max_entries: usize,
}

impl Default for WalkLimits {
    fn default() -> Self {
        WalkLimits { max_entries: 1_000_000 }
    }
}

/// Facts gathered from one tar stream.
#[derive(Debug, Clone, Default)]
pub struct TarFacts {
    /// Whether the stream starts with a valid tar header.
    pub is_tar: bool,
}

/// Incremental tar header walker fed with the uncompressed stream in order.
#[derive(Debug, Default)]
pub struct TarWalker {
    head: Vec<u8>,
}

impl TarWalker {
    /// A walker with the given limits.
    pub fn new(_limits: WalkLimits) -> Self {
        TarWalker::default()
    }

    /// Feeds the next bytes of the stream.
    pub fn feed(&mut self, data: &[u8]) {
        if self.head.len() < 512 {
            let want = 512 - self.head.len();
            self.head.extend_from_slice(data.get(..want.min(data.len())).unwrap_or_default());
        }
    }

    /// Ends the stream and returns the facts.
    pub fn finish(self) -> TarFacts {
        TarFacts { is_tar: header_checksum_ok(&self.head) }
    }
}

/// Whether a 512-byte block is a tar header with a valid checksum.
pub fn header_checksum_ok(block: &[u8]) -> bool {
    let Some(block) = block.get(..512) else { return false };
    let Some(field) = block.get(148..156) else { return false };
    let text: String = field.iter().take_while(|&&b| b != 0 && b != b' ').map(|&b| b as char).collect();
    let Ok(stored) = u32::from_str_radix(text.trim(), 8) else { return false };
    let sum: u32 =
        block.iter().enumerate().map(|(i, &b)| if (148..156).contains(&i) { 32 } else { u32::from(b) }).sum();
    stored == sum
}
