//! Hourly monitoring data: the CNEMC/quotsoft wide files of stations or cities (`docs/formats.md` §1)
//! and the real-time release rows read into the same structure (§1b). Province-wide (they come from the
//! monitoring network); encoded for the store on the reading thread ([`PreparedWide`]) and written by
//! `import_wide`, consecutive files sharing one transaction. The quotsoft files are read from their
//! bytes without decoding the whole text (the fast path of [`super::parse_bytes`]).

use std::path::Path;

use lantian_ingest::{air::cnemc, air::realtime, IngestError, WideFile, WideKind};
use lantian_store::{FileMeta, ImportOutcome, PreparedWide, StoreError, Tx};

use super::{Counts, Dataset, Info, Input, OwnedBy, Recognition};
use crate::accounts::WriteMode;

/// A kind of hourly file: its declaration and its reader.
pub struct Hourly {
    info: Info,
    read: fn(&Path, &Input<'_>) -> Result<WideFile, IngestError>,
}

/// CNEMC/quotsoft wide files.
pub static WIDE: Hourly = Hourly {
    info: Info {
        name: "cnemc-sites / cnemc-cities",
        name_zh: "站点或城市小时数据（宽表）",
        what: "CNEMC/quotsoft hourly wide file of stations or cities (china_sites_*, china_cities_*)",
        recognition: Recognition::Shape {
            test: |first, _| cnemc::looks_like_wide(first),
            signature: "date,hour,type,<station codes or city names>",
        },
        doc: "§1",
        owned_by: OwnedBy::Province(None),
        proposals: false,
        batched: true,
        samples: &["cnemc-sites.csv", "cnemc-cities.csv"],
    },
    read: |path, input| cnemc::parse_wide(path, input.bytes()),
};

/// CNEMC real-time release rows.
pub static REALTIME: Hourly = Hourly {
    info: Info {
        name: "cnemc-realtime",
        name_zh: "实时发布数据",
        what: "CNEMC real-time release rows (实时发布), one row per station and hour with the published AQI and \
               primary pollutant",
        recognition: Recognition::Shape {
            test: |first, _| realtime::looks_like_realtime(first),
            signature: "timepoint,stationcode,longitude,latitude,area,positionname,primarypollutant,aqi,…",
        },
        doc: "§1b",
        owned_by: OwnedBy::Province(None),
        proposals: false,
        batched: true,
        samples: &["cnemc-realtime.csv"],
    },
    read: |path, input| realtime::parse_realtime(path, &input.text(path)?),
};

impl Dataset for Hourly {
    type Records = PreparedWide;

    fn info(&self) -> &Info {
        &self.info
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<PreparedWide, IngestError> {
        (self.read)(path, input).map(PreparedWide::new)
    }
    fn rows(&self, p: &PreparedWide) -> u64 {
        p.wide.rows as u64
    }
    fn counts(&self, p: &PreparedWide) -> Counts {
        Counts {
            rows: p.wide.rows as u64,
            values: p.wide.values,
            station_hours: p.station_hours,
            stations: if p.wide.kind == WideKind::Sites { p.wide.columns.clone() } else { Vec::new() },
        }
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        p: &PreparedWide,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.air().import_wide(meta, p)
    }
    fn kind_name(&self, p: &PreparedWide) -> &'static str {
        p.wide.kind_name()
    }
    fn warnings(&self, p: &PreparedWide) -> Vec<String> {
        p.wide.warnings.clone()
    }
}
