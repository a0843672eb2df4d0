//! lantian-ingest: readers for the real file formats the platform imports. Each reader yields
//! validated records or an [`IngestError`] naming the file, line, column and field. No database here:
//! the store decides what to do with the records.

pub mod citydaily;
pub mod cnemc;
pub mod emergency;
pub mod error;
pub mod events;
pub mod realtime;
pub mod stations;
pub mod text;

use std::path::Path;

pub use citydaily::{CityDailyLayout, CityDailyRecord};
pub use cnemc::{StationDescription, WideFile, WideKind, WideSource};
pub use error::IngestError;
pub use stations::StationRecord;

/// The content of one input file, its kind detected from the content (not the name).
#[derive(Debug)]
pub enum Parsed {
    /// CNEMC wide file (`china_sites_*` or `china_cities_*`), or rows of the real-time release read
    /// into the same structure ([`realtime`]).
    Wide(WideFile),
    /// Station list.
    Stations { stations: Vec<StationRecord>, warnings: Vec<String> },
    /// Daily city values (long CSV or aqistudy).
    CityDaily { layout: CityDailyLayout, records: Vec<CityDailyRecord> },
    /// Dust-affected city periods (扣沙).
    Dust(Vec<events::DustRecord>),
    /// Annual city targets.
    Targets(Vec<events::TargetRecord>),
    /// Bonus/penalty items of cities (加减分).
    Adjustments(Vec<events::AdjustmentRecord>),
    /// Ranks among the 168 national key cities (national bulletins).
    NationalRanks(Vec<events::NationalRankRecord>),
    /// Target tasks of cities.
    Tasks(Vec<events::TaskRecord>),
    /// Progress reports of target tasks.
    TaskReports(Vec<events::TaskReportRecord>),
    /// City forecasts of daily AQI (one or more issuances).
    Forecasts(Vec<emergency::ForecastRecord>),
    /// The key-emitter registry.
    Enterprises(Vec<emergency::EnterpriseRecord>),
    /// One-plant-one-policy measures (一厂一策).
    Measures(Vec<emergency::MeasureRecord>),
    /// City emission inventories.
    Inventory(Vec<emergency::InventoryRecord>),
    /// Non-industrial city measures per alert level.
    CityMeasures(Vec<emergency::CityMeasureRecord>),
    /// Enterprise electricity use.
    Power(Vec<emergency::PowerRecord>),
    /// CEMS hourly emissions.
    Cems(Vec<emergency::CemsRecord>),
    /// Pairing visits.
    Visits(Vec<emergency::VisitRecord>),
}

impl Parsed {
    /// Short name of the kind, for summaries.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Parsed::Wide(w) => w.kind_name(),
            Parsed::Stations { .. } => "station-list",
            Parsed::CityDaily { layout: CityDailyLayout::Long, .. } => "city-daily",
            Parsed::CityDaily { .. } => "aqistudy-daily",
            Parsed::Dust(_) => "dust-events",
            Parsed::Targets(_) => "city-targets",
            Parsed::Adjustments(_) => "adjustments",
            Parsed::NationalRanks(_) => "national-ranks",
            Parsed::Tasks(_) => "target-tasks",
            Parsed::TaskReports(_) => "task-reports",
            Parsed::Forecasts(_) => "forecasts",
            Parsed::Enterprises(_) => "enterprises",
            Parsed::Measures(_) => "plant-measures",
            Parsed::Inventory(_) => "emission-inventory",
            Parsed::CityMeasures(_) => "city-measures",
            Parsed::Power(_) => "power-use",
            Parsed::Cems(_) => "cems-hourly",
            Parsed::Visits(_) => "pairing-visits",
        }
    }
}

/// Detects the kind of a file's (decompressed) bytes and parses it.
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<Parsed, IngestError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_end = body.iter().position(|c| *c == b'\n').unwrap_or(body.len());
    let first_raw = &body[..first_end];
    if body.is_empty() {
        return Err(IngestError::file(path, "empty file"));
    }
    // Fast path: the wide files are ASCII apart from a city header.
    if first_raw.len() >= 15 && first_raw[..15].eq_ignore_ascii_case(b"date,hour,type,") {
        return cnemc::parse_wide(path, body).map(Parsed::Wide);
    }
    let (text, _) = text::decode(path, body)?;
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if realtime::looks_like_realtime(first) {
        return realtime::parse_realtime(path, &text).map(Parsed::Wide);
    }
    if emergency::looks_like_forecast_json(&text) {
        return emergency::parse_forecast_json(path, &text).map(Parsed::Forecasts);
    }
    if emergency::looks_like_forecasts(first) {
        return emergency::parse_forecasts(path, &text).map(Parsed::Forecasts);
    }
    if emergency::looks_like_enterprises(first) {
        return emergency::parse_enterprises(path, &text).map(Parsed::Enterprises);
    }
    if emergency::looks_like_measures(first) {
        return emergency::parse_measures(path, &text).map(Parsed::Measures);
    }
    if emergency::looks_like_inventory(first) {
        return emergency::parse_inventory(path, &text).map(Parsed::Inventory);
    }
    if emergency::looks_like_city_measures(first) {
        return emergency::parse_city_measures(path, &text).map(Parsed::CityMeasures);
    }
    if emergency::looks_like_cems(first) {
        return emergency::parse_cems(path, &text).map(Parsed::Cems);
    }
    if emergency::looks_like_power(first) {
        return emergency::parse_power(path, &text).map(Parsed::Power);
    }
    if emergency::looks_like_visits(first) {
        return emergency::parse_visits(path, &text).map(Parsed::Visits);
    }
    if stations::looks_like_station_list(first) {
        let (stations, warnings) = stations::parse_station_list(path, &text)?;
        return Ok(Parsed::Stations { stations, warnings });
    }
    if citydaily::looks_like_long(first) {
        let records = citydaily::parse_city_daily(path, &text, CityDailyLayout::Long)?;
        return Ok(Parsed::CityDaily { layout: CityDailyLayout::Long, records });
    }
    if events::looks_like_tasks(first) {
        return events::parse_tasks(path, &text).map(Parsed::Tasks);
    }
    if events::looks_like_task_reports(first) {
        return events::parse_task_reports(path, &text).map(Parsed::TaskReports);
    }
    if events::looks_like_national_ranks(first) {
        return events::parse_national_ranks(path, &text).map(Parsed::NationalRanks);
    }
    if events::looks_like_adjustments(first) {
        return events::parse_adjustments(path, &text).map(Parsed::Adjustments);
    }
    if events::looks_like_dust(first) {
        return events::parse_dust(path, &text).map(Parsed::Dust);
    }
    if events::looks_like_targets(first) {
        return events::parse_targets(path, &text).map(Parsed::Targets);
    }
    if citydaily::looks_like_aqistudy(first) {
        let records = citydaily::parse_city_daily(path, &text, CityDailyLayout::Aqistudy)?;
        return Ok(Parsed::CityDaily { layout: CityDailyLayout::Aqistudy, records });
    }
    Err(IngestError::at(
        path,
        1,
        "unrecognised format: expected a CNEMC wide file (date,hour,type,…), CNEMC real-time release rows \
         (timepoint,stationcode,…), a station list (监测点编码,…), \
         a daily city CSV (city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8), an aqistudy daily file, \
         dust periods (city,start,end), city targets (city,year,pm2_5) adjustments \
         (city,date,item,evidence,approver) 168-city ranks (city,period,rank168), \
         target tasks (task,city,department,target,deadline), task reports (task,date,value), \
         forecasts (city,issued_at,date,aqi), enterprises (credit_code,name,city,industry,grade), \
         plant measures (credit_code,level,line,action), inventories (city,year,so2_t,nox_t,pm_t,vocs_t), \
         city measures (city,level,measure,so2_kg), power use (credit_code,time,kwh), \
         CEMS (credit_code,time,so2_kg,nox_kg,pm_kg) or pairing visits (department,city,date_from,date_to,leader_rank)",
    ))
}

/// Reads (decompressing gzip) and parses a file.
pub fn parse_file(path: &Path) -> Result<Parsed, IngestError> {
    let bytes = text::read_bytes(path)?;
    parse_bytes(path, &bytes)
}
