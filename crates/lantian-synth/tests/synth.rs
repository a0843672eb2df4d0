//! End-to-end tests: generate into a temporary directory, re-read the files as an importer would.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate};
use lantian_core::{realtime_aqi, Conc, HourlyInput, RealTimeConvention, SeriesType, StandardSet};
use lantian_synth::{generate, stations, SynthOptions, SynthStation, SynthSummary};

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lantian-synth-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn ymd(d: NaiveDate) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

fn run(opts: &SynthOptions, dir: &Path) -> SynthSummary {
    let mut calls = Vec::new();
    let s = generate(opts, dir, &mut |done, total| calls.push((done, total))).expect("generate");
    let total = opts.days + 1;
    assert_eq!(calls.len(), total as usize, "one progress call per file");
    assert_eq!(calls.last(), Some(&(total, total)));
    s
}

/// Sorted (name, bytes) of every file of a directory.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("read"))
        })
        .collect();
    v.sort();
    v
}

/// One parsed daily file: `rows[h][type][station]`, `None` = empty; values in thousandths.
struct Day {
    codes: Vec<String>,
    rows: Vec<Vec<Vec<Option<Conc>>>>,
}

/// Parses a daily file of `hours` label hours (24, or 1 for the last file of a run).
fn parse_day(text: &str, day: NaiveDate, hours: usize) -> Day {
    assert!(!text.contains('\r'), "LF line endings");
    assert!(text.ends_with('\n'));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(&header[..3], &["date", "hour", "type"]);
    let codes: Vec<String> = header[3..].iter().map(|s| s.to_string()).collect();
    let data: Vec<&str> = lines.collect();
    assert_eq!(data.len(), hours * 15, "{hours} hours × 15 types");
    let mut rows = vec![vec![Vec::new(); SeriesType::FILE_SERIES.len()]; hours];
    let d = ymd(day);
    for (i, line) in data.iter().enumerate() {
        let (h, k) = (i / SeriesType::FILE_SERIES.len(), i % SeriesType::FILE_SERIES.len());
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), header.len(), "field count, row {i}");
        assert_eq!(f[0], d);
        assert_eq!(f[1], h.to_string());
        let t = SeriesType::FILE_SERIES[k];
        assert_eq!(f[2], t.file_name());
        let co = matches!(t, SeriesType::Co | SeriesType::Co_24h);
        rows[h][k] = f[3..]
            .iter()
            .map(|c| {
                if c.is_empty() {
                    return None;
                }
                let digits_ok = if co {
                    // One decimal, written like the publisher: 0.7, 1, 1.2 (never 1.0).
                    let (int, frac) = c.split_once('.').unwrap_or((c, ""));
                    !int.is_empty()
                        && int.bytes().all(|b| b.is_ascii_digit())
                        && (frac.is_empty()
                            || (frac.len() == 1 && frac != "0" && frac.bytes().all(|b| b.is_ascii_digit())))
                } else {
                    c.bytes().all(|b| b.is_ascii_digit())
                };
                assert!(digits_ok, "bad cell {c:?} in {}", t.file_name());
                let v = Conc::parse(c).expect("number");
                assert!(v > Conc(0), "positive: {c}");
                Some(v)
            })
            .collect();
    }
    Day { codes, rows }
}

fn read_text(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("read");
    if path.extension().is_some_and(|e| e == "gz") {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut s).expect("gunzip");
        s
    } else {
        String::from_utf8(bytes).expect("utf-8")
    }
}

/// The `files` daily files of a run from `start`: 24 hours each, the last one hour 0 only.
fn load(dir: &Path, start: NaiveDate, files: u32, gzip: bool) -> Vec<Day> {
    (0..files)
        .map(|i| {
            let d = start + Days::new(u64::from(i));
            let ext = if gzip { "csv.gz" } else { "csv" };
            let hours = if i + 1 == files { 1 } else { 24 };
            parse_day(&read_text(&dir.join(format!("china_sites_{}.{ext}", ymd(d)))), d, hours)
        })
        .collect()
}

#[test]
fn deterministic_and_gzip_equivalent() {
    let opts = SynthOptions { stations: Some(30), days: 3, start: date(2022, 1, 1), seed: 42, gzip: false };
    let (a, b, z) = (tmp_dir("det-a"), tmp_dir("det-b"), tmp_dir("det-z"));
    let sa = run(&opts, &a);
    let sb = run(&opts, &b);
    assert_eq!(sa, sb);
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.len(), 6, "stations.csv, targets.csv and days + 1 daily files");
    assert!(fa == fb, "same options, same bytes");
    assert_eq!(fa.iter().map(|f| f.1.len() as u64).sum::<u64>(), sa.bytes);
    assert_eq!(sa.files, 4);
    assert_eq!(sa.stations, 30);
    // Three natural days: 3 × 24 label hours (rows 1–23 of a file and row 0 of the next one) plus
    // row 0 of the first file (the last hour of the day before the period).
    assert_eq!(sa.station_hours, 30 * (24 * 3 + 1));
    assert_eq!(sa.values + sa.missing_values, sa.station_hours * 15);

    // A different seed gives different data.
    let c = tmp_dir("det-c");
    run(&SynthOptions { seed: 43, ..opts.clone() }, &c);
    assert!(files(&c)[1].1 != fa[1].1);

    // Gzip: the same text, compressed, deterministic.
    let zopts = SynthOptions { gzip: true, ..opts.clone() };
    let sz = run(&zopts, &z);
    assert_eq!((sz.values, sz.missing_values), (sa.values, sa.missing_values));
    for i in 0..4u64 {
        let d = opts.start + Days::new(i);
        let plain = read_text(&a.join(format!("china_sites_{}.csv", ymd(d))));
        let unz = read_text(&z.join(format!("china_sites_{}.csv.gz", ymd(d))));
        assert!(plain == unz, "gzip content of {d}");
    }
    let z2 = tmp_dir("det-z2");
    run(&zopts, &z2);
    assert!(files(&z) == files(&z2));
    for d in [a, b, c, z, z2] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Issue 11 §3.1: `--days N` covers natural days start … start + N − 1. Natural day D is rows 1–23 of
/// file D plus row 0 of file D + 1, so the (N + 1)-th file must hold row 0 only — with all 24 rows the
/// store gets 23 hours of a natural day outside the period.
#[test]
fn the_last_file_holds_only_the_hour_that_closes_the_last_day() {
    let start = date(2022, 12, 29);
    let opts = SynthOptions { stations: Some(12), days: 3, start, seed: 3, gzip: false };
    let dir = tmp_dir("last-file");
    let summary = run(&opts, &dir);
    assert_eq!(summary.files, 4);
    // 3 natural days (2022-12-29 … 12-31): 72 station-hours a station, plus row 0 of the first file.
    assert_eq!(summary.station_hours, 12 * 73);
    assert_eq!(summary.values + summary.missing_values, summary.station_hours * 15);
    let text = read_text(&dir.join("china_sites_20230101.csv"));
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 15, "label hour 0 only: the 15 series of the hour ending 2023-01-01 00:00");
    for (r, t) in rows.iter().zip(SeriesType::ALL) {
        assert!(r.starts_with(&format!("20230101,0,{},", t.file_name())), "{r}");
    }
    // The earlier files are whole days, and row 0 of the last file is the same as in a longer run.
    let longer = tmp_dir("last-file-longer");
    run(&SynthOptions { days: 4, ..opts.clone() }, &longer);
    let full = read_text(&longer.join("china_sites_20230101.csv"));
    assert_eq!(full.lines().count(), 1 + 360);
    let head: Vec<&str> = full.lines().take(16).collect();
    assert_eq!(text.lines().collect::<Vec<_>>(), head);
    let days = load(&dir, start, 4, false);
    assert_eq!(days.iter().map(|d| d.rows.len()).collect::<Vec<_>>(), vec![24, 24, 24, 1]);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&longer);
}

#[test]
fn layout_aqi_and_moving_values() {
    let start = date(2022, 7, 10);
    let opts = SynthOptions { stations: Some(40), days: 3, start, seed: 7, gzip: false };
    let dir = tmp_dir("layout");
    let summary = run(&opts, &dir);
    let days = load(&dir, start, 4, false);
    let list = stations(Some(40));
    let codes: Vec<String> = list.iter().map(|s| s.code.clone()).collect();
    let mut missing = 0u64;
    for d in &days {
        assert_eq!(d.codes, codes);
        missing += d.rows.iter().flatten().flatten().filter(|v| v.is_none()).count() as u64;
    }
    assert_eq!(missing, summary.missing_values);

    // The station list.
    let text = std::fs::read_to_string(dir.join("stations.csv")).expect("stations.csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("监测点编码,监测点名称,城市,经度,纬度,对照点,省级行政区,地级行政区"));
    assert_eq!(lines.count(), 40);

    use SeriesType as T;
    let idx = |t: T| t.index();
    // AQI row = realtime_aqi (Publisher) of the written 1-hour values.
    let mut checked = 0;
    for (di, d) in days.iter().enumerate() {
        let set = StandardSet::for_date(start + Days::new(di as u64));
        for (h, r) in d.rows.iter().enumerate() {
            for s in 0..codes.len() {
                let input = HourlyInput {
                    so2: r[idx(T::So2)][s],
                    no2: r[idx(T::No2)][s],
                    co: r[idx(T::Co)][s],
                    o3: r[idx(T::O3)][s],
                    pm10: r[idx(T::Pm10)][s],
                    pm2_5: r[idx(T::Pm2_5)][s],
                    ..HourlyInput::default()
                };
                let want =
                    realtime_aqi(set, RealTimeConvention::Publisher, &input).aqi.map(|a| Conc::units(i64::from(a)));
                assert_eq!(r[idx(T::Aqi)][s], want, "AQI day {di} hour {h} station {}", codes[s]);
                checked += usize::from(want.is_some());
            }
        }
    }
    // 40 stations × 73 label hours (three days and the hour before), less stopped stations and gaps.
    assert!(checked > 2600, "{checked}");

    // Moving values, recomputed from the 1-hour series across the files (hours with a full
    // trailing window inside the files: from file 2 hour 7 on).
    let series = |t: T, s: usize| -> Vec<Option<i64>> {
        days.iter().flat_map(|d| d.rows.iter().map(move |r| r[t.index()][s].map(|c| c.milli()))).collect()
    };
    let round_mean = |vals: &[i64], unit: i64| -> i64 {
        let sum: i64 = vals.iter().map(|v| v / unit).sum();
        lantian_core::air::conc::round_half_even(i128::from(sum), vals.len() as i128) as i64 * unit
    };
    let pairs = [
        (T::Pm2_5, T::Pm2_5_24h, 1000),
        (T::Pm10, T::Pm10_24h, 1000),
        (T::So2, T::So2_24h, 1000),
        (T::No2, T::No2_24h, 1000),
        (T::Co, T::Co_24h, 100),
    ];
    for (s, code) in codes.iter().enumerate() {
        let o3 = series(T::O3, s);
        let o3_8h = series(T::O3_8h, s);
        for t in 31..o3.len() {
            for (one, avg, unit) in pairs {
                let x = series(one, s);
                let win: Vec<i64> = x[t - 23..=t].iter().flatten().copied().collect();
                let want = (win.len() >= 20).then(|| round_mean(&win, unit));
                assert_eq!(series(avg, s)[t], want, "{} station {code} hour {t}", avg.file_name());
            }
            let win8: Vec<i64> = o3[t - 7..=t].iter().flatten().copied().collect();
            assert_eq!(o3_8h[t], (win8.len() >= 6).then(|| round_mean(&win8, 1000)), "O3_8h");
            assert_eq!(series(T::O3_24h, s)[t], o3[t - 23..=t].iter().flatten().max().copied(), "O3_24h");
            assert_eq!(series(T::O3_8h_24h, s)[t], o3_8h[t - 23..=t].iter().flatten().max().copied(), "O3_8h_24h");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn station_lists() {
    let v = stations(Some(2000));
    assert_eq!(v.len(), 2000);
    assert_eq!(v.iter().map(|s| &s.code).collect::<HashSet<_>>().len(), 2000);
    assert!(v.iter().all(|s| {
        let n: usize = s.code.trim_end_matches('A').parse().unwrap_or(0);
        s.province != "合成省" || n > 3867
    }));
    let v21 = stations(Some(21));
    assert_eq!(v21.iter().filter_map(|s| s.city_code).collect::<HashSet<_>>().len(), 21);
    let all = stations(None);
    assert_eq!(all.len(), 123);
    assert!(all.iter().any(|s| s.is_control));
    let dir = tmp_dir("list");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let p = dir.join("s.csv");
    lantian_synth::write_station_list(&p, &all).expect("write");
    let text = std::fs::read_to_string(&p).expect("read");
    assert!(text.contains("\n1431A,金泉两河,成都,103.9728,30.7236,N,四川省,成都市\n"));
    assert!(text.contains("\n2566A,州农科所(对照点),阿坝藏族羌族自治州,102.1879,31.914,Y,四川省,阿坝藏族羌族自治州\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A year of the 123 real stations, generated once for the realism tests.
struct Year {
    start: NaiveDate,
    list: Vec<SynthStation>,
    summary: SynthSummary,
    /// `[type][absolute label hour][station]` for the 1-hour rows, in units (CO mg/m³).
    hourly: HashMap<SeriesType, Vec<Vec<Option<f64>>>>,
}

fn year() -> &'static Year {
    static Y: OnceLock<Year> = OnceLock::new();
    Y.get_or_init(|| {
        let opts = SynthOptions::default();
        let dir = tmp_dir("year");
        let summary = run(&opts, &dir);
        let types = [SeriesType::Pm2_5, SeriesType::So2, SeriesType::No2, SeriesType::O3];
        let mut hourly: HashMap<SeriesType, Vec<Vec<Option<f64>>>> = types.iter().map(|t| (*t, Vec::new())).collect();
        for i in 0..=opts.days {
            let d = opts.start + Days::new(u64::from(i));
            let text = std::fs::read_to_string(dir.join(format!("china_sites_{}.csv", ymd(d)))).expect("read");
            for line in text.lines().skip(1) {
                let mut f = line.split(',');
                let (_, _, t) = (f.next(), f.next(), f.next());
                let Some(t) = t.and_then(SeriesType::from_file_name) else {
                    continue;
                };
                if let Some(rows) = hourly.get_mut(&t) {
                    rows.push(f.map(|c| c.parse::<f64>().ok()).collect());
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        Year { start: opts.start, list: stations(None), summary, hourly }
    })
}

impl Year {
    fn month(&self, t: usize) -> u32 {
        (self.start + Days::new((t / 24) as u64)).month()
    }
    /// Mean of a 1-hour series over the selected stations and hours.
    fn mean(&self, ty: SeriesType, st: impl Fn(&SynthStation) -> bool, hour: impl Fn(usize) -> bool) -> f64 {
        let sel: Vec<usize> = (0..self.list.len()).filter(|&i| st(&self.list[i])).collect();
        assert!(!sel.is_empty());
        let (mut s, mut n) = (0.0, 0u64);
        for (t, row) in self.hourly[&ty].iter().enumerate() {
            if hour(t) {
                for &i in &sel {
                    if let Some(v) = row[i] {
                        s += v;
                        n += 1;
                    }
                }
            }
        }
        assert!(n > 0);
        s / n as f64
    }
}

fn city(name: &str) -> impl Fn(&SynthStation) -> bool + '_ {
    move |s| s.prefecture == name && !s.is_control
}

#[test]
fn realism_seasons_and_cities() {
    let y = year();
    let winter = |t: usize| matches!(y.month(t), 12 | 1 | 2);
    let summer = |t: usize| matches!(y.month(t), 6..=8);
    let all = |_: usize| true;
    let cd_w = y.mean(SeriesType::Pm2_5, city("成都市"), winter);
    let cd_s = y.mean(SeriesType::Pm2_5, city("成都市"), summer);
    assert!(cd_w > 2.0 * cd_s, "成都 PM2.5 winter {cd_w:.1} vs summer {cd_s:.1}");
    assert!((45.0..110.0).contains(&cd_w) && (10.0..35.0).contains(&cd_s), "{cd_w} {cd_s}");
    let cd = y.mean(SeriesType::Pm2_5, city("成都市"), all);
    let aba = y.mean(SeriesType::Pm2_5, city("阿坝藏族羌族自治州"), all);
    assert!(aba < 0.5 * cd, "阿坝州 {aba:.1} vs 成都 {cd:.1}");
    let pzh = y.mean(SeriesType::So2, city("攀枝花市"), all);
    assert!(pzh > 3.0 * y.mean(SeriesType::So2, city("成都市"), all), "攀枝花 SO2 {pzh:.1}");
    let cd_no2 = y.mean(SeriesType::No2, city("成都市"), all);
    for other in ["阿坝藏族羌族自治州", "甘孜藏族自治州", "雅安市", "巴中市", "资阳市"] {
        assert!(cd_no2 > y.mean(SeriesType::No2, city(other), all), "成都 NO2 vs {other}");
    }
    // Control stations are cleaner than the other stations of their cities.
    let ctl = y.mean(SeriesType::Pm2_5, |s| s.is_control && s.province == "四川省", all);
    let non = y.mean(SeriesType::Pm2_5, |s| !s.is_control && s.city_code.is_some_and(|c| c < 513200), all);
    assert!(ctl < 0.9 * non, "control {ctl:.1} vs {non:.1}");
}

#[test]
fn realism_diurnal_cycles() {
    let y = year();
    let any = |_: &SynthStation| true;
    let summer = |t: usize| matches!(y.month(t), 6..=8);
    let o3_afternoon = y.mean(SeriesType::O3, any, |t| summer(t) && (14..=16).contains(&(t % 24)));
    let o3_night = y.mean(SeriesType::O3, any, |t| summer(t) && (t % 24) <= 5);
    assert!(o3_afternoon > 2.0 * o3_night, "O3 afternoon {o3_afternoon:.1} vs night {o3_night:.1}");
    // The O3 peak hour in summer is 14–16 h.
    let by_hour: Vec<f64> = (0..24).map(|h| y.mean(SeriesType::O3, any, |t| summer(t) && t % 24 == h)).collect();
    let peak = (0..24).max_by(|&a, &b| by_hour[a].total_cmp(&by_hour[b])).unwrap_or(0);
    assert!((14..=16).contains(&peak), "O3 peak at {peak}: {by_hour:?}");
    // NO2 rush hours above the afternoon minimum.
    let cd = city("成都市");
    let rush_am = y.mean(SeriesType::No2, &cd, |t| (8..=10).contains(&(t % 24)));
    let rush_pm = y.mean(SeriesType::No2, &cd, |t| (19..=22).contains(&(t % 24)));
    let afternoon = y.mean(SeriesType::No2, &cd, |t| (13..=16).contains(&(t % 24)));
    assert!(rush_am > 1.2 * afternoon && rush_pm > 1.2 * afternoon, "NO2 {rush_am:.1} {rush_pm:.1} {afternoon:.1}");
    // Winter PM higher at night than in the afternoon.
    let winter = |t: usize| matches!(y.month(t), 12 | 1 | 2);
    let night = y.mean(SeriesType::Pm2_5, &cd, |t| winter(t) && (t % 24 <= 4 || t % 24 >= 22));
    let aft = y.mean(SeriesType::Pm2_5, &cd, |t| winter(t) && (14..=17).contains(&(t % 24)));
    assert!(night > 1.15 * aft, "winter PM night {night:.1} vs afternoon {aft:.1}");
}

#[test]
fn realism_episodes_and_correlation() {
    let y = year();
    let pm = &y.hourly[&SeriesType::Pm2_5];
    let o3 = &y.hourly[&SeriesType::O3];
    // City-mean series.
    let city_series = |rows: &Vec<Vec<Option<f64>>>, name: &str| -> Vec<Option<f64>> {
        let sel: Vec<usize> = (0..y.list.len()).filter(|&i| city(name)(&y.list[i])).collect();
        rows.iter()
            .map(|r| {
                let v: Vec<f64> = sel.iter().filter_map(|&i| r[i]).collect();
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            })
            .collect()
    };
    // Natural-day means: label hours 1..=24 of each date.
    let daily = |s: &[Option<f64>]| -> Vec<f64> {
        (0..s.len() / 24)
            .filter(|d| (d + 1) * 24 < s.len())
            .map(|d| {
                let v: Vec<f64> = s[d * 24 + 1..=d * 24 + 24].iter().flatten().copied().collect();
                v.iter().sum::<f64>() / v.len().max(1) as f64
            })
            .collect()
    };
    let basin = ["成都市", "德阳市", "眉山市", "资阳市", "乐山市", "自贡市", "内江市", "宜宾市", "泸州市"];
    let heavy: usize = basin.iter().map(|c| daily(&city_series(pm, c)).iter().filter(|v| **v > 150.0).count()).sum();
    assert!(heavy >= 3, "heavy PM2.5 days in basin cities: {heavy}");
    let max_o3 =
        basin.iter().map(|c| city_series(o3, c).iter().flatten().fold(0.0f64, |a, b| a.max(*b))).fold(0.0, f64::max);
    assert!((180.0..=300.0).contains(&max_o3), "summer O3 1-hour peak {max_o3}");
    // The plateau never gets there.
    let aba_max = daily(&city_series(pm, "阿坝藏族羌族自治州")).into_iter().fold(0.0, f64::max);
    assert!(aba_max < 75.0, "阿坝州 daily PM2.5 max {aba_max}");
    // Stations of a city move together; cities of the Chengdu plain too.
    let corr = |a: &[Option<f64>], b: &[Option<f64>]| -> f64 {
        let p: Vec<(f64, f64)> =
            a.iter().zip(b).filter_map(|(x, y)| Some((x.as_ref()?.ln(), y.as_ref()?.ln()))).collect();
        let n = p.len() as f64;
        let (mx, my) = (p.iter().map(|v| v.0).sum::<f64>() / n, p.iter().map(|v| v.1).sum::<f64>() / n);
        let sxy: f64 = p.iter().map(|v| (v.0 - mx) * (v.1 - my)).sum();
        let sxx: f64 = p.iter().map(|v| (v.0 - mx).powi(2)).sum();
        let syy: f64 = p.iter().map(|v| (v.1 - my).powi(2)).sum();
        sxy / (sxx * syy).sqrt()
    };
    let col = |code: &str| -> Vec<Option<f64>> {
        let i = y.list.iter().position(|s| s.code == code).expect("station");
        pm.iter().map(|r| r[i]).collect()
    };
    let r = corr(&col("1431A"), &col("1432A"));
    assert!(r > 0.8, "two 成都 stations: {r}");
    let r = corr(&city_series(pm, "成都市"), &city_series(pm, "德阳市"));
    assert!(r > 0.7, "成都–德阳: {r}");
    let r = corr(&city_series(pm, "成都市"), &city_series(pm, "甘孜藏族自治州"));
    assert!(r < 0.7, "成都–甘孜州: {r}");
}

#[test]
fn realism_gaps() {
    let y = year();
    assert!(y.summary.missing_values > 0);
    assert_eq!(y.summary.files, 366);
    let pm = &y.hourly[&SeriesType::Pm2_5];
    let operating: Vec<usize> = (0..y.list.len()).filter(|&i| !y.list[i].is_stopped()).collect();
    assert_eq!(operating.len(), 121);
    // Decommissioned stations are always empty.
    for (i, s) in y.list.iter().enumerate() {
        if s.is_stopped() {
            assert!(pm.iter().all(|r| r[i].is_none()), "{}", s.code);
        }
    }
    // Missing 1-hour PM2.5 of operating stations: a few percent.
    let total = (pm.len() * operating.len()) as f64;
    let miss = pm.iter().map(|r| operating.iter().filter(|&&i| r[i].is_none()).count()).sum::<usize>() as f64;
    let frac = miss / total;
    assert!((0.01..0.06).contains(&frac), "missing PM2.5 fraction {frac}");
    // Natural days (rows 1–23 of file D + row 0 of file D+1) with < 20 valid PM2.5 hours exist but
    // are rare.
    // Rows: 24 per natural day plus row 0 of the first file (the hour before the period).
    let days = (pm.len() - 1) / 24;
    assert_eq!(days, 365);
    let mut short = 0usize;
    for d in 0..days {
        for &i in &operating {
            let valid = (d * 24 + 1..=d * 24 + 24).filter(|&t| pm[t][i].is_some()).count();
            short += usize::from(valid < 20);
        }
    }
    let share = short as f64 / (days * operating.len()) as f64;
    assert!(short > 0 && share < 0.05, "station-days with < 20 valid hours: {short} ({share:.4})");
}

/// The demonstration's annual targets: the 21 cities, once for every year of the period, in the
/// targets format (docs/formats.md §6).
#[test]
fn targets_for_every_city_and_year_of_the_period() {
    let dir = tmp_dir("targets");
    run(&SynthOptions { stations: Some(21), days: 3, start: date(2022, 12, 30), seed: 1, gzip: false }, &dir);
    let text = std::fs::read_to_string(dir.join("targets.csv")).expect("targets.csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("city,year,pm2_5,good_day_ratio,heavy_days,source"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // 2022-12-30 … 2023-01-01: two years.
    assert_eq!(rows.len(), 42);
    for year in ["2022", "2023"] {
        let cities: HashSet<u32> = rows
            .iter()
            .filter(|r| r[1] == year)
            .map(|r| lantian_core::regions::cities::sichuan_city(r[0]).map_or(0, |c| c.code))
            .collect();
        let all: HashSet<u32> = lantian_core::regions::cities::SICHUAN_CITIES.iter().map(|c| c.code).collect();
        assert_eq!(cities, all, "{year}");
    }
    assert!(rows.iter().all(|r| r.len() == 6 && r[2].parse::<u32>().is_ok() && r[3].parse::<f64>().is_ok()));
    let _ = std::fs::remove_dir_all(&dir);
}
