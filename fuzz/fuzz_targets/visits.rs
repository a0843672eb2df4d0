//! Fuzz target: Pairing visits (`emergency::parse_visits`). No input may panic; an error names the file (and the
//! checks of `common.rs` hold for what is accepted).
#![no_main]

#[path = "common.rs"]
mod common;
#[allow(unused_imports)]
use common::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    named_err(lantian_ingest::emergency::parse_visits(path(), &text(data)));
});
