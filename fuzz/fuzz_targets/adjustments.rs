//! Fuzz target: Bonus/penalty items (`events::parse_adjustments`). No input may panic; an error names the file (and
//! the checks of `common.rs` hold for what is accepted).
#![no_main]

#[path = "common.rs"]
mod common;
#[allow(unused_imports)]
use common::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    named_err(lantian_ingest::events::parse_adjustments(path(), &text(data)));
});
