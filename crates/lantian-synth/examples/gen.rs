//! Generates a synthetic data set and reports the time taken.
//!
//! `cargo run --release -p lantian-synth --example gen -- OUT_DIR [STATIONS] [DAYS] [SEED] [--gzip]`

use std::time::Instant;

use lantian_synth::{generate, SynthOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let gzip = args.iter().any(|a| a == "--gzip");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let Some(out) = pos.first() else {
        eprintln!("usage: gen OUT_DIR [STATIONS] [DAYS] [SEED] [--gzip]");
        std::process::exit(2);
    };
    let mut opts = SynthOptions { gzip, ..SynthOptions::default() };
    if let Some(n) = pos.get(1) {
        opts.stations = Some(n.parse()?);
    }
    if let Some(d) = pos.get(2) {
        opts.days = d.parse()?;
    }
    if let Some(s) = pos.get(3) {
        opts.seed = s.parse()?;
    }
    let t0 = Instant::now();
    let summary = generate(&opts, std::path::Path::new(out.as_str()), &mut |_, _| {})?;
    let dt = t0.elapsed();
    println!("{summary:?}");
    println!(
        "{:.2} s, {:.1} MB, {:.1} % missing",
        dt.as_secs_f64(),
        summary.bytes as f64 / 1e6,
        100.0 * summary.missing_values as f64 / (summary.values + summary.missing_values) as f64
    );
    Ok(())
}
