//! Monitoring-station lists (站点列表, `docs/formats.md` §2), GB18030 or UTF-8. Province-wide.

use std::path::Path;

use lantian_ingest::{air::stations, IngestError, StationRecord};
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Counts, Dataset, Info, Input, OwnedBy, Recognition};
use crate::accounts::WriteMode;

/// The station list.
pub struct Stations;

/// A station list's stations and the reader's warnings.
pub struct StationList {
    pub stations: Vec<StationRecord>,
    pub warnings: Vec<String>,
}

pub static STATIONS: Stations = Stations;

const INFO: Info = Info {
    name: "station-list",
    name_zh: "监测站点列表",
    what: "monitoring-station list (站点列表), GB18030 or UTF-8",
    recognition: Recognition::Header {
        required: &["监测点编码", "监测点名称"],
        optional: &["城市", "经度", "纬度", "对照点", "省级行政区", "地级行政区"],
        absent: &[],
    },
    doc: "§2",
    owned_by: OwnedBy::Province(None),
    proposals: false,
    batched: false,
    samples: &["station-list.csv"],
};

impl Dataset for Stations {
    type Records = StationList;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<StationList, IngestError> {
        let (stations, warnings) = stations::parse_station_list(path, &input.text(path)?)?;
        Ok(StationList { stations, warnings })
    }
    fn rows(&self, r: &StationList) -> u64 {
        r.stations.len() as u64
    }
    fn counts(&self, r: &StationList) -> Counts {
        Counts {
            rows: self.rows(r),
            stations: r.stations.iter().map(|s| s.code.clone()).collect(),
            ..Counts::default()
        }
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &StationList,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.air().import_stations(meta, &r.stations)
    }
    fn warnings(&self, r: &StationList) -> Vec<String> {
        r.warnings.clone()
    }
}
