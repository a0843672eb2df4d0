//! `lantian bench DIR`: the benchmark of BENCHMARKS.md. Imports every file of DIR into a fresh store,
//! then computes the hourly AQI and the station daily values for everything, timing each step.
//! Prints `task wall_s rows rows/s` lines like the pandas peer, then the peak memory.
//!
//! `lantian bench-rank --period P`: the ranking of a period from the store in this process, from
//! scratch and cached, timed like the peer times its steps (`time.perf_counter` around the step).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Result};
use chrono::Duration;
use clap::Args;
use lantian_core::air::aqi::RealTimeConvention;
use lantian_store::StationFilter;

use crate::import_cmd::{bar, expand, import_files};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Folder of CNEMC files (e.g. the peer's DIR/cnemc or `lantian synth --out DIR`).
    pub dir: PathBuf,
    /// Store to create: a SQLite file (replaced) or a PostgreSQL database `postgres://…` (its lantian
    /// tables are dropped and made again). The global --db is not used.
    #[arg(long, default_value = "bench.db")]
    pub bench_db: String,
    /// Parser threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Only parse the files (no store), to separate parsing from storing.
    #[arg(long)]
    pub parse_only: bool,
    /// Keep an existing database and skip the import (profiling the query steps).
    #[arg(long)]
    pub reuse: bool,
}

fn line(task: &str, secs: f64, rows: u64) {
    println!("{task:40} {secs:9.3} s {rows:>11} rows {:>14.0} rows/s", rows as f64 / secs.max(1e-9));
}

/// CPU time (user + system) of this process so far, in seconds (Linux `/proc/self/stat`).
fn cpu_secs() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the full line: 11 and 12 after the ')'.
    (ticks(11) + ticks(12)) / 100.0
}

/// Peak resident memory of this process (VmHWM), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = l.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub fn run(a: BenchArgs) -> Result<ExitCode> {
    let on_postgres = lantian_store::PgStore::is_url(&a.bench_db);
    if !a.reuse {
        if on_postgres {
            lantian_store::PgStore::drop_lantian_tables(&a.bench_db)?;
        } else {
            for ext in ["", "-wal", "-shm"] {
                let p = PathBuf::from(format!("{}{ext}", a.bench_db));
                if p.exists() {
                    std::fs::remove_file(&p)?;
                }
            }
        }
    }
    let files = expand(std::slice::from_ref(&a.dir))?;
    if files.is_empty() {
        bail!("no files in {}", a.dir.display());
    }
    let jobs = a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    if a.parse_only {
        use rayon::prelude::*;
        let t = Instant::now();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
        let cells: u64 = pool.install(|| {
            files
                .par_iter()
                // The wide reader alone (the benchmark's files are CNEMC wide files): no encoding, no store.
                .map(|p| {
                    lantian_ingest::text::read_bytes(p)
                        .and_then(|b| lantian_ingest::air::cnemc::parse_wide(p, &b))
                        .map_or(0, |w| w.values)
                })
                .sum()
        });
        line("parse only (no store)", t.elapsed().as_secs_f64(), cells);
        return Ok(ExitCode::SUCCESS);
    }
    let total = Instant::now();
    let mut store: lantian_store::AnyStore = if on_postgres {
        lantian_store::open(&a.bench_db)?
    } else {
        Box::new(lantian_store::SqliteStore::open(std::path::Path::new(&a.bench_db))?)
    };
    println!("store: {}", lantian_store::display_url(&a.bench_db));
    let t = Instant::now();
    let sum = if a.reuse {
        crate::import_cmd::ImportSummary::default()
    } else {
        import_files(&mut *store, &files, jobs, &bar(files.len() as u64, "import"))?
    };
    if sum.files_rejected > 0 {
        bail!("{} files rejected: {:?}", sum.files_rejected, sum.errors.first());
    }
    line("import (parse + store, all 15 types kept)", t.elapsed().as_secs_f64(), sum.station_hours);
    if sum.files > 0 {
        println!("  of which waiting for the writer (store): {:.3} s; CPU {:.2} s", sum.store_secs, cpu_secs());
    }
    let Some((first, last)) = store.station_date_range()? else { bail!("no data imported") };
    // Natural days whose 24 hours are all in the files.
    let to = last - Duration::days(1);
    let stations = store.stations(&StationFilter::default())?;
    let c0 = cpu_secs();
    let t = Instant::now();
    let (mut n, mut sum_aqi, mut matched, mut published) = (0u64, 0u64, 0u64, 0u64);
    lantian_service::for_each_hourly(
        &*store,
        &stations,
        first - Duration::days(1),
        last,
        RealTimeConvention::Publisher,
        |r| {
            n += 1;
            sum_aqi += u64::from(r.result.aqi.unwrap_or(0));
            if let Some(p) = r.published_aqi() {
                published += 1;
                matched += u64::from(r.result.aqi == Some(p));
            }
        },
    )?;
    line("hourly AQI (HJ 633 real-time, exact)", t.elapsed().as_secs_f64(), n);
    let c1 = cpu_secs();
    println!("  CPU {:.2} s", c1 - c0);
    let t = Instant::now();
    let mut days = 0u64;
    let mut valid = 0u64;
    lantian_service::for_each_station_daily(&*store, &stations, first, to, |r| {
        days += 1;
        valid += u64::from(r.result.aqi.is_some());
    })?;
    line("station daily values + daily AQI (HJ 663)", t.elapsed().as_secs_f64(), days);
    println!("  CPU {:.2} s", cpu_secs() - c1);
    // The month ranking of every city with stations (HJ 663 city values from the stations' daily
    // values, the composite index, the competition ranking): the first calendar month in the data.
    let t = Instant::now();
    let month = crate::accountability::rank_cmd::parse_period(&first.format("%Y-%m").to_string())
        .map_err(anyhow::Error::msg)?;
    let scope = lantian_service::accountability::assess::resolve_scope(&*store, Some("all"))?;
    let ranked = lantian_service::accountability::assess::rank_with(
        &*store,
        &scope,
        &month,
        &lantian_service::accountability::assess::RankOptions::default(),
    )?;
    line(
        &format!("month ranking ({} cities, {})", ranked.len(), first.format("%Y-%m")),
        t.elapsed().as_secs_f64(),
        ranked.len() as u64,
    );
    line("end to end", total.elapsed().as_secs_f64(), sum.station_hours);
    println!(
        "files {}  stations {}  station-hours {}  values {}",
        sum.files,
        stations.len(),
        sum.station_hours,
        sum.values
    );
    println!("hourly rows {n} (checksum {sum_aqi}); published AQI present {published}, reproduced {matched}");
    println!("station-days {days}, with a daily AQI {valid}");
    if let Some(m) = peak_rss_mib() {
        println!("peak memory (VmHWM) {m:.0} MiB");
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct BenchRankArgs {
    /// Period, as for `lantian rank` (e.g. 2022-01, 2022).
    #[arg(long, value_parser = crate::accountability::rank_cmd::parse_period)]
    pub period: lantian_core::air::period::Period,
    /// Scope, as for `lantian rank` (default 四川; `all` for every city).
    #[arg(long)]
    pub scope: Option<String>,
    /// Repetitions (each: empty the daily cache, rank from scratch, rank again cached).
    #[arg(long, default_value_t = 7)]
    pub runs: usize,
}

/// Median of a non-empty list of seconds.
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `lantian bench-rank`: empties the daily cache of the store (a cache: it is recomputed on demand),
/// then times the ranking from scratch and cached, `runs` times, and prints the medians.
pub fn run_rank(db: &str, a: BenchRankArgs) -> Result<ExitCode> {
    use lantian_service::accountability::assess;
    let store = crate::open_store(db)?;
    let scope = assess::resolve_scope(&*store, a.scope.as_deref())?;
    if scope.cities.is_empty() {
        bail!("the scope {} has no cities in the store", scope.name);
    }
    let options = assess::RankOptions::default();
    let (mut scratch, mut cached) = (Vec::new(), Vec::new());
    let mut ranked = 0;
    for _ in 0..a.runs.max(1) {
        store.clear_daily_cache()?;
        let t = Instant::now();
        let rows = assess::rank_with(&*store, &scope, &a.period, &options)?;
        scratch.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let again = assess::rank_with(&*store, &scope, &a.period, &options)?;
        cached.push(t.elapsed().as_secs_f64());
        if again.len() != rows.len() {
            bail!("the cached ranking differs from the one computed from scratch");
        }
        ranked = rows.iter().filter(|r| r.rank.is_some()).count();
    }
    let (min_s, min_c) =
        (scratch.iter().copied().fold(f64::MAX, f64::min), cached.iter().copied().fold(f64::MAX, f64::min));
    println!("ranking {} of {} ({} cities ranked), {} runs", a.period.label(), scope.name, ranked, scratch.len());
    println!("{:40} {:9.4} s median, {:.4} s best", "from scratch (empty daily cache)", median(&mut scratch), min_s);
    println!("{:40} {:9.4} s median, {:.4} s best", "cached", median(&mut cached), min_c);
    Ok(ExitCode::SUCCESS)
}
