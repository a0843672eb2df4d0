//! Bytes to text: gzip detection by magic number, UTF-8 (with or without BOM) or GB18030.
//!
//! Reading is bounded (issue 12 §5, decompression bombs): a file or upload is read up to
//! [`ReadLimits::max_input`] bytes as it arrives, and gzip content is inflated as a stream that stops one
//! byte past [`ReadLimits::max_content`], so a 3 MB gzip that would expand to 3 GiB costs at most the limit
//! in memory and is rejected with an error naming the file and the limit. The limits are configuration
//! (`lantian import --max-input/--max-decompressed`, `LANTIAN_MAX_INPUT`/`LANTIAN_MAX_DECOMPRESSED`;
//! the web server's `--max-upload`/`--max-upload-decompressed`), documented in `docs/formats.md` §0.

use std::io::Read;
use std::path::Path;

use crate::error::IngestError;

/// How much a reader may take in: the bytes of the file as stored or sent (`max_input`, compressed or
/// not) and the bytes of its content after decompression (`max_content`; a plain file is its own
/// content). OWASP ASVS 12.1.1/12.1.2: limits on size and on decompressed size of untrusted files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadLimits {
    pub max_input: u64,
    pub max_content: u64,
}

/// The words every limit error carries, so that callers (the web upload: 413) can tell them apart.
pub const LIMIT_EXCEEDED: &str = "exceeds the limit of";

/// One GiB: the command line's default for both limits. The largest real inputs are far below it (a
/// national daily wide file is ~4 MB, a year of a province's city-days ~1 MB); a bomb stops there.
pub const GIB: u64 = 1 << 30;
/// One MiB.
pub const MIB: u64 = 1 << 20;

impl ReadLimits {
    /// The command line's defaults: 1 GiB read, 1 GiB after decompression.
    pub const CLI: ReadLimits = ReadLimits { max_input: GIB, max_content: GIB };
    /// The web upload's defaults: 64 MiB sent, 256 MiB after decompression (a day's national wide file
    /// is ~4 MB, ~1 MB gzipped; uploads run concurrently on a shared server, so the bound is lower).
    pub const WEB: ReadLimits = ReadLimits { max_input: 64 * MIB, max_content: 256 * MIB };

    /// The command line's limits: `LANTIAN_MAX_INPUT` and `LANTIAN_MAX_DECOMPRESSED` when set (sizes such
    /// as `512MiB`, `2GiB`, `1000000`), else [`ReadLimits::CLI`].
    pub fn from_env() -> Result<ReadLimits, String> {
        let get = |var: &str, default: u64| match std::env::var(var) {
            Ok(v) => parse_size(&v).map_err(|e| format!("{var}={v:?}: {e}")),
            Err(_) => Ok(default),
        };
        Ok(ReadLimits {
            max_input: get("LANTIAN_MAX_INPUT", ReadLimits::CLI.max_input)?,
            max_content: get("LANTIAN_MAX_DECOMPRESSED", ReadLimits::CLI.max_content)?,
        })
    }
}

impl Default for ReadLimits {
    fn default() -> ReadLimits {
        ReadLimits::CLI
    }
}

/// Parses a size: bytes (`1048576`) or a number with a unit `K`/`KiB`, `M`/`MiB`, `G`/`GiB` (binary
/// units; `B` optional; case-insensitive). Zero is refused (a limit of nothing reads nothing).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("not a size: {s:?} (e.g. 64MiB, 1GiB, 1048576)"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => MIB,
        "g" | "gb" | "gib" => GIB,
        other => return Err(format!("unknown unit {other:?} in {s:?} (K, M or G, binary)")),
    };
    match n.checked_mul(mult) {
        Some(0) => Err(format!("a limit of 0 bytes reads nothing: {s:?}")),
        Some(v) => Ok(v),
        None => Err(format!("too large: {s:?}")),
    }
}

/// A size for people: `1 GiB`, `256 MiB`, `12 KiB` when exact, else bytes.
pub fn fmt_size(n: u64) -> String {
    for (unit, name) in [(GIB, "GiB"), (MIB, "MiB"), (1 << 10, "KiB")] {
        if n >= unit && n / unit * unit == n {
            return format!("{} {name}", n / unit);
        }
    }
    format!("{n} bytes")
}

/// Text encodings seen in real files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
}

/// Reads a file, transparently decompressing gzip (detected by its magic number, not its name), within
/// the command line's default limits ([`ReadLimits::CLI`]).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, IngestError> {
    read_bytes_limited(path, &ReadLimits::CLI)
}

/// Reads a file and decompresses it within `limits`.
pub fn read_bytes_limited(path: &Path, limits: &ReadLimits) -> Result<Vec<u8>, IngestError> {
    decompress_limited(path, read_raw(path, limits)?, limits)
}

/// Reads a file's bytes as stored (not decompressed), refusing a file larger than `limits.max_input`
/// before reading it, and reading at most one byte more than the limit (a file that grows meanwhile).
pub fn read_raw(path: &Path, limits: &ReadLimits) -> Result<Vec<u8>, IngestError> {
    let cannot = |e: std::io::Error| IngestError::file(path, format!("cannot read: {e}"));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let len = file.metadata().map_err(cannot)?.len();
    if len > limits.max_input {
        return Err(input_too_large(path, limits));
    }
    let mut raw = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limits.max_input.saturating_add(1)).read_to_end(&mut raw).map_err(cannot)?;
    if raw.len() as u64 > limits.max_input {
        return Err(input_too_large(path, limits));
    }
    Ok(raw)
}

fn input_too_large(path: &Path, limits: &ReadLimits) -> IngestError {
    IngestError::file(
        path,
        format!(
            "the file {LIMIT_EXCEEDED} {} (--max-input, LANTIAN_MAX_INPUT; uploads: --max-upload)",
            fmt_size(limits.max_input)
        ),
    )
}

/// Decompresses gzip content within the command line's default limits; other content is returned as
/// it is.
pub fn decompress(path: &Path, raw: Vec<u8>) -> Result<Vec<u8>, IngestError> {
    decompress_limited(path, raw, &ReadLimits::CLI)
}

/// Decompresses gzip content (every member of a multi-member file) as a stream that stops one byte past
/// `limits.max_content`: a bomb is rejected after inflating at most the limit, never expanded whole.
/// Content that is not gzip is returned as it is, within the same limit.
pub fn decompress_limited(path: &Path, raw: Vec<u8>, limits: &ReadLimits) -> Result<Vec<u8>, IngestError> {
    if raw.len() as u64 > limits.max_input {
        return Err(input_too_large(path, limits));
    }
    let too_large = || {
        IngestError::file(
            path,
            format!(
                "the decompressed content {LIMIT_EXCEEDED} {} (--max-decompressed, LANTIAN_MAX_DECOMPRESSED; \
                 uploads: --max-upload-decompressed)",
                fmt_size(limits.max_content)
            ),
        )
    };
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return if raw.len() as u64 > limits.max_content { Err(too_large()) } else { Ok(raw) };
    }
    // A first guess of the size, never beyond the limit: real files inflate 4–10 times.
    let guess = (raw.len() as u64).saturating_mul(4);
    match inflate(&raw[..], guess, limits.max_content) {
        Ok(Some(out)) => Ok(out),
        Ok(None) => Err(too_large()),
        Err(e) if e.kind() == std::io::ErrorKind::OutOfMemory => Err(IngestError::file(
            path,
            format!(
                "cannot decompress: out of memory (lower --max-decompressed, now {})",
                fmt_size(limits.max_content)
            ),
        )),
        Err(e) => Err(IngestError::file(path, format!("not a valid gzip file: {e}"))),
    }
}

/// Inflates gzip from `compressed`, reading only as much of it as yields `max + 1` bytes: `None` when the
/// content is larger than `max`.
fn inflate(compressed: impl Read, guess: u64, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut out = Vec::with_capacity(usize::try_from(guess.min(max)).unwrap_or(0));
    flate2::read::MultiGzDecoder::new(compressed).take(max.saturating_add(1)).read_to_end(&mut out)?;
    Ok((out.len() as u64 <= max).then_some(out))
}

/// Whether an error is a size limit of this module (for a 413 answer).
pub fn is_limit_error(e: &IngestError) -> bool {
    e.line.is_none() && e.message.contains(LIMIT_EXCEEDED)
}

/// Whether a character can forge or hide lines or text when shown: C0 and C1 controls (CR, LF, ESC …,
/// DEL), the Unicode line and paragraph separators and the bidirectional embedding, override and isolate
/// marks (issue 12 §14: an upload's name with CR/LF forged lines in `user audit`).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for display with every [`is_unsafe_char`] escaped (`\n`, `\r`, `\t`, else `\u{…}`) and `\` doubled,
/// so that the escaped text is unambiguous and stays on one line.
pub fn escape_control(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The 1-based line of byte `offset` of a file (the number of line feeds before it, plus one).
pub fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count()
}

/// An error at a byte of a file: its line and its 0-based byte offset (of the decompressed file).
fn at_byte(path: &Path, bytes: &[u8], offset: usize, what: &str) -> IngestError {
    IngestError::at(path, line_of(bytes, offset), format!("{what} at byte offset {offset}"))
}

/// Rejects a byte-order mark anywhere but at the very start of a file (`bytes` is the whole file):
/// files concatenated, or a tool that writes one per row. Left in, it becomes part of a name
/// (`\u{feff}1003A`, `\u{feff}省林草局`) and creates phantom stations, cities and departments.
pub fn reject_inner_bom(path: &Path, bytes: &[u8]) -> Result<(), IngestError> {
    let skip = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    match memchr::memmem::find(&bytes[skip..], BOM) {
        Some(i) => Err(inner_bom(path, bytes, skip + i)),
        None => Ok(()),
    }
}

fn inner_bom(path: &Path, bytes: &[u8], offset: usize) -> IngestError {
    at_byte(
        path,
        bytes,
        offset,
        "a byte-order mark (U+FEFF) inside the file (files concatenated?); it would become part of a name: \
         remove it",
    )
}

/// Decodes a whole file's text: UTF-8 (a BOM at the start is dropped) when valid, else GB18030.
/// Rejected, naming the line and the byte offset: a NUL byte (binary content), a byte-order mark
/// inside the file ([`reject_inner_bom`]), and bytes that are neither encoding. A file that is
/// UTF-8 but for a damaged byte — more valid multi-byte UTF-8 characters than twice its invalid
/// sequences (a GB18030 file holds about one accidental UTF-8 sequence for five invalid ones: the
/// national station list 7,596 against 38,195) — is a UTF-8 error at that byte, never re-read as
/// GB18030, which would turn its names into mojibake.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<(String, Encoding), IngestError> {
    let skip = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    let body = &bytes[skip..];
    if let Some(i) = memchr::memchr(0, body) {
        return Err(at_byte(path, bytes, skip + i, "not a text file (binary content): a NUL byte"));
    }
    match std::str::from_utf8(body) {
        Ok(s) => {
            if let Some(i) = s.find('\u{feff}') {
                return Err(inner_bom(path, bytes, skip + i));
            }
            Ok((s.to_string(), Encoding::Utf8))
        }
        Err(e) => {
            let (mut multi, mut invalid) = (0usize, 0usize);
            for chunk in body.utf8_chunks() {
                multi += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
                invalid += usize::from(!chunk.invalid().is_empty());
            }
            if multi >= 2 * invalid {
                return Err(at_byte(
                    path,
                    bytes,
                    skip + e.valid_up_to(),
                    "invalid UTF-8: a damaged byte in a UTF-8 text",
                ));
            }
            let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
            let mut text = String::with_capacity(body.len() * 3 / 2 + 16);
            let mut read = 0usize;
            loop {
                let (result, n) = decoder.decode_to_string_without_replacement(&body[read..], &mut text, true);
                read += n;
                match result {
                    encoding_rs::DecoderResult::InputEmpty => break,
                    encoding_rs::DecoderResult::OutputFull => {
                        text.reserve(body.len() - read + 16);
                    }
                    encoding_rs::DecoderResult::Malformed(bad, unread) => {
                        let at = skip + read - usize::from(bad) - usize::from(unread);
                        return Err(at_byte(path, bytes, at, "not a text file: neither UTF-8 nor GB18030"));
                    }
                }
            }
            // GB18030 has its own byte-order mark (0x84 0x31 0x95 0x33): allowed at the start only.
            let lead = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
            if let Some(i) = text[lead..].find('\u{feff}') {
                // The mark's offset in the file: the length of the text before it, encoded again.
                let (before, _, _) = encoding_rs::GB18030.encode(&text[..lead + i]);
                return Err(inner_bom(path, bytes, skip + before.len()));
            }
            if lead > 0 {
                text.drain(..lead);
            }
            Ok((text, Encoding::Gb18030))
        }
    }
}

#[cfg(test)]
mod limit_tests {
    use std::io::Write;

    use super::*;

    /// A gzip bomb: `members` gzip members of 1 MiB of zeros each (about 1 kB each compressed), read by
    /// the multi-member decoder as one content of `members` MiB.
    pub(crate) fn bomb(members: usize) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![0u8; MIB as usize]).expect("compress");
        let one = e.finish().expect("gzip");
        one.repeat(members)
    }

    /// Counts the compressed bytes the decoder pulls.
    struct Counting<'a>(&'a [u8], usize);
    impl Read for Counting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1 += n;
            Ok(n)
        }
    }

    /// Issue 12 §5: a 3 GiB bomb (3 MB of gzip) against an 8 MiB limit: the decoder stops after
    /// limit + 1 bytes of content, having read only the first few members of the input (about 1 kB of
    /// gzip per MiB, so ~9 kB plus the decoder's 32 kB buffer), and keeps at most twice the limit.
    #[test]
    fn a_bomb_is_inflated_only_up_to_the_limit() {
        let raw = bomb(3072);
        assert!(raw.len() < 4 * MIB as usize, "{}", raw.len());
        let mut src = Counting(&raw, 0);
        let out = inflate(&mut src, 0, 8 * MIB).expect("valid gzip");
        assert!(out.is_none());
        assert!(src.1 < 64 * 1024, "read {} bytes of {} of the input", src.1, raw.len());
        // Within the limit it is read whole.
        let mut src = Counting(&raw[..raw.len() / 3072 * 4], 0);
        let out = inflate(&mut src, 0, 8 * MIB).expect("valid gzip").expect("within the limit");
        assert_eq!(out.len(), 4 * MIB as usize);
        assert!(out.capacity() <= 2 * (8 * MIB as usize + 1));
    }

    /// The error names the file and the limit, for gzip, plain content and the input size.
    #[test]
    fn limit_errors_name_the_file_and_the_limit() {
        let p = Path::new("bomb.csv.gz");
        let limits = ReadLimits { max_input: 4 * MIB, max_content: 8 * MIB };
        let e = decompress_limited(p, bomb(9), &limits).expect_err("9 MiB > 8 MiB");
        assert_eq!(
            e.to_string(),
            "bomb.csv.gz: the decompressed content exceeds the limit of 8 MiB (--max-decompressed, \
             LANTIAN_MAX_DECOMPRESSED; uploads: --max-upload-decompressed)"
        );
        assert!(is_limit_error(&e));
        assert_eq!(decompress_limited(p, bomb(8), &limits).map(|v| v.len()), Ok(8 * MIB as usize));
        let plain = ReadLimits { max_input: 100, max_content: 10 };
        let e = decompress_limited(Path::new("a.csv"), vec![b'x'; 11], &plain).expect_err("11 > 10");
        assert!(e.to_string().starts_with("a.csv: the decompressed content exceeds the limit of 10 bytes"), "{e}");
        let e = decompress_limited(Path::new("a.csv"), vec![b'x'; 101], &plain).expect_err("101 > 100");
        assert!(e.to_string().starts_with("a.csv: the file exceeds the limit of 100 bytes"), "{e}");
        assert!(is_limit_error(&e));
        assert!(!is_limit_error(&IngestError::file(p, "not a valid gzip file")));
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_control("a.csv\r\n2026-01-01 admin upload ok"), "a.csv\\r\\n2026-01-01 admin upload ok");
        assert_eq!(
            escape_control("成都\t\u{1b}[31m\u{7f}\u{85}\u{2028}\u{202e}x"),
            "成都\\t\\u{1b}[31m\\u{7f}\\u{85}\\u{2028}\\u{202e}x"
        );
        assert_eq!(escape_control("a\\nb"), "a\\\\nb");
        assert_eq!(escape_control("普通 name-1.csv"), "普通 name-1.csv");
    }

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!(parse_size("1GiB"), Ok(GIB));
        assert_eq!(parse_size("256MiB"), Ok(256 * MIB));
        assert_eq!(parse_size(" 64 m "), Ok(64 * MIB));
        assert_eq!(parse_size("12k"), Ok(12 * 1024));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("1TB").is_err());
        assert!(parse_size("GiB").is_err());
        assert!(parse_size("99999999999999G").is_err());
        assert_eq!(fmt_size(GIB), "1 GiB");
        assert_eq!(fmt_size(256 * MIB), "256 MiB");
        assert_eq!(fmt_size(1000), "1000 bytes");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GB18030's own byte-order mark (0x84 0x31 0x95 0x33) is dropped at the start and rejected inside,
    /// with its line and byte offset; `成都` is 0xB3 0xC9 0xB6 0xBC.
    #[test]
    fn gb18030_byte_order_marks() {
        let p = Path::new("gb.csv");
        let text = decode(p, b"\x841\x953a,\xb3\xc9\xb6\xbc\n").expect("a leading GB18030 mark");
        assert_eq!(text, ("a,成都\n".to_string(), Encoding::Gb18030));
        let e = decode(p, b"a,\xb3\xc9\xb6\xbc\n\x841\x953b\n").expect_err("an inner mark");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("byte offset 7"), "{e}");
    }
}
