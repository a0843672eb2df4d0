//! Fuzz target: CNEMC real-time release rows (`realtime::parse_realtime`). No input may panic; an error names the
//! file (and the checks of `common.rs` hold for what is accepted).
#![no_main]

#[path = "common.rs"]
mod common;
#[allow(unused_imports)]
use common::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match lantian_ingest::realtime::parse_realtime(path(), &text(data)) {
        Ok(w) => wide(&w),
        Err(e) => named(&e),
    }
});
