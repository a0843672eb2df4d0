//! One file into the store: detect, parse, prepare and write — the path shared by `lantian import`,
//! `lantian demo` and the web upload (`POST /api/v1/uploads`). Each file is one transaction: a rejected
//! file leaves the store unchanged, and importing the same content again changes nothing.

use std::path::Path;

use lantian_ingest::{IngestError, Parsed};
use lantian_store::{FileMeta, ImportOutcome, PreparedWide, Store, StoreError};

/// A file parsed and, for wide files, already encoded for the store.
pub enum Ready {
    Wide(PreparedWide),
    Other(Parsed),
}

impl Ready {
    /// The kind of the file (`cnemc-sites`, `cnemc-realtime`, `city-daily`, …).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Ready::Wide(p) => p.wide.kind_name(),
            Ready::Other(p) => p.kind_name(),
        }
    }

    /// Data rows in the file.
    pub fn rows(&self) -> u64 {
        match self {
            Ready::Wide(p) => p.wide.rows as u64,
            Ready::Other(p) => match p {
                Parsed::Stations { stations, .. } => stations.len() as u64,
                Parsed::CityDaily { records, .. } => records.len() as u64,
                Parsed::Dust(r) => r.len() as u64,
                Parsed::Targets(r) => r.len() as u64,
                Parsed::Adjustments(r) => r.len() as u64,
                Parsed::NationalRanks(r) => r.len() as u64,
                Parsed::Tasks(r) => r.len() as u64,
                Parsed::TaskReports(r) => r.len() as u64,
                Parsed::Forecasts(r) => r.len() as u64,
                Parsed::Enterprises(r) => r.len() as u64,
                Parsed::Measures(r) => r.len() as u64,
                Parsed::Inventory(r) => r.len() as u64,
                Parsed::CityMeasures(r) => r.len() as u64,
                Parsed::Power(r) => r.len() as u64,
                Parsed::Cems(r) => r.len() as u64,
                Parsed::Visits(r) => r.len() as u64,
                Parsed::Wide(w) => w.rows as u64,
            },
        }
    }
}

/// Reads nothing: `raw` is the file's content as received (possibly gzip), `name` names it in errors.
pub fn prepare(name: &Path, raw: Vec<u8>, at: &str) -> Result<(FileMeta, Ready), IngestError> {
    let meta = FileMeta::new(&name.display().to_string(), &raw, at);
    let bytes = lantian_ingest::text::decompress(name, raw)?;
    let ready = match lantian_ingest::parse_bytes(name, &bytes)? {
        Parsed::Wide(w) => Ready::Wide(PreparedWide::new(w)),
        other => Ready::Other(other),
    };
    Ok((meta, ready))
}

/// Writes a prepared file in one transaction.
pub fn write(store: &mut dyn Store, meta: &FileMeta, ready: &Ready) -> Result<ImportOutcome, StoreError> {
    match ready {
        Ready::Wide(p) => store.import_wide(meta, p),
        Ready::Other(Parsed::Stations { stations, .. }) => store.import_stations(meta, stations),
        Ready::Other(Parsed::CityDaily { records, .. }) => store.import_city_daily(meta, ready.kind_name(), records),
        Ready::Other(Parsed::Dust(records)) => store.import_dust(meta, records),
        Ready::Other(Parsed::Targets(records)) => store.import_targets(meta, records),
        Ready::Other(Parsed::Adjustments(records)) => store.import_adjustments(meta, records),
        Ready::Other(Parsed::NationalRanks(records)) => store.import_national_ranks(meta, records),
        Ready::Other(Parsed::Tasks(records)) => store.import_tasks(meta, records),
        Ready::Other(Parsed::TaskReports(records)) => store.import_task_reports(meta, records),
        Ready::Other(Parsed::Forecasts(records)) => store.import_forecasts(meta, records),
        Ready::Other(Parsed::Enterprises(records)) => store.import_enterprises(meta, records),
        Ready::Other(Parsed::Measures(records)) => store.import_measures(meta, records),
        Ready::Other(Parsed::Inventory(records)) => store.import_inventory(meta, records),
        Ready::Other(Parsed::CityMeasures(records)) => store.import_city_measures(meta, records),
        Ready::Other(Parsed::Power(records)) => store.import_power(meta, records),
        Ready::Other(Parsed::Cems(records)) => store.import_cems(meta, records),
        Ready::Other(Parsed::Visits(records)) => store.import_visits(meta, records),
        // `prepare` encodes every wide file; an unprepared one is a program error, reported for the
        // file rather than panicking.
        Ready::Other(Parsed::Wide(_)) => Err(StoreError::Input("internal error: wide file not prepared".into())),
    }
}
