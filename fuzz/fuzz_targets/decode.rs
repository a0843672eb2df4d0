//! Fuzz target: Bytes to text: UTF-8 or GB18030, NULs, inner byte-order marks (`text::decode`). No input may panic;
//! an error names the file (and the checks of `common.rs` hold for what is accepted).
#![no_main]

#[path = "common.rs"]
mod common;
#[allow(unused_imports)]
use common::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = lantian_ingest::text::decode(path(), data) {
        named(&e);
    }
});
