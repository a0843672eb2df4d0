//! City forecasts of the daily AQI (`docs/formats.md` §10.1), as CSV or JSON: every issuance is kept
//! and never rewritten; a city sends its own (alert decisions stay the province's).

use std::path::Path;

use lantian_ingest::emergency::{self, ForecastRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Dataset, Info, Input, OwnedBy, Owner, Recognition};
use crate::accounts::WriteMode;

/// Forecasts in one layout.
pub struct Forecasts {
    info: Info,
    read: fn(&Path, &str) -> Result<Vec<ForecastRecord>, IngestError>,
}

/// JSON: an array of forecast objects, or `{"forecasts": [...]}`.
pub static JSON: Forecasts = Forecasts {
    info: Info {
        name: "forecasts (JSON)",
        name_zh: "城市空气质量预报（JSON）",
        what: "city forecasts of the daily AQI, as JSON",
        recognition: Recognition::Shape {
            test: |_, text| emergency::looks_like_forecast_json(text),
            signature: "[{\"city\", \"issued_at\", \"date\", \"aqi\", …}]",
        },
        doc: "§10.1",
        owned_by: OwnedBy::City,
        proposals: false,
        batched: false,
        samples: &["forecasts.json"],
    },
    read: emergency::parse_forecast_json,
};

/// CSV, one row per city, issuance and day.
pub static CSV: Forecasts = Forecasts {
    info: Info {
        name: "forecasts",
        name_zh: "城市空气质量预报",
        what: "city forecasts of the daily AQI, one row per city, issuance and day",
        recognition: Recognition::Header {
            required: &["city", "issued_at", "date", "aqi"],
            optional: &["aqi_low", "aqi_high", "primary", "source"],
            absent: &[],
        },
        doc: "§10.1",
        owned_by: OwnedBy::City,
        proposals: false,
        batched: false,
        samples: &["forecasts.csv"],
    },
    read: emergency::parse_forecasts,
};

impl Dataset for Forecasts {
    type Records = Vec<ForecastRecord>;

    fn info(&self) -> &Info {
        &self.info
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<ForecastRecord>, IngestError> {
        (self.read)(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<ForecastRecord>) -> u64 {
        r.len() as u64
    }
    fn owners<'a>(&self, r: &'a Vec<ForecastRecord>) -> Vec<Owner<'a>> {
        r.iter().map(|x| Owner::City(&x.city)).collect()
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<ForecastRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.emergency().import_forecasts(meta, r)
    }
    /// Both layouts are the one kind `forecasts` in summaries and the upload report.
    fn kind_name(&self, _: &Vec<ForecastRecord>) -> &'static str {
        "forecasts"
    }
}
