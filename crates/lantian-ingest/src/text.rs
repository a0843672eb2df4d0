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

/// Decodes text: UTF-8 (a BOM is dropped) when valid, else GB18030; content that is neither, or that
/// holds NUL bytes, is not text.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<(String, Encoding), IngestError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.contains(&0) {
        return Err(IngestError::file(path, "not a text file (binary content)"));
    }
    match std::str::from_utf8(body) {
        Ok(s) => Ok((s.to_string(), Encoding::Utf8)),
        Err(_) => {
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(body);
            if had_errors {
                Err(IngestError::file(path, "not a text file: neither UTF-8 nor GB18030"))
            } else {
                Ok((text.into_owned(), Encoding::Gb18030))
            }
        }
    }
}
