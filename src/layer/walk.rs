//! Push-based walk of a tar stream's headers.
//!
//! The scanner that decompresses a layer (and hashes it for its diff_id) pushes the uncompressed
//! bytes into a [`TarWalker`] in chunks of any size. The walker never reads anything itself and never
//! buffers file contents: it fills one 512-byte header block at a time, collects PAX and GNU
//! long-name payloads up to [`WalkLimits::max_extension_size`], and skips member data by counting.
//! [`TarWalker::finish`] returns the [`TarFacts`]: what the stream holds and where readers may
//! disagree about it. The walker records facts only; checks decide what is wrong.
//!
//! Members are the ones Go's `archive/tar` returns (what containerd, Docker, Podman and crane
//! unpack with), decoded with the rules of [`crate::tar`]: PAX `size` overrides the header size,
//! header-only types (links, devices, directories, FIFOs) carry no data whatever their size field
//! says, the last PAX `x` header before a member wins, a GNU long name wins over a PAX `path` and
//! `GNU.sparse.name` over both, old GNU sparse members' extension blocks are read, and a GNU
//! header whose atime/ctime are not numbers lends bytes 345–500 as a prefix. Where Go stops with
//! an error is [`TarFacts::go_refusal`]; the names other readers use are
//! [`TarEntry::other_names`]. `docs/tar-differentials.md` lists the differentials.

/// Size of a tar block.
const BLOCK: usize = crate::tar::BLOCK;
/// Size of a tar block, as a stream offset.
const BLOCK_U64: u64 = 512;

/// Limits that bound the walker's memory whatever the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkLimits {
    /// Entries recorded at most; later entries are counted but not kept.
    pub max_entries: usize,
    /// Largest PAX or GNU long-name/long-link payload read; larger ones are skipped and recorded.
    pub max_extension_size: u64,
    /// Longest path or link target kept, in bytes; longer ones are truncated and recorded.
    pub max_name_len: usize,
    /// Anomalies recorded at most.
    pub max_anomalies: usize,
    /// Extended-attribute names kept per entry.
    pub max_xattrs: usize,
    /// Whether every member is kept in [`TarFacts::entries`] (what `ocidig ls` lists). When false
    /// (compact mode, what `check` uses), only the members some layer rule could report or needs
    /// as evidence are kept (see [`crate::layer::listing::worth_keeping`]), and the others leave
    /// an 8-byte record per distinct path in [`TarFacts::path_index`] (plus a 16-byte record per path
    /// in a hash table while the layer is walked), so memory grows with the member count by that
    /// much only, up to `max_paths`.
    pub keep_all_entries: bool,
    /// Compact mode: distinct paths (members and their ancestor directories) tracked at most;
    /// past it the layer counts as capped ([`TarFacts::entries_capped`]).
    pub max_paths: usize,
}

impl Default for WalkLimits {
    fn default() -> Self {
        WalkLimits {
            max_entries: 1_000_000,
            max_extension_size: 1 << 20,
            max_name_len: 4096,
            max_anomalies: 10_000,
            max_xattrs: 32,
            keep_all_entries: true,
            max_paths: crate::layer::listing::MAX_PATHS,
        }
    }
}

/// The kind of a tar member, from its typeflag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryType {
    /// Regular file (`0`, NUL without a trailing `/`).
    File,
    /// Hard link (`1`).
    HardLink,
    /// Symbolic link (`2`).
    Symlink,
    /// Character device (`3`).
    Char,
    /// Block device (`4`).
    Block,
    /// Directory (`5`, or NUL with a trailing `/`).
    Dir,
    /// FIFO (`6`).
    Fifo,
    /// Any other typeflag (contiguous `7`, sparse `S`, vendor types), kept as its byte.
    Other(u8),
}

impl EntryType {
    /// The type a typeflag byte denotes (NUL is a regular file; see [`TarEntry::entry_type`]).
    pub fn from_typeflag(flag: u8) -> Self {
        match flag {
            b'0' | 0 => EntryType::File,
            b'1' => EntryType::HardLink,
            b'2' => EntryType::Symlink,
            b'3' => EntryType::Char,
            b'4' => EntryType::Block,
            b'5' => EntryType::Dir,
            b'6' => EntryType::Fifo,
            other => EntryType::Other(other),
        }
    }

    /// Whether Go's `archive/tar` treats the type as carrying no data, whatever its size field says.
    pub fn is_header_only(self) -> bool {
        matches!(
            self,
            EntryType::HardLink
                | EntryType::Symlink
                | EntryType::Char
                | EntryType::Block
                | EntryType::Dir
                | EntryType::Fifo
        )
    }

    /// Whether the type is a device node or FIFO (what LT004 reports).
    pub fn is_device_like(self) -> bool {
        matches!(self, EntryType::Char | EntryType::Block | EntryType::Fifo)
    }
}

/// Where an entry's effective path or link target came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameSource {
    /// The ustar header's own `name` (+ `prefix`) or `linkname` field.
    Ustar,
    /// A PAX `path` or `linkpath` record.
    Pax,
    /// A GNU `L` (long name) or `K` (long link) record.
    GnuLong,
}

/// Which name of an entry a fact is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameField {
    /// The member path.
    Path,
    /// The link target.
    LinkTarget,
}

/// Which numeric header field a fact is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumField {
    /// `mode` (offset 100).
    Mode,
    /// `uid` (offset 108).
    Uid,
    /// `gid` (offset 116).
    Gid,
    /// `size` (offset 124).
    Size,
}

/// Why a numeric header field could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumProblem {
    /// A negative base-256 value.
    Negative,
    /// A value beyond `i64::MAX` (Go's limit), or padding beyond the block.
    Overflow,
    /// Characters that are not octal digits.
    Invalid,
}

/// One tar member as readers that honour PAX and GNU extensions see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TarEntry {
    /// Go's path (after PAX `path`, GNU `L`, `GNU.sparse.name`), lossily decoded, as written in the archive.
    pub path: String,
    /// Whether the effective path is not valid UTF-8.
    pub non_utf8: bool,
    /// Whether the path was longer than [`WalkLimits::max_name_len`] and was cut.
    pub path_truncated: bool,
    /// Where the effective path came from.
    pub path_source: NameSource,
    /// The raw ustar name (`prefix/name`) when it differs from the effective path.
    pub ustar_name: Option<String>,
    /// The member type.
    pub entry_type: EntryType,
    /// The raw typeflag byte.
    pub typeflag: u8,
    /// The `mode` field, including the setuid (0o4000), setgid (0o2000) and sticky (0o1000) bits.
    pub mode: u64,
    /// Owner id (PAX `uid` applied).
    pub uid: u64,
    /// Group id (PAX `gid` applied).
    pub gid: u64,
    /// Go's size (PAX `size` applied; the logical size of a sparse member); header-only types
    /// skip no data even when this is non-zero.
    pub size: u64,
    /// Link target (PAX `linkpath` / GNU `K` applied); `None` when empty.
    pub link_target: Option<String>,
    /// Whether the link target is not valid UTF-8.
    pub link_non_utf8: bool,
    /// Where the link target came from.
    pub link_source: NameSource,
    /// Offset of the entry's first header (its PAX/GNU extension header if any) in the stream.
    pub offset: u64,
    /// Offset of the entry's own ustar header in the stream.
    pub header_offset: u64,
    /// Extended-attribute names from PAX `SCHILY.xattr.*` / `LIBARCHIVE.xattr.*` records (capped).
    pub xattrs: Vec<String>,
    /// Position of the member in the stream (0 is the first), kept or not.
    pub index: u64,
    /// Names other readers give the member where they differ from `path` (Go's name).
    pub other_names: Vec<OtherName>,
    /// Whether Go reads the member through a GNU sparse map (`S` or PAX `GNU.sparse.*`): `size`
    /// is then its logical size, and its bytes in the archive are not its contents.
    pub sparse: bool,
}

/// How the archive ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EndMarker {
    /// The stream ended with no zero block at all (LT011).
    #[default]
    Missing,
    /// The stream ended after a single zero block (Go accepts it; the standard wants two).
    OneZeroBlock,
    /// Two consecutive zero blocks: the proper end-of-archive marker.
    TwoZeroBlocks,
}

/// What followed a single zero block that was not a second zero block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfterSingleZero {
    /// Offset of the non-zero block.
    pub offset: u64,
    /// Whether that block is a valid header (a member Go rejects, Rust `tar` never sees, `tar -i` reads).
    pub valid_header: bool,
}

/// Where the stream stopped in the middle of something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TruncatedIn {
    /// Inside a 512-byte header block.
    Header,
    /// Inside a PAX or GNU extension payload (or its padding).
    Extension,
    /// Inside a member's data.
    Data,
    /// Inside the zero padding after a member's data.
    Padding,
}

/// The stream ended mid-entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncation {
    /// Offset of the header of the entry (or of the partial header block) that was cut.
    pub entry_offset: u64,
    /// Where in the entry the stream ended.
    pub within: TruncatedIn,
    /// Bytes still expected when the stream ended.
    pub missing: u64,
}

/// A header-level fact where tar readers may disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnomalyKind {
    /// The header checksum does not match; the walk stops here.
    BadChecksum,
    /// A path that is not valid UTF-8.
    NonUtf8Path,
    /// A link target that is not valid UTF-8.
    NonUtf8LinkTarget,
    /// A PAX or GNU long name that differs from the ustar field (readers ignoring the extension see `ustar`).
    NameDisagreement {
        /// Path or link target.
        field: NameField,
        /// The extension that carried `long`.
        source: NameSource,
        /// The extension's name.
        long: String,
        /// The ustar header's name.
        ustar: String,
        /// Whether `ustar` is a non-empty prefix of `long` (the usual, benign truncation by writers).
        ustar_is_truncation: bool,
    },
    /// PAX `size` differs from the header's size field (a header size of 0 is what writers emit for huge files).
    PaxSizeConflict {
        /// The header's size.
        header: u64,
        /// The PAX size (the one used).
        pax: u64,
    },
    /// A numeric field in base-256 (GNU) encoding.
    Base256 {
        /// The field.
        field: NumField,
    },
    /// A numeric field that cannot be read; for `size` the walk stops here.
    BadNumber {
        /// The field.
        field: NumField,
        /// Why.
        problem: NumProblem,
    },
    /// A malformed PAX record; records after it are ignored.
    PaxMalformed {
        /// What was wrong.
        reason: &'static str,
    },
    /// A PAX/GNU extension payload over [`WalkLimits::max_extension_size`]; it was skipped.
    ExtensionTooLarge {
        /// The extension's typeflag.
        typeflag: u8,
        /// Its declared size.
        size: u64,
    },
    /// Extension headers not followed by a member (end marker or end of stream came first).
    ExtensionWithoutEntry,
    /// A header-only type (link, device, dir, FIFO) with a non-zero size: Go skips no data, others skip `size`.
    HeaderOnlyTypeWithSize {
        /// The declared size.
        size: u64,
    },
    /// A PAX global header (`g`): GNU tar applies it to later members, Go does not.
    GlobalPaxHeader,
    /// A path or link target longer than [`WalkLimits::max_name_len`].
    NameTooLong {
        /// Which name.
        field: NameField,
        /// Its length in bytes.
        len: u64,
    },
    /// A GNU sparse member (typeflag `S` or PAX `GNU.sparse.*`): contents differ between readers.
    Sparse,
    /// A GNU header whose atime/ctime are not numbers: Go (pre-1.8 compatibility) takes bytes
    /// 345–500 as a ustar prefix and reads `name`; GNU tar and libarchive take no prefix.
    GnuPrefixFallback {
        /// The name Go reads.
        name: String,
    },
}

/// Why Go's `archive/tar` refuses a layer (its `Next` or `Read` returns an error, and
/// containerd, Docker, Podman and crane stop unpacking the layer there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GoReason {
    /// `archive/tar: invalid tar header` (`ErrHeader`).
    BadHeader,
    /// `archive/tar: header field too long` (`ErrFieldTooLong`): a PAX or GNU long-name payload
    /// over 1 MiB.
    FieldTooLong,
    /// `unexpected EOF`: the stream ends inside a header, an extension record or member data.
    UnexpectedEof,
    /// `archive/tar: sparse file references non-existent data` (`errMissData`).
    MissingSparseData,
    /// `archive/tar: sparse file contains unreferenced data` (`errUnrefData`).
    UnreferencedSparseData,
}

impl GoReason {
    /// Go's error text.
    pub fn go_error(self) -> &'static str {
        match self {
            GoReason::BadHeader => "archive/tar: invalid tar header",
            GoReason::FieldTooLong => "archive/tar: header field too long",
            GoReason::UnexpectedEof => "unexpected EOF",
            GoReason::MissingSparseData => "archive/tar: sparse file references non-existent data",
            GoReason::UnreferencedSparseData => "archive/tar: sparse file contains unreferenced data",
        }
    }
}

/// Where and why Go's reader stops with an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoRefusal {
    /// Offset of the header (or block) Go was reading.
    pub offset: u64,
    /// Stream position of the member concerned, when there is one.
    pub member: Option<u64>,
    /// Go's error.
    pub reason: GoReason,
    /// What in the bytes causes it.
    pub detail: String,
}

/// A reader whose name for a member differs from the one Go's `archive/tar` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameReader {
    /// Readers that ignore PAX and GNU extensions (the ustar/v7 name, with the ustar prefix).
    Ustar,
    /// GNU tar and libarchive, which take no prefix from a GNU header (Go takes bytes 345–500
    /// as a prefix when a GNU header's atime/ctime are not numbers).
    GnuTarNoPrefix,
    /// Readers that apply the PAX `path` record but not a GNU long name or sparse name.
    PaxPath,
    /// Readers that apply the GNU long name but not the PAX sparse name.
    GnuLongName,
    /// Readers that merge every PAX `x` header before a member (Go, GNU tar and libarchive keep
    /// only the last one).
    EarlierPax,
}

impl NameReader {
    /// Who reads the member under this name.
    pub fn describe(self) -> &'static str {
        match self {
            NameReader::Ustar => "readers that ignore PAX/GNU extensions",
            NameReader::GnuTarNoPrefix => "GNU tar and libarchive (no prefix in a GNU header)",
            NameReader::PaxPath => "readers that apply PAX `path` but not the GNU long or sparse name",
            NameReader::GnuLongName => "readers that apply the GNU long name but not `GNU.sparse.name`",
            NameReader::EarlierPax => "readers that merge several PAX headers",
        }
    }
}

/// Another name under which some reader writes a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherName {
    /// The reader.
    pub reader: NameReader,
    /// The path it writes (lossily decoded, capped like every name).
    pub path: String,
}

impl OtherName {
    /// Whether this name is what standard writers put beside the real name `go`: a truncation of
    /// it, or GNU tar's sparse placeholder `…/GNUSparseFile.N/<base>`.
    pub fn is_benign_beside(&self, go: &str) -> bool {
        if self.reader == NameReader::EarlierPax || self.reader == NameReader::GnuTarNoPrefix {
            return false;
        }
        if go.starts_with(self.path.as_str()) {
            return true;
        }
        let base = |p: &str| p.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
        self.path.contains("GNUSparseFile.") && base(&self.path) == base(go)
    }
}

impl TarEntry {
    /// Whether some reader writes this member under a name that is not a benign variant of
    /// Go's, or any of its names climbs out or is absolute (what LT019 reports).
    pub fn readers_disagree(&self) -> bool {
        let bad = |p: &str| p.starts_with('/') || (p.contains("..") && crate::layer::listing::normalize(p).climbs_out);
        !self.other_names.is_empty()
            && (bad(&self.path) || self.other_names.iter().any(|o| bad(&o.path) || !o.is_benign_beside(&self.path)))
    }
}

/// An anomaly and the offset of the header it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// Offset of the header block in the uncompressed stream.
    pub offset: u64,
    /// What was seen.
    pub kind: AnomalyKind,
}

/// Facts gathered from one tar stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TarFacts {
    /// Whether the first non-zero block is a valid header, or the stream opens with two zero blocks.
    pub is_tar: bool,
    /// Bytes fed.
    pub total_size: u64,
    /// Members in stream order (capped at [`WalkLimits::max_entries`]).
    pub entries: Vec<TarEntry>,
    /// Members seen, recorded or not.
    pub entry_count: u64,
    /// Whether members were left out of the record because of a cap: of `entries` (past
    /// [`WalkLimits::max_entries`]) or, in compact mode, of `path_index` (past
    /// [`crate::layer::listing::MAX_PATHS`] distinct paths).
    pub entries_capped: bool,
    /// Compact mode: whether distinct paths went past [`WalkLimits::max_paths`] (then
    /// `entries_capped` is set too: the record of the layer is incomplete).
    pub paths_capped: bool,
    /// How the archive ended (LT011).
    pub end: EndMarker,
    /// Offset of the first zero block of the end marker, if any.
    pub end_offset: Option<u64>,
    /// A non-zero block right after a single zero block (the walk goes on if it is a valid header).
    pub after_single_zero: Option<AfterSingleZero>,
    /// Bytes after the two-block end marker, zero padding included.
    pub bytes_after_end: u64,
    /// Non-zero bytes after the end marker (LT012).
    pub trailing_nonzero: u64,
    /// Offset of the first non-zero byte after the end marker.
    pub trailing_offset: Option<u64>,
    /// Header anomalies in stream order (capped at [`WalkLimits::max_anomalies`]).
    pub anomalies: Vec<Anomaly>,
    /// Whether anomalies were left out because of the cap.
    pub anomalies_capped: bool,
    /// Offset of the header where the walk stopped (bad checksum or unreadable size).
    pub stopped_at: Option<u64>,
    /// Set when the stream ended mid-entry.
    pub truncated: Option<Truncation>,
    /// Whether the walk ran in compact mode ([`WalkLimits::keep_all_entries`] false): `entries`
    /// holds only the members worth keeping, `path_index`, `duplicates` and `links_seen_here`
    /// stand for the rest.
    pub compact: bool,
    /// Compact mode: every recorded member's normalised path and ancestors.
    pub path_index: crate::layer::listing::PathIndex,
    /// Compact mode: normalised paths written more than once (entry numbers are stream positions).
    pub duplicates: Vec<crate::layer::listing::Duplicate>,
    /// Compact mode: stream positions of hard links whose target an earlier member has, ascending.
    pub links_seen_here: Vec<u64>,
    /// Where Go's `archive/tar` stops with an error, if it does (the layer does not unpack).
    pub go_refusal: Option<GoRefusal>,
    /// Members Go's reader returns before it stops (all of them when it does not stop).
    pub go_members: u64,
}

impl TarFacts {
    /// The kept member at stream position `index`.
    pub fn entry_at_index(&self, index: u64) -> Option<&TarEntry> {
        let i = self.entries.binary_search_by_key(&index, |e| e.index).ok()?;
        self.entries.get(i)
    }
}

/// What the walker is doing with the next bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Filling a header block (or an old GNU sparse extension block, when `sparse_ext` is set).
    Header,
    /// Collecting (or, if `keep` is false, skipping) an extension payload, then its padding.
    Extension { typeflag: u8, remaining: u64, pad: u64, keep: bool, offset: u64 },
    /// Skipping member data (`remaining` includes `pad` bytes of padding).
    Skip { remaining: u64, pad: u64, within: TruncatedIn, offset: u64 },
    /// After the end marker: counting trailing bytes.
    AfterEnd,
    /// After a fatal header problem: counting bytes only.
    Stopped,
}

/// The records of one PAX `x` header (Go keeps only the last set before a member).
#[derive(Debug, Default)]
struct PaxSet {
    path: Option<Vec<u8>>,
    linkpath: Option<Vec<u8>>,
    size: Option<i64>,
    uid: Option<i64>,
    gid: Option<i64>,
    /// A record whose value Go's `mergePAX` cannot parse (then Go refuses the member).
    bad_value: Option<&'static str>,
    xattrs: Vec<String>,
    /// Any `GNU.sparse.*` record.
    sparse: bool,
    sparse_major: Vec<u8>,
    sparse_minor: Vec<u8>,
    sparse_name: Vec<u8>,
    sparse_size: Vec<u8>,
    sparse_realsize: Vec<u8>,
    sparse_numblocks: Option<Vec<u8>>,
    sparse_map: Vec<u8>,
    /// Format 0.0 `GNU.sparse.offset`/`numbytes` values, joined as Go does into a map.
    sparse_pairs: Vec<u8>,
}

/// Extension records waiting for the member they describe.
#[derive(Debug, Default)]
struct Pending {
    first_offset: Option<u64>,
    pax: PaxSet,
    /// The `path` of an earlier `x` header that a later one replaced.
    earlier_pax_path: Option<Vec<u8>>,
    gnu_name: Option<Vec<u8>>,
    gnu_link: Option<Vec<u8>>,
}

/// What the PAX `GNU.sparse.*` records of a member say, as Go reads them.
#[derive(Debug)]
struct PaxSparse {
    /// `GNU.sparse.name` (empty: keep the name).
    name: Vec<u8>,
    /// `GNU.sparse.size` or `realsize`.
    size: Option<i64>,
    /// The map of format 0.0/0.1 (`None` for 1.0, whose map is read from the data).
    map: Option<crate::tar::SparseCheck>,
    /// Format 1.0.
    is1x0: bool,
}

/// An old GNU sparse member (`S`) whose extension blocks are being read.
#[derive(Debug, Clone, Copy)]
struct SparseExt {
    /// Logical size (`realsize`).
    realsize: i64,
    /// Data bytes in the archive.
    data: u64,
    /// The member's stream position.
    index: u64,
    /// The member's header offset.
    offset: u64,
    /// The map so far.
    check: crate::tar::SparseCheck,
}

/// A PAX 1.0 sparse map being read from the start of a member's data.
#[derive(Debug, Clone, Copy)]
struct SparseMapRead {
    parser: crate::tar::SparseMap1x0,
    /// Stream position where the member data (the map first) starts.
    start: u64,
    realsize: i64,
    data: u64,
    index: u64,
    offset: u64,
}

/// Incremental tar header walker fed with the uncompressed stream in order.
#[derive(Debug)]
pub struct TarWalker {
    limits: WalkLimits,
    facts: TarFacts,
    state: State,
    block: [u8; BLOCK],
    fill: usize,
    block_start: u64,
    ext: Vec<u8>,
    pending: Pending,
    zero_run: u8,
    first_zero: u64,
    is_tar: Option<bool>,
    /// Compact mode: the path index being built.
    index: Option<crate::layer::listing::PathIndexBuilder>,
    /// Compact mode: the latest member and whether it is already known to be worth keeping;
    /// decided when the next one comes (anomalies may still point at it), kept if last.
    held: Option<(TarEntry, bool)>,
    /// Old GNU sparse extension blocks still to read.
    sparse_ext: Option<SparseExt>,
    /// A PAX 1.0 sparse map still to read from member data.
    sparse_map: Option<SparseMapRead>,
    /// A refusal Go makes only once it has read up to a stream position (before it, a cut
    /// stream makes Go fail with `unexpected EOF` instead): position, refusal, members returned.
    deferred: Option<(u64, GoRefusal, u64)>,
}

impl Default for TarWalker {
    fn default() -> Self {
        TarWalker::new(WalkLimits::default())
    }
}

impl TarWalker {
    /// A walker with the given limits.
    pub fn new(limits: WalkLimits) -> Self {
        TarWalker {
            limits,
            facts: TarFacts::default(),
            state: State::Header,
            block: [0; BLOCK],
            fill: 0,
            block_start: 0,
            ext: Vec::new(),
            pending: Pending::default(),
            zero_run: 0,
            first_zero: 0,
            is_tar: None,
            index: (!limits.keep_all_entries)
                .then(|| crate::layer::listing::PathIndexBuilder::with_limit(limits.max_paths)),
            held: None,
            sparse_ext: None,
            sparse_map: None,
            deferred: None,
        }
    }

    /// Feeds the next bytes of the stream (any chunk size; headers may be split anywhere).
    pub fn feed(&mut self, data: &[u8]) {
        let mut rest = data;
        while !rest.is_empty() {
            let used = self.step(rest);
            let Some((_, tail)) = rest.split_at_checked(used) else {
                break;
            };
            rest = tail;
            if used == 0 {
                break;
            }
        }
    }

    /// Consumes a prefix of `rest` and returns its length (never 0 for a non-empty `rest`).
    fn step(&mut self, rest: &[u8]) -> usize {
        let pos = self.facts.total_size;
        match self.state {
            State::Header => {
                if self.fill == 0 {
                    self.block_start = pos;
                }
                let take = (BLOCK.saturating_sub(self.fill)).min(rest.len());
                let end = self.fill.saturating_add(take);
                if let (Some(dst), Some(src)) = (self.block.get_mut(self.fill..end), rest.get(..take)) {
                    dst.copy_from_slice(src);
                }
                self.fill = end;
                self.advance(take);
                if self.fill >= BLOCK {
                    self.fill = 0;
                    let block = self.block;
                    if self.sparse_ext.is_some() {
                        self.on_sparse_ext_block(&block);
                    } else {
                        self.on_block(&block, self.block_start);
                    }
                }
                take
            }
            State::Extension { keep, remaining, .. } => {
                let take = clamp(remaining, rest.len());
                if keep {
                    self.ext.extend_from_slice(rest.get(..take).unwrap_or(&[]));
                }
                self.pass(take as u64);
                take
            }
            State::Skip { remaining, pad, .. } => {
                let mut take = clamp(remaining, rest.len());
                if self.sparse_map.is_some() {
                    let data_left = clamp(remaining.saturating_sub(pad), take);
                    take = self.on_sparse_map_bytes(rest.get(..data_left).unwrap_or(&[]), data_left).max(1).min(take);
                }
                self.pass(take as u64);
                take
            }
            State::AfterEnd => {
                let nonzero = rest.iter().filter(|&&b| b != 0).count() as u64;
                if nonzero > 0 && self.facts.trailing_offset.is_none() {
                    let first = rest.iter().position(|&b| b != 0).unwrap_or(0) as u64;
                    self.facts.trailing_offset = Some(pos.saturating_add(first));
                }
                self.facts.trailing_nonzero = self.facts.trailing_nonzero.saturating_add(nonzero);
                self.facts.bytes_after_end = self.facts.bytes_after_end.saturating_add(rest.len() as u64);
                self.advance(rest.len());
                rest.len()
            }
            State::Stopped => {
                self.advance(rest.len());
                rest.len()
            }
        }
    }

    /// Moves `n` bytes through an extension payload or skipped data (at most what is left of it).
    fn pass(&mut self, n: u64) {
        self.facts.total_size = self.facts.total_size.saturating_add(n);
        if self.deferred.as_ref().is_some_and(|d| self.facts.total_size >= d.0) {
            if let Some((_, r, returned)) = self.deferred.take() {
                self.refuse(r.offset, r.member, returned, r.reason, r.detail);
            }
        }
        match self.state {
            State::Extension { typeflag, remaining, pad, keep, offset } => {
                let left = remaining.saturating_sub(n);
                if left > 0 {
                    self.state = State::Extension { typeflag, remaining: left, pad, keep, offset };
                } else {
                    self.state = if pad > 0 {
                        State::Skip { remaining: pad, pad, within: TruncatedIn::Extension, offset }
                    } else {
                        State::Header
                    };
                    if keep {
                        self.on_extension(typeflag, offset);
                    }
                }
            }
            State::Skip { remaining, pad, within, offset } => {
                let left = remaining.saturating_sub(n);
                self.state =
                    if left > 0 { State::Skip { remaining: left, pad, within, offset } } else { State::Header };
                if left <= pad && within == TruncatedIn::Data {
                    self.end_sparse_map();
                }
            }
            _ => {}
        }
    }

    /// Bytes the walker would now pass over without looking at them (member data and its
    /// padding, or an extension payload over the size limit): a reader that can seek may
    /// [`TarWalker::skip`] them instead of feeding them.
    pub fn skippable(&self) -> u64 {
        if self.sparse_map.is_some() {
            return 0;
        }
        match self.state {
            State::Skip { remaining, .. } | State::Extension { remaining, keep: false, .. } => remaining,
            _ => 0,
        }
    }

    /// Passes over `n` bytes the reader skipped (at most [`TarWalker::skippable`]).
    pub fn skip(&mut self, n: u64) {
        self.pass(n.min(self.skippable()));
    }

    /// Stream offset of the next byte the walker expects.
    pub fn position(&self) -> u64 {
        self.facts.total_size
    }

    /// Bytes seen after the end-of-archive marker so far.
    pub fn bytes_after_end(&self) -> u64 {
        self.facts.bytes_after_end
    }

    /// Whether a header problem stopped the walk (after the end marker it goes on counting
    /// trailing bytes).
    pub fn is_stopped(&self) -> bool {
        self.state == State::Stopped
    }

    /// Members recorded since the last call, in stream order (with
    /// [`WalkLimits::keep_all_entries`]; a listing that consumes them keeps none twice).
    pub fn take_entries(&mut self) -> Vec<TarEntry> {
        std::mem::take(&mut self.facts.entries)
    }

    fn advance(&mut self, n: usize) {
        self.facts.total_size = self.facts.total_size.saturating_add(n as u64);
    }

    /// Records where Go's reader stops (the first time only); `returned` is how many members Go
    /// returned before.
    fn refuse(&mut self, offset: u64, member: Option<u64>, returned: u64, reason: GoReason, detail: impl Into<String>) {
        if self.facts.go_refusal.is_none() {
            self.facts.go_refusal = Some(GoRefusal { offset, member, reason, detail: detail.into() });
            self.facts.go_members = returned;
        }
    }

    /// Ends the stream and returns the facts.
    pub fn finish(mut self) -> TarFacts {
        let count = self.facts.entry_count;
        if let Some(s) = self.sparse_ext.take() {
            self.refuse(
                s.offset,
                Some(s.index),
                s.index,
                GoReason::UnexpectedEof,
                "the stream ends inside the extension blocks of an old GNU sparse member",
            );
        }
        // A PAX 1.0 map cut short fails here; a complete one is checked against the data the
        // stream still held (Go reads the referenced data before it notices unreferenced data).
        self.end_sparse_map();
        match self.state {
            State::Header if self.fill > 0 => {
                self.facts.truncated = Some(Truncation {
                    entry_offset: self.block_start,
                    within: TruncatedIn::Header,
                    missing: BLOCK.saturating_sub(self.fill) as u64,
                });
                self.refuse(self.block_start, None, count, GoReason::UnexpectedEof, "the stream ends inside a header");
            }
            State::Extension { remaining, pad, offset, .. } => {
                self.facts.truncated = Some(Truncation {
                    entry_offset: offset,
                    within: TruncatedIn::Extension,
                    missing: remaining.saturating_add(pad),
                });
                self.refuse(offset, None, count, GoReason::UnexpectedEof, "the stream ends inside an extension record");
            }
            State::Skip { remaining, pad, within, offset } => {
                let within =
                    if within == TruncatedIn::Data && remaining <= pad { TruncatedIn::Padding } else { within };
                self.facts.truncated = Some(Truncation { entry_offset: offset, within, missing: remaining });
                if within == TruncatedIn::Data {
                    let member = count.checked_sub(1);
                    self.refuse(offset, member, count, GoReason::UnexpectedEof, "the stream ends inside member data");
                }
            }
            _ => {}
        }
        if self.state != State::Stopped && self.state != State::AfterEnd && self.zero_run == 1 {
            self.facts.end = EndMarker::OneZeroBlock;
            self.facts.end_offset = Some(self.first_zero);
        }
        if let Some(offset) = self.pending.first_offset.take() {
            self.anomaly(offset, AnomalyKind::ExtensionWithoutEntry);
        }
        if self.facts.go_refusal.is_none() {
            self.facts.go_members = self.facts.entry_count;
        }
        self.facts.is_tar = self.is_tar.unwrap_or(false);
        if let Some(b) = self.index.take() {
            self.release_last();
            self.facts.paths_capped = b.capped();
            self.facts.entries_capped |= b.capped();
            let (index, duplicates) = b.finish();
            self.facts.path_index = index;
            self.facts.duplicates = duplicates;
            self.facts.compact = true;
        }
        self.facts
    }

    /// Compact mode, at the end: keeps the last member if it is worth keeping or evidence of how
    /// the stream ends (an end marker that is not two zero blocks, a truncation, a stop, an eStargz
    /// index). A thousand-layer dump would otherwise keep a full member per layer for nothing.
    fn release_last(&mut self) {
        let Some((e, keep)) = self.held.as_mut() else { return };
        let f = &self.facts;
        *keep = *keep
            || f.end != EndMarker::TwoZeroBlocks
            || f.truncated.is_some()
            || f.stopped_at.is_some()
            || f.go_refusal.is_some()
            || crate::layer::listing::normalize(&e.path).path == crate::layer::listing::STARGZ_INDEX;
        self.release_held();
    }

    /// Compact mode: keeps the held member if it turned out worth keeping.
    fn release_held(&mut self) {
        let Some((e, keep)) = self.held.take() else { return };
        let at = |o: u64| o == e.offset || o == e.header_offset;
        let keep = keep
            || self.facts.after_single_zero.is_some_and(|a| at(a.offset))
            || self.facts.go_refusal.as_ref().is_some_and(|r| r.member == Some(e.index) || at(r.offset))
            || self.facts.anomalies.iter().rev().take_while(|a| a.offset >= e.offset).any(|a| at(a.offset));
        if keep {
            self.facts.entries.push(e);
        }
    }

    /// Records one member (uncapped), keeping it whole or in the index.
    fn record(&mut self, entry: TarEntry) {
        let Some(b) = self.index.as_mut() else {
            self.facts.entries.push(entry);
            return;
        };
        let added = b.add(&entry, entry.index);
        if added.link_target_seen {
            self.facts.links_seen_here.push(entry.index);
        }
        let keep = added.duplicate
            || added.needed_for_links
            || crate::layer::listing::worth_keeping(&entry)
            || entry.readers_disagree()
            || matches!(entry.entry_type, EntryType::Other(_));
        self.release_held();
        self.held = Some((entry, keep));
    }

    fn anomaly(&mut self, offset: u64, kind: AnomalyKind) {
        if self.facts.anomalies.len() < self.limits.max_anomalies {
            self.facts.anomalies.push(Anomaly { offset, kind });
        } else {
            self.facts.anomalies_capped = true;
        }
    }

    fn stop(&mut self, offset: u64) {
        self.facts.stopped_at = Some(offset);
        self.state = State::Stopped;
    }

    /// Handles one complete 512-byte block read in the header state.
    fn on_block(&mut self, block: &[u8; BLOCK], offset: u64) {
        if block.iter().all(|&b| b == 0) {
            if let Some(ext_offset) = self.pending.first_offset.take() {
                self.pending = Pending::default();
                self.anomaly(ext_offset, AnomalyKind::ExtensionWithoutEntry);
            }
            if self.zero_run == 0 {
                self.zero_run = 1;
                self.first_zero = offset;
            } else {
                self.zero_run = 2;
                self.facts.end = EndMarker::TwoZeroBlocks;
                self.facts.end_offset = Some(self.first_zero);
                if self.is_tar.is_none() {
                    self.is_tar = Some(true);
                }
                self.state = State::AfterEnd;
            }
            return;
        }
        let format = crate::tar::format_of(block);
        let valid = format.is_some();
        if self.is_tar.is_none() {
            self.is_tar = Some(valid);
        }
        let count = self.facts.entry_count;
        if self.zero_run == 1 && self.facts.after_single_zero.is_none() {
            self.facts.after_single_zero = Some(AfterSingleZero { offset, valid_header: valid });
            self.refuse(
                offset,
                valid.then_some(count),
                count,
                GoReason::BadHeader,
                "a single zero block is followed by a non-zero block",
            );
        }
        self.zero_run = 0;
        let Some(format) = format else {
            self.anomaly(offset, AnomalyKind::BadChecksum);
            self.refuse(offset, None, count, GoReason::BadHeader, "the header checksum does not verify");
            self.stop(offset);
            return;
        };
        let typeflag = field(block, 156, 1).first().copied().unwrap_or(0);
        if let Some(bad) = crate::tar::bad_numeric_field(block, format) {
            let member = (!matches!(typeflag, b'x' | b'g' | b'L' | b'K')).then_some(count);
            self.refuse(offset, member, count, GoReason::BadHeader, format!("header field `{bad}` is not a number"));
        }
        let size = match crate::tar::go_numeric(field(block, 124, 12)) {
            Some(n) => {
                if n.base256 {
                    self.anomaly(offset, AnomalyKind::Base256 { field: NumField::Size });
                }
                n.value
            }
            None => {
                let problem = if block.get(124).is_some_and(|b| b & 0x80 != 0) {
                    NumProblem::Overflow
                } else {
                    NumProblem::Invalid
                };
                self.anomaly(offset, AnomalyKind::BadNumber { field: NumField::Size, problem });
                self.stop(offset);
                return;
            }
        };
        match typeflag {
            b'x' | b'g' | b'L' | b'K' => {
                let Ok(size) = u64::try_from(size) else {
                    self.anomaly(
                        offset,
                        AnomalyKind::BadNumber { field: NumField::Size, problem: NumProblem::Negative },
                    );
                    self.refuse(offset, None, count, GoReason::BadHeader, "an extension header has a negative size");
                    self.stop(offset);
                    return;
                };
                self.on_extension_header(typeflag, size, offset)
            }
            _ => self.on_member(block, format, typeflag, size, offset),
        }
    }

    fn on_extension_header(&mut self, typeflag: u8, size: u64, offset: u64) {
        if typeflag == b'g' {
            // Go returns a global header as an entry of its own: records waiting for a member
            // (earlier `x`, `L`, `K`) are dropped.
            if let Some(ext_offset) = self.pending.first_offset.take() {
                self.anomaly(ext_offset, AnomalyKind::ExtensionWithoutEntry);
            }
            self.pending = Pending::default();
        } else if self.pending.first_offset.is_none() {
            self.pending.first_offset = Some(offset);
        }
        let Some(pad) = padding(size) else {
            self.anomaly(offset, AnomalyKind::BadNumber { field: NumField::Size, problem: NumProblem::Overflow });
            self.stop(offset);
            return;
        };
        if size > crate::tar::MAX_SPECIAL_FILE_SIZE {
            // Go reads 1 MiB + 1 bytes of the record before it fails.
            let at = self.facts.total_size.saturating_add(crate::tar::MAX_SPECIAL_FILE_SIZE + 1);
            let count = self.facts.entry_count;
            let detail =
                format!("extension record `{}` of {size} bytes is over Go's 1 MiB limit", char::from(typeflag));
            self.defer(at, GoRefusal { offset, member: None, reason: GoReason::FieldTooLong, detail }, count);
        }
        let keep = size <= self.limits.max_extension_size;
        if !keep {
            self.anomaly(offset, AnomalyKind::ExtensionTooLarge { typeflag, size });
        }
        self.ext.clear();
        if size == 0 {
            self.state = State::Header;
            self.on_extension(typeflag, offset);
        } else {
            self.state = State::Extension { typeflag, remaining: size, pad, keep, offset };
        }
    }

    /// Applies a complete extension payload held in `self.ext`.
    fn on_extension(&mut self, typeflag: u8, offset: u64) {
        let payload = std::mem::take(&mut self.ext);
        match typeflag {
            b'x' => self.parse_pax(&payload, offset, true),
            b'g' => {
                self.anomaly(offset, AnomalyKind::GlobalPaxHeader);
                self.parse_pax(&payload, offset, false);
            }
            b'L' => self.pending.gnu_name = Some(cstr(&payload).to_vec()),
            b'K' => self.pending.gnu_link = Some(cstr(&payload).to_vec()),
            _ => {}
        }
        // Keep the allocation for the next payload, but never more than one payload's worth.
        self.ext = payload;
        self.ext.clear();
    }

    /// Parses PAX records (`"<len> key=value\n"`) as Go does; with `apply`, they replace the
    /// records of any earlier `x` header (Go keeps the last set).
    fn parse_pax(&mut self, payload: &[u8], offset: u64, apply: bool) {
        let mut set = PaxSet::default();
        let mut rest = payload;
        let mut sparse_pairs = 0usize;
        while !rest.is_empty() {
            let (key, value) = match crate::tar::parse_pax_record(rest) {
                Ok((key, value, tail)) => {
                    rest = tail;
                    (key, value)
                }
                Err(reason) => {
                    self.anomaly(offset, AnomalyKind::PaxMalformed { reason });
                    let count = self.facts.entry_count;
                    self.refuse(offset, None, count, GoReason::BadHeader, format!("malformed PAX record: {reason}"));
                    break;
                }
            };
            if key == b"GNU.sparse.offset" || key == b"GNU.sparse.numbytes" {
                let want_offset = sparse_pairs % 2 == 0;
                if (key == b"GNU.sparse.offset") != want_offset || value.contains(&b',') {
                    let count = self.facts.entry_count;
                    self.refuse(offset, None, count, GoReason::BadHeader, "PAX sparse 0.0 records out of order");
                }
                if !set.sparse_pairs.is_empty() {
                    set.sparse_pairs.push(b',');
                }
                set.sparse_pairs.extend_from_slice(value);
                sparse_pairs = sparse_pairs.saturating_add(1);
                set.sparse = true;
                continue;
            }
            if !apply {
                continue;
            }
            let number = |set: &mut PaxSet, what: &'static str| -> Option<i64> {
                if value.is_empty() {
                    return None;
                }
                let n = crate::tar::go_parse_int(value);
                if n.is_none() && set.bad_value.is_none() {
                    set.bad_value = Some(what);
                }
                n
            };
            match key {
                b"path" => set.path = Some(value.to_vec()),
                b"linkpath" => set.linkpath = Some(value.to_vec()),
                b"size" => set.size = number(&mut set, "size").or(set.size),
                b"uid" => set.uid = number(&mut set, "uid").or(set.uid),
                b"gid" => set.gid = number(&mut set, "gid").or(set.gid),
                b"atime" | b"mtime" | b"ctime" => {
                    if !value.is_empty() && !crate::tar::go_pax_time_ok(value) && set.bad_value.is_none() {
                        set.bad_value = Some(match key {
                            b"atime" => "atime",
                            b"mtime" => "mtime",
                            _ => "ctime",
                        });
                    }
                }
                b"GNU.sparse.major" => set.sparse_major = value.to_vec(),
                b"GNU.sparse.minor" => set.sparse_minor = value.to_vec(),
                b"GNU.sparse.name" => set.sparse_name = value.to_vec(),
                b"GNU.sparse.size" => set.sparse_size = value.to_vec(),
                b"GNU.sparse.realsize" => set.sparse_realsize = value.to_vec(),
                b"GNU.sparse.numblocks" => set.sparse_numblocks = Some(value.to_vec()),
                b"GNU.sparse.map" => set.sparse_map = value.to_vec(),
                _ => {
                    let name = key.strip_prefix(b"SCHILY.xattr.").or_else(|| key.strip_prefix(b"LIBARCHIVE.xattr."));
                    if let Some(name) = name {
                        if set.xattrs.len() < self.limits.max_xattrs {
                            let cut = name.get(..self.limits.max_name_len).unwrap_or(name);
                            set.xattrs.push(String::from_utf8_lossy(cut).into_owned());
                        }
                    }
                }
            }
            if key.starts_with(b"GNU.sparse.") {
                set.sparse = true;
            }
        }
        if apply {
            if !set.sparse_pairs.is_empty() {
                set.sparse_map = std::mem::take(&mut set.sparse_pairs);
            }
            let earlier = std::mem::take(&mut self.pending.pax);
            if let Some(p) = earlier.path.filter(|p| !p.is_empty()) {
                self.pending.earlier_pax_path = Some(p);
            }
            self.pending.pax = set;
        }
    }

    /// Reads a numeric field that does not affect the walk; problems become anomalies and 0.
    fn num(&mut self, block: &[u8; BLOCK], at: usize, which: NumField, offset: u64) -> u64 {
        match crate::tar::go_numeric(field(block, at, 8)) {
            Some(n) => {
                if n.base256 {
                    self.anomaly(offset, AnomalyKind::Base256 { field: which });
                }
                u64::try_from(n.value).unwrap_or_else(|_| {
                    self.anomaly(offset, AnomalyKind::BadNumber { field: which, problem: NumProblem::Negative });
                    0
                })
            }
            None => {
                let problem = if block.get(at).is_some_and(|b| b & 0x80 != 0) {
                    NumProblem::Overflow
                } else {
                    NumProblem::Invalid
                };
                self.anomaly(offset, AnomalyKind::BadNumber { field: which, problem });
                0
            }
        }
    }

    /// Turns a name into (text, non_utf8, truncated), recording anomalies.
    fn name(&mut self, raw: &[u8], which: NameField, offset: u64) -> (String, bool, bool) {
        let truncated = raw.len() > self.limits.max_name_len;
        if truncated {
            self.anomaly(offset, AnomalyKind::NameTooLong { field: which, len: raw.len() as u64 });
        }
        let kept = raw.get(..self.limits.max_name_len).unwrap_or(raw);
        // Judge UTF-8 on the whole name when it fits, else on the kept part (a cut may split a char).
        let non_utf8 = if truncated {
            std::str::from_utf8(kept).is_err_and(|e| e.error_len().is_some())
        } else {
            std::str::from_utf8(kept).is_err()
        };
        if non_utf8 {
            let kind = match which {
                NameField::Path => AnomalyKind::NonUtf8Path,
                NameField::LinkTarget => AnomalyKind::NonUtf8LinkTarget,
            };
            self.anomaly(offset, kind);
        }
        (String::from_utf8_lossy(kept).into_owned(), non_utf8, truncated)
    }

    /// A name capped and lossily decoded, for [`OtherName`] and anomaly texts.
    fn short(&self, b: &[u8]) -> String {
        String::from_utf8_lossy(b.get(..self.limits.max_name_len).unwrap_or(b)).into_owned()
    }

    /// Picks the effective name among ustar, PAX and GNU (GNU wins, as in Go), recording disagreements.
    fn effective(
        &mut self,
        ustar: &[u8],
        pax: Option<Vec<u8>>,
        gnu: Option<Vec<u8>>,
        which: NameField,
        offset: u64,
    ) -> (Vec<u8>, NameSource) {
        let mut chosen = (ustar.to_vec(), NameSource::Ustar);
        for (long, source) in [(pax, NameSource::Pax), (gnu, NameSource::GnuLong)] {
            // Go ignores an empty PAX value or GNU long name.
            let Some(long) = long.filter(|l| !l.is_empty()) else { continue };
            if long != ustar {
                let kind = AnomalyKind::NameDisagreement {
                    field: which,
                    source,
                    long: self.short(&long),
                    ustar: self.short(ustar),
                    ustar_is_truncation: !ustar.is_empty() && long.starts_with(ustar),
                };
                self.anomaly(offset, kind);
            }
            chosen = (long, source);
        }
        chosen
    }

    /// Go's PAX sparse handling (`readGNUSparsePAXHeaders`): `Some` when the records make a
    /// sparse member.
    fn pax_sparse(&mut self, pax: &PaxSet, offset: u64, index: u64) -> Option<PaxSparse> {
        let (major, minor) = (pax.sparse_major.as_slice(), pax.sparse_minor.as_slice());
        let is1x0 = match (major, minor) {
            (b"0", b"0" | b"1") => false,
            (b"1", b"0") => true,
            _ if !major.is_empty() || !minor.is_empty() => return None,
            _ if !pax.sparse_map.is_empty() => false,
            _ => return None,
        };
        let size_text = if pax.sparse_size.is_empty() { &pax.sparse_realsize } else { &pax.sparse_size };
        let size = if size_text.is_empty() {
            None
        } else {
            let n = crate::tar::go_parse_int(size_text);
            if n.is_none() {
                self.refuse(offset, Some(index), index, GoReason::BadHeader, "`GNU.sparse.size` is not a number");
            }
            n
        };
        let map = if is1x0 {
            None
        } else {
            let m = crate::tar::sparse_map_0x1(pax.sparse_numblocks.as_deref().unwrap_or(&[]), &pax.sparse_map);
            if m.is_none() {
                self.refuse(offset, Some(index), index, GoReason::BadHeader, "invalid PAX sparse map");
            }
            Some(m.unwrap_or_default())
        };
        Some(PaxSparse { name: pax.sparse_name.clone(), size, map, is1x0 })
    }

    fn on_member(
        &mut self,
        block: &[u8; BLOCK],
        format: crate::tar::Format,
        typeflag: u8,
        header_size: i64,
        offset: u64,
    ) {
        let pending = std::mem::take(&mut self.pending);
        let pax = pending.pax;
        let first_offset = pending.first_offset.unwrap_or(offset);
        let index = self.facts.entry_count;
        // A refusal at one of this member's extension headers is about this member.
        if let Some(r) = self.facts.go_refusal.as_mut() {
            if r.member.is_none() && r.offset >= first_offset && r.offset < offset {
                r.member = Some(index);
            }
        }
        let mode = self.num(block, 100, NumField::Mode, offset);
        let uid = self.num(block, 108, NumField::Uid, offset);
        let gid = self.num(block, 116, NumField::Gid, offset);
        if let Some(what) = pax.bad_value {
            self.refuse(first_offset, Some(index), index, GoReason::BadHeader, format!("PAX `{what}` is not valid"));
        }

        let (ustar, fallback) = crate::tar::header_name(block, format);
        if fallback && ustar.as_slice() != cstr(field(block, 0, 100)) {
            self.anomaly(first_offset, AnomalyKind::GnuPrefixFallback { name: self.short(&ustar) });
        }
        let (mut path_raw, mut path_source) =
            self.effective(&ustar, pax.path.clone(), pending.gnu_name.clone(), NameField::Path, first_offset);
        let ustar_link = cstr(field(block, 157, 100)).to_vec();
        let (link_raw, link_source) =
            self.effective(&ustar_link, pax.linkpath.clone(), pending.gnu_link, NameField::LinkTarget, first_offset);

        // Go turns a NUL typeflag into a directory when the (PAX/GNU) name ends in a slash.
        let entry_type = if typeflag == 0 && path_raw.last() == Some(&b'/') {
            EntryType::Dir
        } else {
            EntryType::from_typeflag(typeflag)
        };
        let mut size = match pax.size {
            Some(pax_size) => {
                if pax_size != header_size {
                    self.anomaly(
                        first_offset,
                        AnomalyKind::PaxSizeConflict {
                            header: u64::try_from(header_size).unwrap_or(0),
                            pax: u64::try_from(pax_size).unwrap_or(0),
                        },
                    );
                }
                pax_size
            }
            None => header_size,
        };
        let data: u64 = if entry_type.is_header_only() {
            if size > 0 {
                self.anomaly(first_offset, AnomalyKind::HeaderOnlyTypeWithSize { size: size as u64 });
            }
            0
        } else {
            match u64::try_from(size) {
                Ok(n) => n,
                Err(_) => {
                    self.anomaly(
                        offset,
                        AnomalyKind::BadNumber { field: NumField::Size, problem: NumProblem::Negative },
                    );
                    self.refuse(first_offset, Some(index), index, GoReason::BadHeader, "negative member size");
                    self.stop(offset);
                    return;
                }
            }
        };

        // Sparse members: Go's logical size and name.
        let mut sparse_map_read = None;
        let mut sparse = typeflag == b'S';
        if typeflag == b'S' {
            self.anomaly(first_offset, AnomalyKind::Sparse);
            if format != crate::tar::Format::Gnu {
                self.refuse(offset, Some(index), index, GoReason::BadHeader, "old GNU sparse member without GNU magic");
            }
            let realsize = crate::tar::go_numeric(field(block, 483, 12)).map(|n| n.value);
            if realsize.is_none() {
                self.refuse(offset, Some(index), index, GoReason::BadHeader, "sparse `realsize` is not a number");
            }
            let realsize = realsize.unwrap_or(0);
            size = realsize;
            let mut check = crate::tar::SparseCheck::new();
            let extended = sparse_entries(field(block, 386, 97), 4, &mut check);
            if extended.is_none() {
                self.refuse(
                    offset,
                    Some(index),
                    index,
                    GoReason::BadHeader,
                    "old GNU sparse map entry is not a number",
                );
            }
            let ext = SparseExt { realsize, data, index, offset, check };
            if extended == Some(true) {
                self.sparse_ext = Some(ext);
            } else {
                self.end_sparse_ext(ext);
            }
        } else if pax.sparse {
            self.anomaly(first_offset, AnomalyKind::Sparse);
            if let Some(PaxSparse { name, size: sparse_size, map, is1x0 }) = self.pax_sparse(&pax, first_offset, index)
            {
                sparse = true;
                if !name.is_empty() {
                    path_raw = name;
                    path_source = NameSource::Pax;
                }
                if let Some(s) = sparse_size {
                    size = s;
                }
                if entry_type.is_header_only() {
                    self.refuse(
                        first_offset,
                        Some(index),
                        index,
                        GoReason::BadHeader,
                        "sparse map on a header-only type",
                    );
                } else if let Some(map) = map {
                    self.check_sparse(map, size, data, first_offset, index, self.facts.total_size);
                } else if is1x0 {
                    let parser = crate::tar::SparseMap1x0::default();
                    let start = self.facts.total_size;
                    sparse_map_read =
                        Some(SparseMapRead { parser, start, realsize: size, data, index, offset: first_offset });
                }
            }
        }

        // Every other name some reader may write.
        let mut other_names = Vec::new();
        let mut add = |reader: NameReader, name: &[u8], this: &TarWalker| {
            if !name.is_empty()
                && name != path_raw.as_slice()
                && !other_names.iter().any(|o: &OtherName| o.reader == reader)
            {
                other_names.push(OtherName { reader, path: this.short(name) });
            }
        };
        add(NameReader::Ustar, &ustar, self);
        if fallback {
            add(NameReader::GnuTarNoPrefix, cstr(field(block, 0, 100)), self);
        }
        if let Some(p) = pax.path.as_deref() {
            add(NameReader::PaxPath, p, self);
        }
        if let Some(g) = pending.gnu_name.as_deref() {
            add(NameReader::GnuLongName, g, self);
        }
        if let Some(p) = pending.earlier_pax_path.as_deref() {
            add(NameReader::EarlierPax, p, self);
        }
        other_names.dedup_by(|a, b| a.path == b.path);

        let (path, non_utf8, path_truncated) = self.name(&path_raw, NameField::Path, first_offset);
        let ustar_name = if path_raw != ustar { Some(String::from_utf8_lossy(&ustar).into_owned()) } else { None };
        let (link_target, link_non_utf8) = if link_raw.is_empty() {
            (None, false)
        } else {
            let (text, bad, _) = self.name(&link_raw, NameField::LinkTarget, first_offset);
            (Some(text), bad)
        };

        self.facts.entry_count = self.facts.entry_count.saturating_add(1);
        if self.facts.entry_count <= self.limits.max_entries as u64 {
            self.record(TarEntry {
                path,
                non_utf8,
                path_truncated,
                path_source,
                ustar_name,
                entry_type,
                typeflag,
                mode,
                uid: pax.uid.and_then(|v| u64::try_from(v).ok()).unwrap_or(uid),
                gid: pax.gid.and_then(|v| u64::try_from(v).ok()).unwrap_or(gid),
                size: u64::try_from(size).unwrap_or(0),
                link_target,
                link_non_utf8,
                link_source,
                offset: first_offset,
                header_offset: offset,
                xattrs: pax.xattrs,
                index,
                other_names,
                sparse,
            });
        } else {
            self.facts.entries_capped = true;
        }

        let Some(pad) = padding(data) else {
            self.anomaly(offset, AnomalyKind::BadNumber { field: NumField::Size, problem: NumProblem::Overflow });
            self.stop(offset);
            return;
        };
        if self.sparse_ext.is_some() {
            // The extension blocks come first; `end_sparse_ext` sets up the data skip.
            self.state = State::Header;
            return;
        }
        self.skip_data(data, pad, offset);
        if let Some(m) = sparse_map_read {
            self.sparse_map = Some(m);
            if data == 0 {
                self.end_sparse_map();
            }
        }
    }

    /// Sets up skipping `data` bytes of member data and `pad` bytes of padding.
    fn skip_data(&mut self, data: u64, pad: u64, offset: u64) {
        self.state = match data.checked_add(pad) {
            Some(0) => State::Header,
            Some(remaining) => State::Skip { remaining, pad, within: TruncatedIn::Data, offset },
            None => {
                self.anomaly(offset, AnomalyKind::BadNumber { field: NumField::Size, problem: NumProblem::Overflow });
                self.stop(offset);
                return;
            }
        };
    }

    /// Records a refusal Go makes once the stream reaches `at` (at once if it already has).
    fn defer(&mut self, at: u64, r: GoRefusal, returned: u64) {
        if self.facts.total_size >= at {
            self.refuse(r.offset, r.member, returned, r.reason, r.detail);
        } else if self.deferred.is_none() && self.facts.go_refusal.is_none() {
            self.deferred = Some((at, r, returned));
        }
    }

    /// Go's checks of a sparse map against the logical size and the `data` bytes the archive
    /// holds from stream position `data_start`.
    fn check_sparse(
        &mut self,
        map: crate::tar::SparseCheck,
        size: i64,
        data: u64,
        offset: u64,
        index: u64,
        data_start: u64,
    ) {
        if !map.valid_for(size) {
            self.refuse(offset, Some(index), index, GoReason::BadHeader, "the sparse map is invalid for the file size");
        } else if map.data != data {
            // Go reads the referenced data first (all the data when there is less): a stream
            // cut before that fails with `unexpected EOF` instead.
            let (reason, why, need) = if map.data > data {
                (GoReason::MissingSparseData, "the sparse map references more data than the archive holds", data)
            } else {
                (GoReason::UnreferencedSparseData, "the archive holds data the sparse map does not reference", map.data)
            };
            let at = data_start.saturating_add(need);
            let r = GoRefusal { offset, member: Some(index), reason, detail: why.into() };
            self.defer(at, r, index.saturating_add(1));
        }
    }

    /// Reads one old GNU sparse extension block (21 entries and an "extended" flag).
    fn on_sparse_ext_block(&mut self, block: &[u8; BLOCK]) {
        let Some(mut s) = self.sparse_ext.take() else { return };
        match sparse_entries(field(block, 0, 505), 21, &mut s.check) {
            Some(true) => self.sparse_ext = Some(s),
            Some(false) => self.end_sparse_ext(s),
            None => {
                self.refuse(
                    s.offset,
                    Some(s.index),
                    s.index,
                    GoReason::BadHeader,
                    "old GNU sparse map entry is not a number",
                );
                self.end_sparse_ext(s);
            }
        }
    }

    /// The old GNU sparse map is complete: checks it and skips the member data.
    fn end_sparse_ext(&mut self, s: SparseExt) {
        self.check_sparse(s.check, s.realsize, s.data, s.offset, s.index, self.facts.total_size);
        let pad = padding(s.data).unwrap_or(0);
        self.skip_data(s.data, pad, s.offset);
    }

    /// Feeds member data to a PAX 1.0 sparse map; returns the bytes to pass (up to the end of
    /// the block holding the map's last newline, or all `avail` once the map is read).
    fn on_sparse_map_bytes(&mut self, data: &[u8], avail: usize) -> usize {
        let Some(m) = self.sparse_map.as_mut() else { return avail };
        let mut used = 0;
        if !m.parser.done() {
            used = m.parser.feed(data);
            if !m.parser.done() {
                return used;
            }
        }
        // Go reads the map block by block: the rest of the block holding the last newline
        // belongs to the map.
        let rem = (m.parser.consumed % BLOCK_U64) as usize;
        if rem == 0 {
            return if used == 0 { avail } else { used };
        }
        let extra = (BLOCK - rem).min(avail.saturating_sub(used));
        m.parser.consumed = m.parser.consumed.saturating_add(extra as u64);
        used.saturating_add(extra)
    }

    /// The member data under a PAX 1.0 sparse map ended or the map is read: checks it.
    fn end_sparse_map(&mut self) {
        let Some(m) = self.sparse_map.take() else { return };
        let p = m.parser;
        // Go reads the map's blocks before it parses them: a short read fails first.
        if !p.done() || p.consumed % BLOCK_U64 != 0 {
            self.refuse(
                m.offset,
                Some(m.index),
                m.index,
                GoReason::UnexpectedEof,
                "the member data ends inside its PAX 1.0 sparse map",
            );
        } else if p.bad {
            self.refuse(
                m.offset,
                Some(m.index),
                m.index,
                GoReason::BadHeader,
                "a PAX 1.0 sparse map number is not valid",
            );
        } else {
            let start = m.start.saturating_add(p.consumed);
            self.check_sparse(p.check, m.realsize, m.data.saturating_sub(p.consumed), m.offset, m.index, start);
        }
    }
}

/// Reads old GNU sparse entries (`n` of 24 bytes, then the "extended" byte) into `check`, as Go
/// does: an entry whose offset starts with NUL ends the block's list. `Some(extended)`, or `None`
/// for a number Go cannot parse.
fn sparse_entries(area: &[u8], n: usize, check: &mut crate::tar::SparseCheck) -> Option<bool> {
    for i in 0..n {
        let at = i.saturating_mul(24);
        let off = field(area, at, 12);
        if off.first().is_none_or(|&b| b == 0) {
            break;
        }
        let o = crate::tar::go_numeric(off)?.value;
        let l = crate::tar::go_numeric(field(area, at.saturating_add(12), 12))?.value;
        check.push(o, l);
    }
    Some(field(area, n.saturating_mul(24), 1).first().is_some_and(|&b| b > 0))
}

/// Bytes of zero padding after `size` bytes of data, or `None` on overflow.
fn padding(size: u64) -> Option<u64> {
    let rem = size % BLOCK_U64;
    let pad = if rem == 0 { 0 } else { BLOCK_U64 - rem };
    size.checked_add(pad).map(|_| pad)
}

/// `n` clamped to a slice length.
fn clamp(n: u64, len: usize) -> usize {
    usize::try_from(n).map_or(len, |n| n.min(len))
}

use crate::tar::{cstr, field};

/// Whether a 512-byte block is a tar header with a valid checksum (unsigned or signed sum, as Go accepts).
pub fn header_checksum_ok(block: &[u8]) -> bool {
    crate::tar::checksum_ok(block)
}

#[cfg(test)]
pub(crate) mod testtar {
    //! A tiny tar builder for tests: ustar headers with correct checksums, PAX and GNU records.

    /// Header fields a test may set.
    #[derive(Clone)]
    pub struct H<'a> {
        pub name: &'a [u8],
        pub prefix: &'a [u8],
        pub typeflag: u8,
        pub size: u64,
        pub link: &'a [u8],
        pub mode: u64,
        pub uid: u64,
        pub gid: u64,
        pub gnu_magic: bool,
    }

    impl Default for H<'_> {
        fn default() -> Self {
            H {
                name: b"",
                prefix: b"",
                typeflag: b'0',
                size: 0,
                link: b"",
                mode: 0o644,
                uid: 0,
                gid: 0,
                gnu_magic: false,
            }
        }
    }

    fn put(block: &mut [u8; 512], at: usize, bytes: &[u8]) {
        block[at..at + bytes.len()].copy_from_slice(bytes);
    }

    fn octal(block: &mut [u8; 512], at: usize, width: usize, value: u64) {
        let text = format!("{:0w$o}\0", value, w = width - 1);
        put(block, at, text.as_bytes());
    }

    /// Recomputes the checksum of a header block.
    pub fn fix_checksum(block: &mut [u8]) {
        block[148..156].fill(b' ');
        let sum: u32 = block[..512].iter().map(|&b| u32::from(b)).sum();
        let text = format!("{sum:06o}\0 ");
        block[148..156].copy_from_slice(text.as_bytes());
    }

    /// One header block.
    pub fn header(h: &H) -> [u8; 512] {
        let mut b = [0u8; 512];
        put(&mut b, 0, h.name);
        octal(&mut b, 100, 8, h.mode);
        octal(&mut b, 108, 8, h.uid);
        octal(&mut b, 116, 8, h.gid);
        octal(&mut b, 124, 12, h.size);
        octal(&mut b, 136, 12, 0);
        b[156] = h.typeflag;
        put(&mut b, 157, h.link);
        if h.gnu_magic {
            put(&mut b, 257, b"ustar  \0");
        } else {
            put(&mut b, 257, b"ustar\0");
            put(&mut b, 263, b"00");
            put(&mut b, 345, h.prefix);
        }
        fix_checksum(&mut b);
        b
    }

    /// PAX record text `"<len> key=value\n"`.
    pub fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
        let body = key.len() + value.len() + 3;
        let mut len = body + 1;
        while (len.to_string().len() + body) != len {
            len += 1;
        }
        let mut out = format!("{len} {key}=").into_bytes();
        out.extend_from_slice(value);
        out.push(b'\n');
        out
    }

    /// Accumulates a tar stream.
    #[derive(Default)]
    pub struct Tar {
        pub out: Vec<u8>,
    }

    impl Tar {
        /// A member with data (`h.size` is set from `data` unless already set).
        pub fn entry(&mut self, h: H, data: &[u8]) -> &mut Self {
            let mut h = h;
            if h.size == 0 {
                h.size = data.len() as u64;
            }
            self.out.extend_from_slice(&header(&h));
            self.data(data)
        }
        /// Data plus padding.
        pub fn data(&mut self, data: &[u8]) -> &mut Self {
            self.out.extend_from_slice(data);
            let pad = (512 - data.len() % 512) % 512;
            self.out.extend(std::iter::repeat_n(0u8, pad));
            self
        }
        /// A regular file.
        pub fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
            self.entry(H { name: name.as_bytes(), ..H::default() }, data)
        }
        /// A directory.
        pub fn dir(&mut self, name: &str) -> &mut Self {
            self.entry(H { name: name.as_bytes(), typeflag: b'5', mode: 0o755, ..H::default() }, b"")
        }
        /// A link of the given typeflag.
        pub fn link(&mut self, name: &str, typeflag: u8, target: &str) -> &mut Self {
            self.entry(H { name: name.as_bytes(), typeflag, link: target.as_bytes(), mode: 0o777, ..H::default() }, b"")
        }
        /// A PAX extended header (`x`) with the given records.
        pub fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Self {
            let body: Vec<u8> = records.iter().flat_map(|(k, v)| pax_record(k, v)).collect();
            self.entry(H { name: b"PaxHeaders/x", typeflag: b'x', ..H::default() }, &body)
        }
        /// A GNU long name (`L`) or long link (`K`) record.
        pub fn gnu(&mut self, typeflag: u8, name: &[u8]) -> &mut Self {
            let mut body = name.to_vec();
            body.push(0);
            self.entry(H { name: b"././@LongLink", typeflag, gnu_magic: true, ..H::default() }, &body)
        }
        /// `n` zero blocks.
        pub fn zeros(&mut self, n: usize) -> &mut Self {
            self.out.extend(std::iter::repeat_n(0u8, 512 * n));
            self
        }
        /// The end-of-archive marker.
        pub fn end(&mut self) -> &mut Self {
            self.zeros(2)
        }
        /// The bytes.
        pub fn bytes(&self) -> Vec<u8> {
            self.out.clone()
        }
    }

    /// Deterministic xorshift PRNG.
    pub struct Rng(pub u64);

    impl Rng {
        /// Next value.
        pub fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
        /// A value below `n` (n > 0).
        pub fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testtar::{H, Rng, Tar, fix_checksum, header};
    use super::*;

    fn walk_chunked(bytes: &[u8], chunk: usize) -> TarFacts {
        let mut w = TarWalker::new(WalkLimits::default());
        for c in bytes.chunks(chunk.max(1)) {
            w.feed(c);
        }
        w.finish()
    }

    fn walk(bytes: &[u8]) -> TarFacts {
        let mut w = TarWalker::default();
        w.feed(bytes);
        w.finish()
    }

    fn has(facts: &TarFacts, pred: impl Fn(&AnomalyKind) -> bool) -> Option<u64> {
        facts.anomalies.iter().find(|a| pred(&a.kind)).map(|a| a.offset)
    }

    #[test]
    fn clean_archive() {
        let bytes =
            Tar::default().dir("etc/").file("etc/passwd", b"root:x:0:0\n").link("etc/l", b'2', "passwd").end().bytes();
        let f = walk(&bytes);
        assert!(f.is_tar);
        assert_eq!(f.entries.len(), 3);
        assert_eq!(f.entries[1].path, "etc/passwd");
        assert_eq!(f.entries[1].size, 11);
        assert_eq!(f.entries[1].offset, 512);
        assert_eq!(f.entries[2].offset, 1536);
        assert_eq!(f.entries[2].entry_type, EntryType::Symlink);
        assert_eq!(f.entries[2].link_target.as_deref(), Some("passwd"));
        assert_eq!(f.end, EndMarker::TwoZeroBlocks);
        assert_eq!(f.end_offset, Some(2048));
        assert_eq!(f.trailing_nonzero, 0);
        assert!(f.anomalies.is_empty(), "{:?}", f.anomalies);
        assert_eq!(f.truncated, None);
        assert_eq!(f.total_size, bytes.len() as u64);
    }

    #[test]
    fn empty_archive_is_tar() {
        let f = walk(&Tar::default().end().zeros(18).bytes());
        assert!(f.is_tar);
        assert!(f.entries.is_empty());
        assert_eq!(f.bytes_after_end, 18 * 512);
        assert_eq!(f.trailing_offset, None);
    }

    #[test]
    fn not_a_tar() {
        let f = walk(&[0x42; 2000]);
        assert!(!f.is_tar);
        assert_eq!(f.stopped_at, Some(0));
        assert_eq!(f.total_size, 2000);
    }

    #[test]
    fn prefix_joins_name() {
        let bytes = Tar::default().entry(H { name: b"file", prefix: b"usr/lib", ..H::default() }, b"x").end().bytes();
        let f = walk(&bytes);
        assert_eq!(f.entries[0].path, "usr/lib/file");
        assert_eq!(f.entries[0].ustar_name, None);
    }

    #[test]
    fn pax_path_overrides_ustar_name() {
        let bytes = Tar::default()
            .pax(&[("path", b"../../etc/passwd"), ("SCHILY.xattr.security.capability", b"\x01\x02"), ("uid", b"4242")])
            .file("innocent", b"data")
            .end()
            .bytes();
        let f = walk(&bytes);
        let e = &f.entries[0];
        assert_eq!(e.path, "../../etc/passwd");
        assert_eq!(e.path_source, NameSource::Pax);
        assert_eq!(e.ustar_name.as_deref(), Some("innocent"));
        assert_eq!(e.offset, 0);
        assert_eq!(e.header_offset, 1024);
        assert_eq!(e.uid, 4242);
        assert_eq!(e.xattrs, vec!["security.capability".to_string()]);
        let off = has(&f, |k| {
            matches!(k, AnomalyKind::NameDisagreement { field: NameField::Path, source: NameSource::Pax, long, ustar, ustar_is_truncation: false }
                if long == "../../etc/passwd" && ustar == "innocent")
        });
        assert_eq!(off, Some(0));
    }

    #[test]
    fn pax_linkpath_and_size_conflict() {
        let bytes = Tar::default()
            .pax(&[("linkpath", b"/etc/shadow"), ("size", b"3")])
            .entry(H { name: b"f", size: 700, ..H::default() }, b"")
            .data(b"abc")
            .file("next", b"")
            .end()
            .bytes();
        let f = walk(&bytes);
        assert_eq!(f.entries.len(), 2, "{f:?}");
        assert_eq!(f.entries[0].size, 3);
        assert_eq!(f.entries[0].link_target.as_deref(), Some("/etc/shadow"));
        assert_eq!(f.entries[1].path, "next");
        assert_eq!(has(&f, |k| *k == AnomalyKind::PaxSizeConflict { header: 700, pax: 3 }), Some(0));
    }

    #[test]
    fn gnu_long_name_and_link() {
        let long = "d/".repeat(80) + "file";
        let bytes = Tar::default()
            .gnu(b'L', long.as_bytes())
            .gnu(b'K', b"target/of/link")
            .entry(
                H { name: &long.as_bytes()[..100], typeflag: b'1', link: b"target", gnu_magic: true, ..H::default() },
                b"",
            )
            .end()
            .bytes();
        let f = walk(&bytes);
        let e = &f.entries[0];
        assert_eq!(e.path, long);
        assert_eq!(e.path_source, NameSource::GnuLong);
        assert_eq!(e.entry_type, EntryType::HardLink);
        assert_eq!(e.link_target.as_deref(), Some("target/of/link"));
        assert_eq!(e.offset, 0);
        assert_eq!(e.header_offset, 2048);
        // The ustar name is a prefix of the long name: recorded, flagged as truncation.
        assert!(
            has(&f, |k| matches!(
                k,
                AnomalyKind::NameDisagreement { field: NameField::Path, ustar_is_truncation: true, .. }
            ))
            .is_some()
        );
        assert!(
            has(&f, |k| matches!(
                k,
                AnomalyKind::NameDisagreement {
                    field: NameField::LinkTarget,
                    source: NameSource::GnuLong,
                    ustar_is_truncation: true,
                    ..
                }
            ))
            .is_some()
        );
    }

    #[test]
    fn gnu_long_name_disagreeing() {
        let bytes = Tar::default().gnu(b'L', b"evil/../../x").file("benign", b"").end().bytes();
        let f = walk(&bytes);
        assert_eq!(f.entries[0].path, "evil/../../x");
        assert_eq!(f.entries[0].ustar_name.as_deref(), Some("benign"));
        assert!(
            has(&f, |k| matches!(
                k,
                AnomalyKind::NameDisagreement { source: NameSource::GnuLong, ustar_is_truncation: false, .. }
            ))
            .is_some()
        );
    }

    #[test]
    fn member_after_single_zero_block() {
        let bytes = Tar::default().file("a", b"1").zeros(1).file("hidden", b"2").end().bytes();
        let f = walk(&bytes);
        assert_eq!(f.after_single_zero, Some(AfterSingleZero { offset: 1536, valid_header: true }));
        assert_eq!(f.entries.len(), 2);
        assert_eq!(f.entries[1].path, "hidden");
        assert_eq!(f.entries[1].offset, 1536);
        assert_eq!(f.end, EndMarker::TwoZeroBlocks);
        assert_eq!(f.end_offset, Some(2560));
    }

    #[test]
    fn missing_end_marker() {
        let bytes = Tar::default().file("a", b"1").file("b", b"").bytes();
        let f = walk(&bytes);
        assert_eq!(f.end, EndMarker::Missing);
        assert_eq!(f.end_offset, None);
        assert_eq!(f.truncated, None);
        assert_eq!(f.entries.len(), 2);
    }

    #[test]
    fn single_zero_block_end() {
        let bytes = Tar::default().file("a", b"1").zeros(1).bytes();
        let f = walk(&bytes);
        assert_eq!(f.end, EndMarker::OneZeroBlock);
        assert_eq!(f.end_offset, Some(1024));
    }

    #[test]
    fn trailing_data_after_end() {
        let mut bytes = Tar::default().file("a", b"1").end().bytes();
        bytes.extend_from_slice(&[0; 100]);
        bytes.extend_from_slice(b"hidden payload");
        let f = walk(&bytes);
        assert_eq!(f.end, EndMarker::TwoZeroBlocks);
        assert_eq!(f.end_offset, Some(1024));
        assert_eq!(f.trailing_offset, Some(2048 + 100));
        assert_eq!(f.trailing_nonzero, 14);
        assert_eq!(f.bytes_after_end, 114);
        assert_eq!(f.entries.len(), 1);
    }

    #[test]
    fn bad_checksum_stops() {
        let mut bytes = Tar::default().file("a", b"1").file("b", b"2").file("c", b"3").end().bytes();
        bytes[1024 + 10] ^= 0x55; // corrupt b's name without fixing the checksum
        let f = walk(&bytes);
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.stopped_at, Some(1024));
        assert_eq!(has(&f, |k| *k == AnomalyKind::BadChecksum), Some(1024));
        assert_eq!(f.end, EndMarker::Missing);
        assert!(f.is_tar);
        assert_eq!(f.total_size, bytes.len() as u64);
    }

    #[test]
    fn truncated_in_data_header_and_padding() {
        let full = Tar::default().file("a", &[7; 1000]).end().bytes();
        let f = walk(&full[..700]);
        assert_eq!(f.truncated, Some(Truncation { entry_offset: 0, within: TruncatedIn::Data, missing: 836 }));
        let f = walk(&full[..1520]);
        assert_eq!(f.truncated, Some(Truncation { entry_offset: 0, within: TruncatedIn::Padding, missing: 16 }));
        let f = walk(&full[..300]);
        assert_eq!(f.truncated, Some(Truncation { entry_offset: 0, within: TruncatedIn::Header, missing: 212 }));
        let pax = Tar::default().pax(&[("path", b"x")]).file("y", b"").bytes();
        let f = walk(&pax[..520]);
        assert_eq!(f.truncated.map(|t| t.within), Some(TruncatedIn::Extension));
        assert!(has(&f, |k| *k == AnomalyKind::ExtensionWithoutEntry).is_some());
    }

    #[test]
    fn base256_and_negative_sizes() {
        let mut block = header(&H { name: b"big", ..H::default() });
        block[124..136].fill(0);
        block[124] = 0x80;
        block[135] = 5;
        fix_checksum(&mut block);
        let mut bytes = block.to_vec();
        bytes.extend_from_slice(&[1, 2, 3, 4, 5]);
        bytes.extend(std::iter::repeat_n(0u8, 507 + 1024));
        let f = walk(&bytes);
        assert_eq!(f.entries[0].size, 5);
        assert_eq!(has(&f, |k| *k == AnomalyKind::Base256 { field: NumField::Size }), Some(0));
        assert_eq!(f.end, EndMarker::TwoZeroBlocks);

        // -1 in base-256: Go reads it and refuses a regular file with a negative size.
        block[124..136].fill(0xff);
        fix_checksum(&mut block);
        let f = walk(&block);
        assert_eq!(f.stopped_at, Some(0));
        assert_eq!(f.go_refusal.as_ref().map(|r| r.reason), Some(GoReason::BadHeader));
        assert!(
            has(&f, |k| *k == AnomalyKind::BadNumber { field: NumField::Size, problem: NumProblem::Negative })
                .is_some()
        );

        block[124..136].fill(0);
        block[124] = 0x80;
        block[128..136].fill(0xff);
        fix_checksum(&mut block);
        let f = walk(&block);
        assert!(
            has(&f, |k| *k == AnomalyKind::BadNumber { field: NumField::Size, problem: NumProblem::Overflow })
                .is_some()
        );
    }

    #[test]
    fn non_utf8_and_header_only_size() {
        let bytes = Tar::default()
            .entry(H { name: b"caf\xe9", ..H::default() }, b"")
            .entry(H { name: b"d", typeflag: b'5', size: 512, ..H::default() }, b"")
            .file("after", b"")
            .end()
            .bytes();
        let f = walk(&bytes);
        assert!(f.entries[0].non_utf8);
        assert_eq!(f.entries[0].path, "caf\u{fffd}");
        assert!(has(&f, |k| *k == AnomalyKind::NonUtf8Path).is_some());
        // Go skips no data for a directory: the next header follows directly.
        assert_eq!(f.entries[2].path, "after");
        assert_eq!(has(&f, |k| *k == AnomalyKind::HeaderOnlyTypeWithSize { size: 512 }), Some(512));
    }

    #[test]
    fn oversized_extension_is_skipped() {
        let limits = WalkLimits { max_extension_size: 64, ..WalkLimits::default() };
        let bytes = Tar::default().pax(&[("path", "p".repeat(200).as_bytes())]).file("short", b"").end().bytes();
        let mut w = TarWalker::new(limits);
        w.feed(&bytes);
        let f = w.finish();
        assert_eq!(f.entries[0].path, "short");
        assert_eq!(f.entries[0].offset, 0);
        assert!(has(&f, |k| matches!(k, AnomalyKind::ExtensionTooLarge { typeflag: b'x', .. })).is_some());
    }

    #[test]
    fn malformed_pax_and_global() {
        let mut t = Tar::default();
        t.entry(H { name: b"g", typeflag: b'g', ..H::default() }, b"21 comment=abcdefabc\n");
        t.entry(H { name: b"x", typeflag: b'x', ..H::default() }, b"99 path=x\n");
        t.file("f", b"").end();
        let f = walk(&t.bytes());
        assert_eq!(has(&f, |k| *k == AnomalyKind::GlobalPaxHeader), Some(0));
        assert_eq!(has(&f, |k| matches!(k, AnomalyKind::PaxMalformed { .. })), Some(1024));
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.entries[0].path, "f");
        assert_eq!(f.entries[0].offset, 1024);
    }

    #[test]
    fn long_names_are_capped() {
        let limits = WalkLimits { max_name_len: 10, ..WalkLimits::default() };
        let bytes = Tar::default().pax(&[("path", b"abcdefghijklmnop")]).file("x", b"").end().bytes();
        let mut w = TarWalker::new(limits);
        w.feed(&bytes);
        let f = w.finish();
        assert_eq!(f.entries[0].path, "abcdefghij");
        assert!(f.entries[0].path_truncated);
        assert!(has(&f, |k| *k == AnomalyKind::NameTooLong { field: NameField::Path, len: 16 }).is_some());
    }

    #[test]
    fn entries_are_capped() {
        let mut t = Tar::default();
        for i in 0..10 {
            t.file(&format!("f{i}"), b"x");
        }
        let mut w = TarWalker::new(WalkLimits { max_entries: 3, ..WalkLimits::default() });
        w.feed(&t.end().bytes());
        let f = w.finish();
        assert_eq!(f.entries.len(), 3);
        assert_eq!(f.entry_count, 10);
        assert!(f.entries_capped);
    }

    fn sample() -> Vec<u8> {
        let long = "x/".repeat(70) + "end";
        let mut bytes = Tar::default()
            .dir("a/")
            .pax(&[("path", b"a/pax-name"), ("size", b"600")])
            .entry(H { name: b"a/ustar", size: 600, ..H::default() }, &[9; 600])
            .gnu(b'L', long.as_bytes())
            .file("short", b"hello")
            .entry(H { name: b"dev", typeflag: b'3', ..H::default() }, b"")
            .zeros(1)
            .file("after-zero", &[1; 1025])
            .end()
            .bytes();
        bytes.extend_from_slice(b"trailing");
        bytes
    }

    #[test]
    fn chunking_invariance() {
        let bytes = sample();
        let whole = walk(&bytes);
        assert_eq!(whole.entries.len(), 5);
        assert!(whole.after_single_zero.is_some());
        assert_eq!(whole.trailing_nonzero, 8);
        for chunk in [1, 7, 511, 512, 513, 4096] {
            assert_eq!(walk_chunked(&bytes, chunk), whole, "chunk {chunk}");
        }
        let mut rng = Rng(0x1234_5678);
        for _ in 0..50 {
            let mut w = TarWalker::default();
            let mut rest: &[u8] = &bytes;
            while !rest.is_empty() {
                let n = (rng.below(1500) as usize + 1).min(rest.len());
                let (head, tail) = rest.split_at(n);
                w.feed(head);
                w.feed(&[]);
                rest = tail;
            }
            assert_eq!(w.finish(), whole);
        }
        // Truncations are chunking-invariant too.
        for cut in [100, 1000, 1600, 2500] {
            assert_eq!(walk_chunked(&bytes[..cut], 1), walk(&bytes[..cut]), "cut {cut}");
        }
    }

    #[test]
    fn random_flips_never_panic_and_stay_bounded() {
        let base = sample();
        let limits = WalkLimits { max_entries: 8, max_anomalies: 16, ..WalkLimits::default() };
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..2000 {
            let mut bytes = base.clone();
            let flips = 1 + rng.below(16);
            for _ in 0..flips {
                let i = rng.below(bytes.len() as u64) as usize;
                bytes[i] ^= 1 << rng.below(8);
                if rng.below(4) == 0 {
                    // Keep the header valid sometimes, so corruption reaches the field parsers.
                    let start = i / 512 * 512;
                    if start + 512 <= bytes.len() {
                        fix_checksum(&mut bytes[start..start + 512]);
                    }
                }
            }
            if round % 3 == 0 {
                bytes.truncate(rng.below(bytes.len() as u64) as usize);
            }
            let mut w = TarWalker::new(limits);
            for c in bytes.chunks(1 + rng.below(700) as usize) {
                w.feed(c);
            }
            let f = w.finish();
            assert!(f.entries.len() <= 8);
            assert!(f.anomalies.len() <= 16);
            assert_eq!(f.total_size, bytes.len() as u64);
        }
    }

    #[test]
    fn compact_walk_keeps_only_disagreeing_names() {
        let long = "d/".repeat(60) + "file";
        let bytes = Tar::default()
            .pax(&[("path", long.as_bytes())])
            .entry(H { name: &long.as_bytes()[..100], ..H::default() }, b"")
            .pax(&[("path", b"etc/cron.d/evil")])
            .file("usr/share/doc/readme", b"")
            .file("last", b"")
            .end()
            .bytes();
        let mut w = TarWalker::new(WalkLimits { keep_all_entries: false, ..WalkLimits::default() });
        w.feed(&bytes);
        let f = w.finish();
        // The writer's truncated ustar name is benign; the unrelated one is kept for LT019.
        let kept: Vec<&str> = f.entries.iter().map(|e| e.path.as_str()).collect();
        assert!(!kept.contains(&"last"), "{kept:?}");
        let evil = f.entries.iter().find(|e| e.path == "etc/cron.d/evil").expect("kept");
        assert_eq!(evil.other_names[0].reader, NameReader::Ustar);
        assert!(evil.readers_disagree());
        let long_entry = f.entries.iter().find(|e| e.path == long).expect("kept as LT014 evidence");
        assert!(!long_entry.readers_disagree());
    }

    #[test]
    fn checksum_helper() {
        let block = header(&H { name: b"x", ..H::default() });
        assert!(header_checksum_ok(&block));
        assert!(!header_checksum_ok(&block[..511]));
        assert!(!header_checksum_ok(&[0; 512]));
    }
}
