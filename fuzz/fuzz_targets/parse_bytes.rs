//! Fuzz target: Detection and every reader: `lantian_service::datasets::parse_bytes`, the importer's entry point for
//! decompressed bytes. No input may panic; an error names the file (and the checks of `common.rs` hold for what is
//! accepted).
#![no_main]

#[path = "common.rs"]
mod common;
#[allow(unused_imports)]
use common::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let r = lantian_service::datasets::parse_bytes(path(), data);
    check(&r);
});
