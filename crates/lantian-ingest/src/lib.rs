//! lantian-ingest: readers for the real file formats the platform imports. Each reader yields
//! validated records or an [`IngestError`] naming the file, line, column and field. No database here:
//! the store decides what to do with the records.

pub mod citydaily;
pub mod cnemc;
pub mod emergency;
pub mod error;
pub mod events;
pub mod plausible;
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

/// One kind of input file the importer recognises: how it is detected — from the content (the first
/// line, or the whole text for JSON), never the file name — and read. [`KINDS`] is the one list: the
/// detector ([`parse_bytes`]), `lantian import --help` ([`kinds_help`]) and the "unrecognised format"
/// message are all made from it, so they cannot drift apart.
pub struct FileKind {
    /// Short name, as the import summary counts files ([`Parsed::kind_name`]).
    pub name: &'static str,
    /// What the file holds.
    pub what: &'static str,
    /// What identifies it: the header columns that must be present (any order), or the layout.
    pub signature: &'static str,
    /// The section of `docs/formats.md` that documents it.
    pub doc: &'static str,
    detect: fn(first: &str, text: &str) -> bool,
    parse: fn(&Path, &str) -> Result<Parsed, IngestError>,
}

impl FileKind {
    /// Whether a decoded text (with its first line) is of this kind.
    pub fn detects(&self, first: &str, text: &str) -> bool {
        (self.detect)(first, text)
    }
}

/// Every kind the importer detects, in the order the detector tries them (the first that matches
/// reads the file).
pub const KINDS: &[FileKind] = &[
    FileKind {
        name: "cnemc-sites / cnemc-cities",
        what: "CNEMC/quotsoft hourly wide file of stations or cities (china_sites_*, china_cities_*)",
        signature: "date,hour,type,<station codes or city names>",
        doc: "§1",
        detect: |first, _| cnemc::looks_like_wide(first),
        parse: |p, t| cnemc::parse_wide(p, t.as_bytes()).map(Parsed::Wide),
    },
    FileKind {
        name: "cnemc-realtime",
        what: "CNEMC real-time release rows (实时发布), one row per station and hour with the published AQI and primary pollutant",
        signature: "timepoint,stationcode,longitude,latitude,area,positionname,primarypollutant,aqi,…",
        doc: "§1b",
        detect: |first, _| realtime::looks_like_realtime(first),
        parse: |p, t| realtime::parse_realtime(p, t).map(Parsed::Wide),
    },
    FileKind {
        name: "forecasts (JSON)",
        what: "city forecasts of the daily AQI, as JSON",
        signature: "[{\"city\", \"issued_at\", \"date\", \"aqi\", …}]",
        doc: "§10.1",
        detect: |_, text| emergency::looks_like_forecast_json(text),
        parse: |p, t| emergency::parse_forecast_json(p, t).map(Parsed::Forecasts),
    },
    FileKind {
        name: "forecasts",
        what: "city forecasts of the daily AQI, one row per city, issuance and day",
        signature: "city,issued_at,date,aqi",
        doc: "§10.1",
        detect: |first, _| emergency::looks_like_forecasts(first),
        parse: |p, t| emergency::parse_forecasts(p, t).map(Parsed::Forecasts),
    },
    FileKind {
        name: "enterprises",
        what: "key-emitter registry (统一社会信用代码, industry, performance grade, lines, emissions)",
        signature: "credit_code,name,city,industry,grade",
        doc: "§10.2",
        detect: |first, _| emergency::looks_like_enterprises(first),
        parse: |p, t| emergency::parse_enterprises(p, t).map(Parsed::Enterprises),
    },
    FileKind {
        name: "plant-measures",
        what: "one-plant-one-policy measures (一厂一策) per alert level and line",
        signature: "credit_code,level,line,action",
        doc: "§10.3",
        detect: |first, _| emergency::looks_like_measures(first),
        parse: |p, t| emergency::parse_measures(p, t).map(Parsed::Measures),
    },
    FileKind {
        name: "emission-inventory",
        what: "city emission inventories (t/yr)",
        signature: "city,year,so2_t,nox_t,pm_t,vocs_t",
        doc: "§10.4",
        detect: |first, _| emergency::looks_like_inventory(first),
        parse: |p, t| emergency::parse_inventory(p, t).map(Parsed::Inventory),
    },
    FileKind {
        name: "city-measures",
        what: "non-industrial city measures per alert level (kg/day)",
        signature: "city,level,measure,so2_kg",
        doc: "§10.4",
        detect: |first, _| emergency::looks_like_city_measures(first),
        parse: |p, t| emergency::parse_city_measures(p, t).map(Parsed::CityMeasures),
    },
    FileKind {
        name: "cems-hourly",
        what: "CEMS hourly emissions of enterprises (kg/h)",
        signature: "credit_code,time,so2_kg,nox_kg,pm_kg",
        doc: "§10.5",
        detect: |first, _| emergency::looks_like_cems(first),
        parse: |p, t| emergency::parse_cems(p, t).map(Parsed::Cems),
    },
    FileKind {
        name: "power-use",
        what: "enterprise electricity use (daily or 15-minute kWh)",
        signature: "credit_code,time,kwh",
        doc: "§10.5",
        detect: |first, _| emergency::looks_like_power(first),
        parse: |p, t| emergency::parse_power(p, t).map(Parsed::Power),
    },
    FileKind {
        name: "pairing-visits",
        what: "pairing-department visits to cities (结对帮扶)",
        signature: "department,city,date_from,date_to,leader_rank",
        doc: "§10.6",
        detect: |first, _| emergency::looks_like_visits(first),
        parse: |p, t| emergency::parse_visits(p, t).map(Parsed::Visits),
    },
    FileKind {
        name: "station-list",
        what: "monitoring-station list (站点列表), GB18030 or UTF-8",
        signature: "监测点编码,监测点名称,城市,经度,纬度,对照点[,省级行政区,地级行政区]",
        doc: "§2",
        detect: |first, _| stations::looks_like_station_list(first),
        parse: |p, t| {
            stations::parse_station_list(p, t).map(|(stations, warnings)| Parsed::Stations { stations, warnings })
        },
    },
    FileKind {
        name: "city-daily",
        what: "daily city values (long CSV)",
        signature: "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8[,o3_max_1h]",
        doc: "§3",
        detect: |first, _| citydaily::looks_like_long(first),
        parse: |p, t| {
            citydaily::parse_city_daily(p, t, CityDailyLayout::Long)
                .map(|records| Parsed::CityDaily { layout: CityDailyLayout::Long, records })
        },
    },
    FileKind {
        name: "target-tasks",
        what: "target tasks of cities with owner departments",
        signature: "task,city,department,target,deadline",
        doc: "§9",
        detect: |first, _| events::looks_like_tasks(first),
        parse: |p, t| events::parse_tasks(p, t).map(Parsed::Tasks),
    },
    FileKind {
        name: "task-reports",
        what: "progress reports of target tasks",
        signature: "task,date,value (no city column)",
        doc: "§9",
        detect: |first, _| events::looks_like_task_reports(first),
        parse: |p, t| events::parse_task_reports(p, t).map(Parsed::TaskReports),
    },
    FileKind {
        name: "national-ranks",
        what: "ranks among the 168 national key cities, from the national bulletins",
        signature: "city,period,rank168",
        doc: "§8",
        detect: |first, _| events::looks_like_national_ranks(first),
        parse: |p, t| events::parse_national_ranks(p, t).map(Parsed::NationalRanks),
    },
    FileKind {
        name: "adjustments",
        what: "bonus/penalty items of the points scoring (加减分)",
        signature: "city,date,item,evidence,approver",
        doc: "§7",
        detect: |first, _| events::looks_like_adjustments(first),
        parse: |p, t| events::parse_adjustments(p, t).map(Parsed::Adjustments),
    },
    FileKind {
        name: "dust-events",
        what: "dust-affected city periods (扣沙)",
        signature: "city,start,end[,source]",
        doc: "§5",
        detect: |first, _| events::looks_like_dust(first),
        parse: |p, t| events::parse_dust(p, t).map(Parsed::Dust),
    },
    FileKind {
        name: "city-targets",
        what: "annual city targets (PM2.5, good-day ratio, heavy days)",
        signature: "city,year,pm2_5[,good_day_ratio,heavy_days,source]",
        doc: "§6",
        detect: |first, _| events::looks_like_targets(first),
        parse: |p, t| events::parse_targets(p, t).map(Parsed::Targets),
    },
    FileKind {
        name: "aqistudy-daily",
        what: "aqistudy.cn daily city history (no header, 12 columns)",
        signature: "City,YYYY-MM-DD,AQI,min~max,level,PM2.5,PM10,SO2,CO,NO2,O3,rank",
        doc: "§4",
        detect: |first, _| citydaily::looks_like_aqistudy(first),
        parse: |p, t| {
            citydaily::parse_city_daily(p, t, CityDailyLayout::Aqistudy)
                .map(|records| Parsed::CityDaily { layout: CityDailyLayout::Aqistudy, records })
        },
    },
];

/// The kinds as a help text: one line per kind with what identifies it.
pub fn kinds_help() -> String {
    let mut s = String::from(
        "Kinds of files, detected from the content (not the name), .csv/.txt or gzipped (.gz); \
         formats in docs/formats.md:\n",
    );
    for k in KINDS {
        s.push_str(&format!("  {:<27} {} — {} ({})\n", k.name, k.what, k.signature, k.doc));
    }
    s
}

/// The kind of a decoded text, by [`KINDS`] in order.
pub fn detect(text: &str) -> Option<&'static FileKind> {
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    KINDS.iter().find(|k| k.detects(first, text))
}

/// Detects the kind of a file's (decompressed) bytes and parses it.
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<Parsed, IngestError> {
    let body = bytes.strip_prefix(text::BOM).unwrap_or(bytes);
    let first_end = memchr::memchr(b'\n', body).unwrap_or(body.len());
    let first_raw = &body[..first_end];
    if body.is_empty() {
        return Err(IngestError::file(path, "empty file"));
    }
    // Fast path: the wide files are ASCII apart from a city header (the first kind of [`KINDS`]).
    if first_raw.len() >= 15 && first_raw[..15].eq_ignore_ascii_case(b"date,hour,type,") {
        return cnemc::parse_wide(path, bytes).map(Parsed::Wide);
    }
    let (text, _) = text::decode(path, bytes)?;
    match detect(&text) {
        Some(kind) => (kind.parse)(path, &text),
        None => {
            let expected: Vec<String> = KINDS.iter().map(|k| format!("{} ({})", k.name, k.signature)).collect();
            Err(IngestError::at(path, 1, format!("unrecognised format: expected one of {}", expected.join("; "))))
        }
    }
}

/// Reads (decompressing gzip) and parses a file.
pub fn parse_file(path: &Path) -> Result<Parsed, IngestError> {
    let bytes = text::read_bytes(path)?;
    parse_bytes(path, &bytes)
}

#[cfg(test)]
mod kind_tests {
    use super::*;

    /// Each kind's documented signature is detected as that kind (the help and the detector agree).
    #[test]
    fn every_signature_is_detected_as_its_kind() {
        let examples: [(&str, &str); 20] = [
            ("cnemc-sites / cnemc-cities", "date,hour,type,1001A,1002A\n"),
            (
                "cnemc-realtime",
                "timepoint,stationcode,longitude,latitude,area,positionname,primarypollutant,aqi,pm10,pm10_24h,\
                 pm2_5,pm2_5_24h,o3,o3_24h,o3_8h,o3_8h_24h,no2,no2_24h,so2,so2_24h,co,co_24h\n",
            ),
            (
                "forecasts (JSON)",
                "[{\"city\": \"成都\", \"issued_at\": \"2022-12-20T16:00\", \"date\": \"2022-12-21\", \"aqi\": 230}]",
            ),
            ("forecasts", "city,issued_at,date,aqi,aqi_low,aqi_high,primary,source\n"),
            ("enterprises", "credit_code,name,city,county,industry,grade,lines\n"),
            ("plant-measures", "credit_code,level,line,action,param\n"),
            ("emission-inventory", "city,year,so2_t,nox_t,pm_t,vocs_t,basis,source\n"),
            ("city-measures", "city,level,measure,so2_kg,nox_kg,pm_kg,vocs_kg\n"),
            ("cems-hourly", "credit_code,time,point,so2_kg,nox_kg,pm_kg\n"),
            ("power-use", "credit_code,time,kwh\n"),
            ("pairing-visits", "department,city,date_from,date_to,on_site,leader_name,leader_rank\n"),
            ("station-list", "监测点编码,监测点名称,城市,经度,纬度,对照点\n"),
            ("city-daily", "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n"),
            ("target-tasks", "task,city,department,description,unit,kind,baseline,target,start,deadline\n"),
            ("task-reports", "task,date,value,source\n"),
            ("national-ranks", "city,period,rank168\n"),
            ("adjustments", "city,date,item,evidence,approver\n"),
            ("dust-events", "city,start,end,source\n"),
            ("city-targets", "city,year,pm2_5,good_day_ratio,heavy_days,source\n"),
            ("aqistudy-daily", "成都,2015-01-01,150,93~202,轻度污染,114,150,16,1.6,61,38,290\n"),
        ];
        assert_eq!(examples.len(), KINDS.len());
        for (name, text) in examples {
            assert_eq!(detect(text).map(|k| k.name), Some(name), "{text}");
        }
        let help = kinds_help();
        for k in KINDS {
            assert!(help.contains(k.name), "{}", k.name);
        }
    }
}
