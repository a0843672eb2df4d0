//! Fuzz target: CNEMC / quotsoft wide files (`cnemc::parse_wide`, on bytes). No input may panic; an error names the
//! file (and the checks of `common.rs` hold for what is accepted).
#![no_main]

#[path = "common.rs"]
mod common;
#[allow(unused_imports)]
use common::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match lantian_ingest::cnemc::parse_wide(path(), data) {
        Ok(w) => wide(&w),
        Err(e) => named(&e),
    }
});
