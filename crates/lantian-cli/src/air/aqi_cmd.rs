//! `lantian aqi --hourly|--daily`.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::{bail, Result};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use lantian_core::air::aqi::{AqiCategory, AqiResult, RealTimeConvention};
use lantian_core::{Conc, Pollutant};
use lantian_service::{DailySource, HourlyRow, StationDailyRow};
use lantian_store::{CityInfo, StationInfo, Store};
use serde_json::json;

use crate::output::{opt, opt_dash, JsonArray, Table};
use crate::{parse_date, Format};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Level {
    Station,
    City,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Convention {
    /// What the publisher (CNEMC) does: 1-hour values of all six pollutants (default).
    Publisher,
    /// A literal reading of the edition in force: HJ 633-2012 Table 4 (24-hour moving PM, O3 8-hour);
    /// HJ 633-2026 5.3.1 (NA when a pollutant is missing and the AQI ≤ 100; `/` exempt, 5.3.2).
    Literal,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("report").required(true).args(["hourly", "daily"])))]
pub struct AqiArgs {
    /// Real-time (hourly) report.
    #[arg(long)]
    pub hourly: bool,
    /// Daily report.
    #[arg(long)]
    pub daily: bool,
    /// Daily values per station or per city.
    #[arg(long, value_enum, default_value_t = Level::Station)]
    pub level: Level,
    /// First natural day (YYYY-MM-DD); default: the first day with data.
    #[arg(long, value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Last natural day (YYYY-MM-DD); default: the last day with data.
    #[arg(long, value_parser = parse_date)]
    pub to: Option<NaiveDate>,
    /// Station code (repeatable).
    #[arg(long = "station")]
    pub stations: Vec<String>,
    /// City name, alias or code (repeatable): 成都, 成都市, 510100.
    #[arg(long = "city")]
    pub cities: Vec<String>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Real-time AQI convention (hourly only).
    #[arg(long, value_enum, default_value_t = Convention::Publisher)]
    pub convention: Convention,
    /// Daily city values only: list just the imported days whose published AQI differs from the AQI
    /// lantian computes from their daily values (the published one decides the day).
    #[arg(long, requires = "daily")]
    pub disagreements: bool,
}

fn date_range(store: &dyn Store, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(NaiveDate, NaiveDate)> {
    let range = store.station_date_range()?;
    let from = match (from, range) {
        (Some(f), _) => f,
        (None, Some((a, _))) => a,
        (None, None) => bail!("the store holds no hourly data; give --from and --to"),
    };
    let to = match (to, range) {
        (Some(t), _) => t,
        (None, Some((_, b))) => b,
        (None, None) => from,
    };
    if to < from {
        bail!("--to {to} is before --from {from}");
    }
    Ok((from, to))
}

fn resolve_cities(store: &dyn Store, names: &[String]) -> Result<Vec<CityInfo>> {
    names.iter().map(|n| store.resolve_city(n)?.ok_or_else(|| anyhow::anyhow!("unknown city {n:?}"))).collect()
}

/// The stations a query selects (see [`lantian_service::air::aqi::select_stations`]).
pub fn select_stations(store: &dyn Store, codes: &[String], cities: &[CityInfo]) -> Result<Vec<StationInfo>> {
    Ok(lantian_service::air::aqi::select_stations(store, codes, cities)?)
}

fn iso_time(t: chrono::NaiveDateTime) -> String {
    format!("{}+08:00", t.format("%Y-%m-%dT%H:%M:%S"))
}

/// Level (1–6) and category: the Chinese name in tables, the code (`good`, `light`, …) in CSV and JSON.
fn category(r: &AqiResult, format: Format) -> (String, String) {
    match r.category() {
        Some(c) => (c.level().to_string(), if format == Format::Table { c.name_zh() } else { c.code() }.to_string()),
        None => (String::new(), String::new()),
    }
}

/// The source of a city value: `stations:N` / `city-file` / the import's source in CSV and JSON; in
/// Chinese tables `N个评价站点` / `城市发布文件`.
fn source_text(s: &DailySource, format: Format) -> String {
    match (s, format) {
        (DailySource::Stations { count }, Format::Table) => format!("{count}个评价站点"),
        (DailySource::Stations { count }, _) => format!("stations:{count}"),
        (DailySource::Imported { source, .. }, _) => source.clone(),
    }
}

/// The standard set: `y2012` in CSV and JSON, `HJ 633-2012` in tables.
fn standard_text(r: &AqiResult, format: Format) -> String {
    if format == Format::Table { r.set.label_zh() } else { r.set.code() }.to_string()
}

fn station_city(s: &StationInfo) -> String {
    s.city.as_ref().map(|c| c.display().to_string()).unwrap_or_default()
}

fn c(v: Option<Conc>) -> String {
    opt(v)
}

pub fn run(db: &str, a: AqiArgs) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let (mut from, to) = date_range(&*store, a.from, a.to)?;
    if a.hourly && a.from.is_none() {
        // Label hour 0 of the first label date closes the natural day before it.
        from = from.pred_opt().unwrap_or(from);
    }
    let cities = resolve_cities(&*store, &a.cities)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    if a.hourly {
        let conv = match a.convention {
            Convention::Publisher => RealTimeConvention::Publisher,
            Convention::Literal => RealTimeConvention::LiteralHj633_2012,
        };
        if a.level == Level::City {
            if !a.stations.is_empty() {
                bail!("--station selects stations; with --level city use --city");
            }
            let cities = if cities.is_empty() { store.cities()? } else { cities };
            city_hourly(&*store, &cities, from, to, conv, a.format, &mut out)?;
            out.flush()?;
            return Ok(ExitCode::SUCCESS);
        }
        let stations = select_stations(&*store, &a.stations, &cities)?;
        hourly(&*store, &stations, from, to, conv, a.format, &mut out)?;
    } else if a.level == Level::Station {
        if a.disagreements {
            bail!("--disagreements compares imported daily city values: use it with --level city");
        }
        let stations = select_stations(&*store, &a.stations, &cities)?;
        station_daily(&*store, &stations, from, to, a.format, &mut out)?;
    } else {
        if !a.stations.is_empty() {
            bail!("--station selects stations; with --level city use --city");
        }
        let cities = if cities.is_empty() { store.cities()? } else { cities };
        city_daily(&*store, &cities, from, to, a.disagreements, a.format, &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The hourly columns. `published_primary` is the release row's primary pollutant (empty when the
/// source carried none); `missing` names the pollutants (indicators) absent from the computed `aqi`,
/// so that an AQI computed from incomplete data is never taken for a published one.
const HOURLY_COLS: [&str; 17] = [
    "station",
    "station_name",
    "city",
    "time",
    "aqi",
    "level",
    "category",
    "primary",
    "so2",
    "no2",
    "co",
    "o3",
    "pm10",
    "pm2_5",
    "published_aqi",
    "published_primary",
    "missing",
];

fn hourly(
    store: &dyn Store,
    stations: &[StationInfo],
    from: NaiveDate,
    to: NaiveDate,
    conv: RealTimeConvention,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    let mut err: Option<std::io::Error> = None;
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(HOURLY_COLS)?;
            lantian_service::for_each_hourly(store, stations, from, to, conv, |r: &HourlyRow<'_>| {
                if err.is_some() {
                    return;
                }
                let (level, cat) = category(&r.result, Format::Csv);
                let rec = [
                    r.station.code.clone(),
                    r.station.name.clone().unwrap_or_default(),
                    station_city(r.station),
                    iso_time(r.time),
                    opt(r.result.aqi),
                    level,
                    cat,
                    r.result.primary.codes(),
                    c(r.conc(Pollutant::So2)),
                    c(r.conc(Pollutant::No2)),
                    c(r.conc(Pollutant::Co)),
                    c(r.conc(Pollutant::O3)),
                    c(r.conc(Pollutant::Pm10)),
                    c(r.conc(Pollutant::Pm2_5)),
                    opt(r.published_aqi()),
                    r.published_primary().codes(),
                    r.result.missing.codes(),
                ];
                if let Err(e) = w.write_record(&rec) {
                    err = Some(e.into());
                }
            })?;
            w.flush()?;
        }
        Format::Json => {
            let mut arr = JsonArray::new(out)?;
            lantian_service::for_each_hourly(store, stations, from, to, conv, |r| {
                if err.is_some() {
                    return;
                }
                let v = json!({
                    "station": r.station.code, "station_name": r.station.name, "city": station_city(r.station),
                    "time": iso_time(r.time), "aqi": r.result.aqi, "level": r.result.category().map(AqiCategory::level),
                    "category": r.result.category().map(AqiCategory::code),
                    "primary": r.result.primary.iter().map(|i| i.code()).collect::<Vec<_>>(),
                    "so2": r.conc(Pollutant::So2).map(|c| c.to_string()), "no2": r.conc(Pollutant::No2).map(|c| c.to_string()), "co": r.conc(Pollutant::Co).map(|c| c.to_string()),
                    "o3": r.conc(Pollutant::O3).map(|c| c.to_string()), "pm10": r.conc(Pollutant::Pm10).map(|c| c.to_string()), "pm2_5": r.conc(Pollutant::Pm2_5).map(|c| c.to_string()),
                    "published_aqi": r.published_aqi(), "standard": r.result.set.code(),
                    "published_primary": r.published_primary().iter().map(|i| i.code()).collect::<Vec<_>>(),
                    "missing": r.result.missing.iter().map(|i| i.code()).collect::<Vec<_>>(),
                });
                if let Err(e) = arr.push(&v) {
                    err = Some(e);
                }
            })?;
            arr.finish()?;
        }
        Format::Table => {
            let mut t = Table::new(
                &[
                    "站点",
                    "名称",
                    "城市",
                    "时间",
                    "AQI",
                    "级别",
                    "类别",
                    "首要污染物",
                    "SO2",
                    "NO2",
                    "CO",
                    "O3",
                    "PM10",
                    "PM2.5",
                    "发布AQI",
                    "发布首要污染物",
                    "缺项",
                ],
                &[
                    false, false, false, false, true, true, false, false, true, true, true, true, true, true, true,
                    false, false,
                ],
            );
            lantian_service::for_each_hourly(store, stations, from, to, conv, |r| {
                let (level, cat) = category(&r.result, Format::Table);
                t.push(vec![
                    r.station.code.clone(),
                    r.station.name.clone().unwrap_or_default(),
                    station_city(r.station),
                    r.time.format("%Y-%m-%d %H:%M").to_string(),
                    opt_dash(r.result.aqi),
                    level,
                    cat,
                    r.result.primary.labels_zh(),
                    opt_dash(r.conc(Pollutant::So2)),
                    opt_dash(r.conc(Pollutant::No2)),
                    opt_dash(r.conc(Pollutant::Co)),
                    opt_dash(r.conc(Pollutant::O3)),
                    opt_dash(r.conc(Pollutant::Pm10)),
                    opt_dash(r.conc(Pollutant::Pm2_5)),
                    opt_dash(r.published_aqi()),
                    r.published_primary().labels_zh(),
                    r.result.missing.labels_zh(),
                ]);
            })?;
            t.write(out)?;
        }
    }
    if let Some(e) = err {
        return Err(e.into());
    }
    Ok(())
}

fn daily_values(v: &lantian_core::DailyInput) -> [String; 7] {
    [c(v.so2), c(v.no2), c(v.co), c(v.pm10), c(v.pm2_5), c(v.o3_max_1h), c(v.o3_mda8)]
}

fn station_daily(
    store: &dyn Store,
    stations: &[StationInfo],
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut json_rows: Vec<serde_json::Value> = Vec::new();
    lantian_service::for_each_station_daily(store, stations, from, to, |r: &StationDailyRow<'_>| {
        let (level, cat) = category(&r.result, format);
        let mut row = vec![
            r.station.code.clone(),
            r.station.name.clone().unwrap_or_default(),
            station_city(r.station),
            r.date.to_string(),
            opt(r.result.aqi),
            level,
            cat,
            if format == Format::Table { r.result.primary.labels_zh() } else { r.result.primary.codes() },
        ];
        row.extend(daily_values(&r.values));
        row.push(r.day.valid_hours[lantian_core::Pollutant::Pm2_5 as usize].to_string());
        row.push(standard_text(&r.result, format));
        if format == Format::Json {
            let mut m = crate::output::row_object(&DAILY_HEADER_STATION, &row);
            m.insert("primary".into(), json!(r.result.primary.iter().map(|i| i.code()).collect::<Vec<_>>()));
            m.insert("aqi".into(), json!(r.result.aqi));
            json_rows.push(serde_json::Value::Object(m));
        } else {
            rows.push(row);
        }
    })?;
    write_rows(&DAILY_HEADER_STATION, &DAILY_HEADER_STATION_ZH, rows, json_rows, format, out)
}

const DAILY_HEADER_STATION: [&str; 17] = [
    "station",
    "station_name",
    "city",
    "date",
    "aqi",
    "level",
    "category",
    "primary",
    "so2",
    "no2",
    "co",
    "pm10",
    "pm2_5",
    "o3_max_1h",
    "o3_mda8",
    "pm2_5_hours",
    "standard",
];
const DAILY_HEADER_STATION_ZH: [&str; 17] = [
    "站点",
    "名称",
    "城市",
    "日期",
    "AQI",
    "级别",
    "类别",
    "首要污染物",
    "SO2",
    "NO2",
    "CO",
    "PM10",
    "PM2.5",
    "臭氧1小时最大值",
    "臭氧8小时最大值",
    "PM2.5小时数",
    "标准",
];
const DAILY_HEADER_CITY: [&str; 17] = [
    "city",
    "date",
    "aqi",
    "level",
    "category",
    "primary",
    "so2",
    "no2",
    "co",
    "pm10",
    "pm2_5",
    "o3_max_1h",
    "o3_mda8",
    "source",
    "published_aqi",
    "computed_aqi",
    "computed_level",
];
const DAILY_HEADER_CITY_ZH: [&str; 17] = [
    "城市",
    "日期",
    "AQI",
    "级别",
    "类别",
    "首要污染物",
    "SO2",
    "NO2",
    "CO",
    "PM10",
    "PM2.5",
    "臭氧1小时最大值",
    "臭氧8小时最大值",
    "来源",
    "发布AQI",
    "计算AQI",
    "计算级别",
];

fn write_rows(
    header: &[&str],
    header_zh: &[&str],
    rows: Vec<Vec<String>>,
    json_rows: Vec<serde_json::Value>,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    Ok(crate::output::write_records(header, header_zh, &rows, Some(&json_rows), format, out)?)
}

/// City daily values: `aqi`, `level`, `category` and `primary` as every number uses them (the
/// published AQI of an imported day that has one), `computed_aqi` and `computed_level` lantian's own
/// AQI of the daily values; with `only_disagreements`, just the days where the two differ.
fn city_daily(
    store: &dyn Store,
    cities: &[CityInfo],
    from: NaiveDate,
    to: NaiveDate,
    only_disagreements: bool,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    let mut rows = Vec::new();
    let mut json_rows = Vec::new();
    for city in cities {
        for v in lantian_service::city_daily(store, city, from, to)? {
            if only_disagreements && v.disagreement().is_none() {
                continue;
            }
            let (level, cat) = category(&v.result, format);
            let source = source_text(&v.source, format);
            let published = match &v.source {
                DailySource::Stations { .. } => None,
                DailySource::Imported { published_aqi, .. } => *published_aqi,
            };
            let mut row = vec![
                city.display().to_string(),
                v.date.to_string(),
                opt(v.result.aqi),
                level,
                cat,
                if format == Format::Table { v.result.primary.labels_zh() } else { v.result.primary.codes() },
            ];
            row.extend(daily_values(&v.values));
            row.push(source);
            row.push(opt(published));
            row.push(opt(v.computed.aqi));
            row.push(category(&v.computed, format).0);
            if format == Format::Json {
                let mut m = crate::output::row_object(&DAILY_HEADER_CITY, &row);
                m.insert("city_code".into(), json!(city.code));
                m.insert("aqi".into(), json!(v.result.aqi));
                m.insert("published_aqi".into(), json!(published));
                m.insert("computed_aqi".into(), json!(v.computed.aqi));
                m.insert("computed_level".into(), json!(v.computed.category().map(|c| c.level())));
                m.insert("primary".into(), json!(v.result.primary.iter().map(|i| i.code()).collect::<Vec<_>>()));
                m.insert("standard".into(), json!(v.result.set.code()));
                json_rows.push(serde_json::Value::Object(m));
            } else {
                rows.push(row);
            }
        }
    }
    write_rows(&DAILY_HEADER_CITY, &DAILY_HEADER_CITY_ZH, rows, json_rows, format, out)
}

const CITY_HOURLY: [&str; 15] = [
    "city",
    "city_code",
    "time",
    "aqi",
    "level",
    "category",
    "primary",
    "so2",
    "no2",
    "co",
    "o3",
    "pm10",
    "pm2_5",
    "published_aqi",
    "source",
];
const CITY_HOURLY_ZH: [&str; 15] = [
    "城市",
    "代码",
    "时间",
    "AQI",
    "级别",
    "类别",
    "首要污染物",
    "SO2",
    "NO2",
    "CO",
    "O3",
    "PM10",
    "PM2.5",
    "发布AQI",
    "来源",
];

fn city_hourly(
    store: &dyn Store,
    cities: &[CityInfo],
    from: NaiveDate,
    to: NaiveDate,
    conv: RealTimeConvention,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    let mut rows = Vec::new();
    let mut json_rows = Vec::new();
    lantian_service::for_each_city_hourly(store, cities, from, to, conv, |r| {
        let (level, cat) = category(&r.result, format);
        let source = match (r.source, format) {
            (lantian_service::CityHourSource::CityFile, Format::Table) => "城市发布文件".to_string(),
            (lantian_service::CityHourSource::Stations(n), Format::Table) => format!("{n}个评价站点"),
            (lantian_service::CityHourSource::CityFile, _) => "city-file".to_string(),
            (lantian_service::CityHourSource::Stations(n), _) => format!("stations:{n}"),
        };
        let mut row = vec![
            r.city.display().to_string(),
            opt(r.city.code),
            if format == Format::Table { r.time.format("%Y-%m-%d %H:%M").to_string() } else { iso_time(r.time) },
            opt(r.result.aqi),
            level,
            cat,
            if format == Format::Table { r.result.primary.labels_zh() } else { r.result.primary.codes() },
        ];
        row.extend(r.conc.iter().map(|v| c(*v)));
        row.push(opt(r.published_aqi));
        row.push(source);
        if format == Format::Json {
            let mut m = crate::output::row_object(&CITY_HOURLY, &row);
            m.insert("aqi".into(), json!(r.result.aqi));
            m.insert("primary".into(), json!(r.result.primary.iter().map(|i| i.code()).collect::<Vec<_>>()));
            m.insert("standard".into(), json!(r.result.set.code()));
            json_rows.push(serde_json::Value::Object(m));
        } else {
            rows.push(row);
        }
    })?;
    write_rows(&CITY_HOURLY, &CITY_HOURLY_ZH, rows, json_rows, format, out)
}
