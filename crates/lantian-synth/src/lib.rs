//! lantian-synth: a deterministic synthetic province of hourly air-quality monitoring data, written
//! in the real CNEMC/quotsoft daily-file layout (`china_sites_YYYYMMDD.csv`).
//!
//! # Files
//! Each daily file has the header `date,hour,type,<station codes>` and, for label hours 0–23, the
//! 15 `type` rows in the publisher's order ([`lantian_core::SeriesType::FILE_SERIES`]). Label hour `h` is
//! the mean of the hour *ending* at `h` (hour 0 = 23:00–24:00 of the previous day), so natural day
//! D is rows 1–23 of file D plus row 0 of file D+1; [`generate`] therefore writes one file more
//! than the number of days asked for, and that last file holds only label hour 0 (the hour ending
//! 24:00 of the last natural day), so that the data end with the last natural day asked for and no
//! part of the next day appears. Empty cell = missing; integers (μg/m³) except CO with one
//! decimal (mg/m³), written as the publisher does (`0.7`, `1`, `1.2`); LF line endings.
//!
//! The `AQI` row is [`lantian_core::realtime_aqi`] with [`lantian_core::RealTimeConvention::Publisher`]
//! of the same hour's six written 1-hour values, under the standard set in force on the file's
//! date ([`lantian_core::StandardSet::for_date`]). The moving rows follow the publisher: `X_24h` =
//! mean of the valid 1-hour values of the 24 hours ending at `h` when ≥ 20 are valid; `O3_8h` =
//! trailing 8-hour mean with ≥ 6 valid; `O3_24h` = max of the 1-hour O3 over the trailing 24 hours;
//! `O3_8h_24h` = max of `O3_8h` over the trailing 24 hours; means rounded half to even (GB/T 8170)
//! from the written values. The series is continuous across files, including before the first
//! file: the two preceding days are generated (not written) so that hour 0 of the first file
//! already has its 24-hour values.
//!
//! # Model
//! A station's 1-hour value is `city field × station factor × exp(station noise)`, rounded, then
//! masked by gaps.
//!
//! - **City field** (per prefecture and hour): annual level of the city (`成都` high NO2, `攀枝花`
//!   high SO2 from steel, `阿坝州`/`甘孜州` clean plateau, basin cities hazy in winter) × a seasonal
//!   cycle by climate (Sichuan basin: PM peak in January, about three times the summer level;
//!   攀西: dry-season spring maximum; plateau: weak) × weather (smooth value noise: a basin-wide
//!   synoptic term that reaches cities later the farther they are from Chengdu, ≈ 400 km/day; a
//!   2-day regional term; a slow 6-day regional term; a city term) × episodes × diurnal cycles.
//!   Synthetic prefectures (`合成市01`…`40`, an 8 × 5 grid over eastern China) are plains cities
//!   whose levels grow northwards, with their own weather and episodes.
//! - **Winter PM2.5 episodes** (Nov–Mar, mostly Dec–Feb): events of 3–7.5 days centred on the
//!   Chengdu plain, 川南 or 川东北, multiplying PM2.5 by 1.6–3.4 at the centre, fading with distance
//!   between city centroids (computed from the station coordinates, scale 250 km) and reaching
//!   farther cities later (170 km/day: 德阳/眉山/资阳 within hours, 自贡/内江/宜宾/泸州 about a day
//!   after 成都). Basin cities reach daily PM2.5 > 150 (heavy pollution) on the strongest days.
//!   NO2, CO, SO2 rise with them; PM10/PM2.5 falls towards 1 (secondary fine particles).
//! - **Ozone**: background mixed down by day and titrated at night under stagnant winter air, plus
//!   an afternoon photochemical term peaking at label hour 15, scaled by season (basin: May–Aug),
//!   a sunshine noise and **summer O3 episodes** (May–Aug, centred on the Chengdu plain or 川南)
//!   that bring 1-hour peaks of 180–260 μg/m³ to 成都平原 and 川南 cities.
//! - **Diurnal cycles**: NO2/CO morning (08–10) and evening (19–22) rush-hour peaks with an
//!   afternoon minimum; PM high at night and in the morning, low in the afternoon, more so in
//!   winter; SO2 daytime fumigation, with industrial plume spikes at 攀枝花 (and a few others).
//! - **Stations**: a fixed factor per station and pollutant (an "urban intensity" shared by NO2,
//!   CO and, inversely, O3) and AR(1) hourly noise (PM10 and CO correlated with PM2.5); stations of
//!   a city share the city field, so they are correlated. Control stations (对照点) have lower
//!   PM/NO2/CO/SO2 and more O3, especially at night. Decommissioned stations (名称 containing
//!   `停运`) keep their column, always empty, as in the real files.
//! - **Gaps**: about 0.9 % of station-hours missing entirely and 0.7 % of single values; station
//!   outages of 6–40 h (all pollutants empty, about three a year per station, so some station-days
//!   have ≤ 19 valid hours); a single instrument down for a whole day (about five instrument-days
//!   a year per station); rarely (1 in 1500) an hour missing for the whole network.
//!
//! # Determinism
//! Every random draw is a pure function of `(seed, entity, absolute date/hour)`: station streams
//! are keyed by the station code and the day, city fields by the city and the hour, episodes by a
//! time slot. The same options give byte-identical files, independent of the number of threads,
//! and a station's data for a date does not depend on the start date, the number of days or which
//! other stations are generated.

#![warn(missing_docs)]

pub mod emergency;
mod model;
mod rng;
mod series;
mod stations;
pub mod targets;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use chrono::{Datelike, NaiveDate};
use lantian_core::{realtime_aqi, Conc, HourlyInput, RealTimeConvention, SeriesType, StandardSet};

pub use emergency::{generate_emergency, EmergencySummary};
use model::{
    city_day, station_day, tail_of, white_day, CityModel, StationModel, CO, MISSING, NO2, NP, O3, PM10, PM25, SO2,
};
use series::{push_cell, push_u32, Window};
pub use stations::{stations, write_station_list, SynthStation};

/// Options of a generation run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthOptions {
    /// Number of stations (see [`stations`]); `None` = the 123 real Sichuan stations.
    pub stations: Option<usize>,
    /// Number of natural days; `days + 1` daily files are written, the last with label hour 0 only
    /// (see [`generate`]).
    pub days: u32,
    /// Date of the first file.
    pub start: NaiveDate,
    /// Seed of every random draw.
    pub seed: u64,
    /// Write `.csv.gz` instead of `.csv`.
    pub gzip: bool,
}

const DEFAULT_START: NaiveDate = match NaiveDate::from_ymd_opt(2022, 1, 1) {
    Some(d) => d,
    None => panic!("invalid constant date"),
};

impl Default for SynthOptions {
    /// The 123 real Sichuan stations, 365 days from 2022-01-01, seed 2022, uncompressed.
    fn default() -> Self {
        SynthOptions { stations: None, days: 365, start: DEFAULT_START, seed: 2022, gzip: false }
    }
}

/// What a run wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SynthSummary {
    /// Daily files written (`days + 1`; `stations.csv` not counted).
    pub files: usize,
    /// Stations (columns) per file.
    pub stations: usize,
    /// Station × label hours over all files (`stations × (24 × days + 1)`: the last file holds hour 0
    /// only).
    pub station_hours: u64,
    /// Non-empty cells over all 15 rows of all files.
    pub values: u64,
    /// Empty cells over all 15 rows of all files (`values + missing_values = station_hours × 15`).
    pub missing_values: u64,
    /// Bytes written to disk: the daily files (compressed size with `gzip`), `stations.csv` and
    /// `targets.csv`.
    pub bytes: u64,
}

/// Name of the daily file of a date.
pub fn file_name(date: NaiveDate, gzip: bool) -> String {
    let ext = if gzip { "csv.gz" } else { "csv" };
    format!("china_sites_{:04}{:02}{:02}.{ext}", date.year(), date.month(), date.day())
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.to_string())
}

/// Generates the synthetic data set into `out_dir` (created if needed): `stations.csv` (the
/// station list, [`write_station_list`]), `targets.csv` (the 21 cities' annual targets for every
/// year of the period, [`targets::write_targets`]) and one daily file per label date from `start` to
/// `start + days` inclusive — `days + 1` files, the last one completing natural day
/// `start + days − 1`: it holds only row 0 (the 15 series of label hour 0, the hour ending 24:00 of
/// that day), so the data cover exactly the natural days asked for. `progress(done, total)` is
/// called after each daily file, on the calling thread. Days are generated in parallel; the
/// output does not depend on the number of threads.
///
/// Errors: `days == 0` or no stations (`InvalidInput`), dates beyond chrono's range, and I/O.
pub fn generate(opts: &SynthOptions, out_dir: &Path, progress: &mut dyn FnMut(u32, u32)) -> io::Result<SynthSummary> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    generate_with_threads(opts, out_dir, progress, threads)
}

/// Counts of one worker.
#[derive(Default)]
struct Counts {
    values: u64,
    missing: u64,
    bytes: u64,
}

/// Everything the workers share.
struct Ctx {
    seed: u64,
    gzip: bool,
    out_dir: PathBuf,
    start_day: i64,
    /// The label date of the last file, which holds label hour 0 only.
    last_day: i64,
    cities: Vec<CityModel>,
    models: Vec<StationModel>,
    header: Vec<u8>,
}

fn generate_with_threads(
    opts: &SynthOptions,
    out_dir: &Path,
    progress: &mut dyn FnMut(u32, u32),
    threads: usize,
) -> io::Result<SynthSummary> {
    if opts.days == 0 {
        return Err(invalid("days must be at least 1"));
    }
    let total = opts.days.checked_add(1).ok_or_else(|| invalid("too many days"))?;
    let start_day = i64::from(opts.start.num_days_from_ce());
    // All dates touched, including the two warm-up days, must exist.
    for d in [start_day - 3, start_day + i64::from(opts.days)] {
        i32::try_from(d)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or_else(|| invalid("dates out of range"))?;
    }
    let list = stations(opts.stations);
    if list.is_empty() {
        return Err(invalid("no stations"));
    }
    std::fs::create_dir_all(out_dir)?;
    let station_file = out_dir.join("stations.csv");
    write_station_list(&station_file, &list)?;
    let mut bytes = std::fs::metadata(&station_file)?.len();
    let last_natural_day = i32::try_from(start_day + i64::from(opts.days) - 1)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or_else(|| invalid("dates out of range"))?;
    bytes += targets::write_targets(&out_dir.join("targets.csv"), opts.start.year()..=last_natural_day.year())?;

    let (cities, models) = model::build(&list);
    let mut header = b"date,hour,type".to_vec();
    for s in &list {
        header.push(b',');
        header.extend_from_slice(s.code.as_bytes());
    }
    header.push(b'\n');
    let ctx = Ctx {
        seed: opts.seed,
        gzip: opts.gzip,
        out_dir: out_dir.to_path_buf(),
        start_day,
        last_day: start_day + i64::from(opts.days),
        cities,
        models,
        header,
    };

    // Contiguous chunks of files, one per thread.
    let threads = threads.clamp(1, total as usize);
    let per = total.div_ceil(threads as u32);
    let chunks: Vec<(u32, u32)> =
        (0..threads as u32).map(|i| (i * per, ((i + 1) * per).min(total))).filter(|(a, b)| a < b).collect();
    let abort = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<()>();
    let results: Vec<io::Result<Counts>> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|&(a, b)| {
                let tx = tx.clone();
                let (ctx, abort) = (&ctx, &abort);
                scope.spawn(move || {
                    let r = worker(ctx, a, b, &tx, abort);
                    if r.is_err() {
                        abort.store(true, Ordering::Relaxed);
                    }
                    r
                })
            })
            .collect();
        drop(tx);
        let mut done = 0;
        while rx.recv().is_ok() {
            done += 1;
            progress(done, total);
        }
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(io::Error::other("generator thread panicked"))))
            .collect()
    });
    let mut sum = Counts::default();
    for r in results {
        let c = r?;
        sum.values += c.values;
        sum.missing += c.missing;
        sum.bytes += c.bytes;
    }
    bytes += sum.bytes;
    let n = list.len();
    Ok(SynthSummary {
        files: total as usize,
        stations: n,
        station_hours: n as u64 * (24 * u64::from(opts.days) + 1),
        values: sum.values,
        missing_values: sum.missing,
        bytes,
    })
}

/// Row index of each series type in a station-hour record.
const ROWS: usize = SeriesType::FILE_SERIES.len();

/// Generates files `a..b` (offsets from the start date).
fn worker(ctx: &Ctx, a: u32, b: u32, tx: &mpsc::Sender<()>, abort: &AtomicBool) -> io::Result<Counts> {
    let n = ctx.models.len();
    let first = ctx.start_day + i64::from(a);
    let last = ctx.start_day + i64::from(b) - 1;
    let mut windows = vec![Window::new(); n];
    // Noise carry into the first warm-up day.
    let mut carry: Vec<[f64; NP]> = ctx
        .models
        .iter()
        .map(|m| if m.stopped { [0.0; NP] } else { tail_of(&white_day(ctx.seed, m.key, first - 3)) })
        .collect();
    let mut table = vec![MISSING; 24 * ROWS * n];
    let mut buf: Vec<u8> = Vec::with_capacity(ctx.header.len() + 24 * ROWS * (n * 4 + 32));
    let mut hours = [[MISSING; NP]; 24];
    let mut counts = Counts::default();
    for day in first - 2..=last {
        if abort.load(Ordering::Relaxed) {
            break;
        }
        let emit = day >= first;
        let date = i32::try_from(day)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or_else(|| invalid("dates out of range"))?;
        let set = StandardSet::for_date(date);
        let city_days: Vec<_> = ctx.cities.iter().map(|c| city_day(ctx.seed, c, day)).collect();
        for (s, m) in ctx.models.iter().enumerate() {
            let white = if m.stopped { [[0.0; NP]; 24] } else { white_day(ctx.seed, m.key, day) };
            station_day(ctx.seed, m, &city_days[m.city], day, &white, &carry[s], &mut hours);
            carry[s] = tail_of(&white);
            for (h, v) in hours.iter().enumerate() {
                let mv = windows[s].push(v);
                if !emit {
                    continue;
                }
                let opt = |x: i32| (x != MISSING).then(|| Conc::units(i64::from(x)));
                let tenths = |x: i32| (x != MISSING).then(|| Conc(i64::from(x) * 100));
                let input = HourlyInput {
                    so2: opt(v[SO2]),
                    no2: opt(v[NO2]),
                    co: tenths(v[CO]),
                    o3: opt(v[O3]),
                    pm10: opt(v[PM10]),
                    pm2_5: opt(v[PM25]),
                    so2_24h: opt(mv.mean24[SO2]),
                    o3_8h: opt(mv.o3_8h),
                    pm10_24h: opt(mv.mean24[PM10]),
                    pm2_5_24h: opt(mv.mean24[PM25]),
                    not_monitored: 0,
                };
                let aqi = realtime_aqi(set, RealTimeConvention::Publisher, &input).aqi.map_or(MISSING, |a| a as i32);
                let rec: [i32; ROWS] = [
                    aqi,
                    v[PM25],
                    mv.mean24[PM25],
                    v[PM10],
                    mv.mean24[PM10],
                    v[SO2],
                    mv.mean24[SO2],
                    v[NO2],
                    mv.mean24[NO2],
                    v[O3],
                    mv.o3_24h,
                    mv.o3_8h,
                    mv.o3_8h_24h,
                    v[CO],
                    mv.mean24[CO],
                ];
                for (k, x) in rec.into_iter().enumerate() {
                    table[(h * ROWS + k) * n + s] = x;
                }
            }
        }
        if !emit {
            continue;
        }
        buf.clear();
        buf.extend_from_slice(&ctx.header);
        let mut ymd = Vec::with_capacity(9);
        push_u32(&mut ymd, date.year() as u32 * 10_000 + date.month() * 100 + date.day());
        ymd.push(b',');
        // The last file completes the last natural day: its hour 0 only.
        let hours_written = if day == ctx.last_day { 1 } else { 24 };
        for h in 0..hours_written {
            for (k, t) in SeriesType::FILE_SERIES.iter().enumerate() {
                buf.extend_from_slice(&ymd);
                push_u32(&mut buf, h as u32);
                buf.push(b',');
                buf.extend_from_slice(t.file_name().as_bytes());
                let tenths = matches!(t, SeriesType::Co | SeriesType::Co_24h);
                for &x in &table[(h * ROWS + k) * n..(h * ROWS + k + 1) * n] {
                    buf.push(b',');
                    if x == MISSING {
                        counts.missing += 1;
                    } else {
                        counts.values += 1;
                        push_cell(&mut buf, x, tenths);
                    }
                }
                buf.push(b'\n');
            }
        }
        counts.bytes += write_file(&ctx.out_dir.join(file_name(date, ctx.gzip)), &buf, ctx.gzip)?;
        // The receiver only goes away when the caller is gone; nothing to do then.
        let _ = tx.send(());
    }
    Ok(counts)
}

/// Writes one daily file; returns its size on disk.
fn write_file(path: &Path, data: &[u8], gzip: bool) -> io::Result<u64> {
    let file = File::create(path)?;
    if gzip {
        // flate2 writes no file name and a zero mtime: the archive is deterministic.
        let mut enc =
            flate2::write::GzEncoder::new(BufWriter::with_capacity(1 << 20, file), flate2::Compression::default());
        enc.write_all(data)?;
        let mut w = enc.finish()?;
        w.flush()?;
    } else {
        let mut w = BufWriter::with_capacity(1 << 20, file);
        w.write_all(data)?;
        w.flush()?;
    }
    Ok(std::fs::metadata(path)?.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("lantian-synth-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn read_all(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap_or_default()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn thread_count_does_not_change_output() {
        let opts = SynthOptions { stations: Some(25), days: 5, start: DEFAULT_START, seed: 9, gzip: false };
        let (d1, d3) = (tmp("t1"), tmp("t3"));
        let s1 = generate_with_threads(&opts, &d1, &mut |_, _| {}, 1).expect("run 1");
        let s3 = generate_with_threads(&opts, &d3, &mut |_, _| {}, 3).expect("run 3");
        assert_eq!(s1, s3);
        let (f1, f3) = (read_all(&d1), read_all(&d3));
        assert_eq!(f1.len(), 8, "stations.csv, targets.csv and 6 daily files");
        assert!(f1 == f3, "files differ between 1 and 3 threads");
        let _ = std::fs::remove_dir_all(&d1);
        let _ = std::fs::remove_dir_all(&d3);
    }

    #[test]
    fn later_start_reproduces_the_same_days() {
        // A station's data for a date does not depend on the start date or the station set.
        let a = SynthOptions { stations: Some(30), days: 4, start: DEFAULT_START, seed: 5, gzip: false };
        let b = SynthOptions {
            stations: Some(30),
            days: 2,
            start: DEFAULT_START + chrono::Days::new(2),
            seed: 5,
            gzip: false,
        };
        let (da, db) = (tmp("sa"), tmp("sb"));
        generate_with_threads(&a, &da, &mut |_, _| {}, 2).expect("a");
        generate_with_threads(&b, &db, &mut |_, _| {}, 1).expect("b");
        for name in ["china_sites_20220103.csv", "china_sites_20220104.csv", "china_sites_20220105.csv"] {
            let x = std::fs::read(da.join(name)).unwrap_or_default();
            let y = std::fs::read(db.join(name)).unwrap_or_default();
            assert!(!x.is_empty() && x == y, "{name}");
        }
        let _ = std::fs::remove_dir_all(&da);
        let _ = std::fs::remove_dir_all(&db);
    }

    #[test]
    fn rejects_empty_runs() {
        let d = tmp("empty");
        let o = SynthOptions { days: 0, ..SynthOptions::default() };
        assert!(generate(&o, &d, &mut |_, _| {}).is_err());
        let o = SynthOptions { stations: Some(0), days: 1, ..SynthOptions::default() };
        assert!(generate(&o, &d, &mut |_, _| {}).is_err());
        let _ = std::fs::remove_dir_all(&d);
    }
}
