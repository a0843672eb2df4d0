//! Daily city values: the long CSV (`docs/formats.md` §3) and the aqistudy.cn history files (§4).
//! Monitoring data: only the province imports them (a city never sets the inputs of its own ranking).
//! Where a file publishes the day's AQI, every import reports the days lantian's AQI disagrees with.

use std::path::Path;

use lantian_ingest::{air::citydaily, CityDailyLayout, CityDailyRecord, IngestError};
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Counts, Dataset, Info, Input, OwnedBy, Recognition};
use crate::accounts::WriteMode;
use crate::import::PublishedAqiCheck;

/// Daily city values in one layout.
pub struct CityDaily {
    layout: CityDailyLayout,
    info: Info,
}

const WHY: &str = "daily city values are monitoring data: only the province imports them \
                   (a city never sets the inputs of its own ranking)";

/// The long CSV.
pub static LONG: CityDaily = CityDaily {
    layout: CityDailyLayout::Long,
    info: Info {
        name: "city-daily",
        name_zh: "城市日均值",
        what: "daily city values (long CSV)",
        recognition: Recognition::Header { required: &citydaily::LONG_HEADER, optional: &["o3_max_1h"], absent: &[] },
        doc: "§3",
        owned_by: OwnedBy::Province(Some(WHY)),
        proposals: false,
        batched: false,
        samples: &["city-daily.csv"],
    },
};

/// The aqistudy.cn history files (no header).
pub static AQISTUDY: CityDaily = CityDaily {
    layout: CityDailyLayout::Aqistudy,
    info: Info {
        name: "aqistudy-daily",
        name_zh: "城市日历史数据（aqistudy）",
        what: "aqistudy.cn daily city history (no header, 12 columns)",
        recognition: Recognition::Shape {
            test: |first, _| citydaily::looks_like_aqistudy(first),
            signature: "City,YYYY-MM-DD,AQI,min~max,level,PM2.5,PM10,SO2,CO,NO2,O3,rank",
        },
        doc: "§4",
        owned_by: OwnedBy::Province(Some(WHY)),
        proposals: false,
        batched: false,
        samples: &["aqistudy-daily.csv"],
    },
};

impl Dataset for CityDaily {
    type Records = Vec<CityDailyRecord>;

    fn info(&self) -> &Info {
        &self.info
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<CityDailyRecord>, IngestError> {
        citydaily::parse_city_daily(path, &input.text(path)?, self.layout)
    }
    fn rows(&self, r: &Vec<CityDailyRecord>) -> u64 {
        r.len() as u64
    }
    /// Seven values a day: six pollutants and the AQI.
    fn counts(&self, r: &Vec<CityDailyRecord>) -> Counts {
        Counts { rows: r.len() as u64, values: r.len() as u64 * 7, ..Counts::default() }
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<CityDailyRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.air().import_city_daily(meta, self.info.name, r)
    }
    fn published_aqi(&self, name: &Path, r: &Vec<CityDailyRecord>) -> Option<PublishedAqiCheck> {
        Some(crate::import::published_aqi_of(name, r))
    }
}
