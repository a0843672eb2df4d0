//! Bytes to text: gzip detection by magic number, UTF-8 (with or without BOM) or GB18030.

use std::io::Read;
use std::path::Path;

use crate::error::IngestError;

/// Text encodings seen in real files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
}

/// Reads a file, transparently decompressing gzip (detected by its magic number, not its name).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, IngestError> {
    let raw = std::fs::read(path).map_err(|e| IngestError::file(path, format!("cannot read: {e}")))?;
    decompress(path, raw)
}

/// Decompresses gzip content; other content is returned as it is.
pub fn decompress(path: &Path, raw: Vec<u8>) -> Result<Vec<u8>, IngestError> {
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(raw.len() * 4);
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| IngestError::file(path, format!("not a valid gzip file: {e}")))?;
        Ok(out)
    } else {
        Ok(raw)
    }
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
