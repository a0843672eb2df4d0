//! Non-industrial city measures per alert level (`docs/formats.md` §10.4), owned by their city.

use std::path::Path;

use lantian_ingest::emergency::{self, CityMeasureRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Dataset, Info, Input, OwnedBy, Owner, Recognition};
use crate::accounts::WriteMode;

/// Non-industrial city measures.
pub struct CityMeasures;

pub static CITY_MEASURES: CityMeasures = CityMeasures;

const INFO: Info = Info {
    name: "city-measures",
    name_zh: "城市非工业减排措施",
    what: "non-industrial city measures per alert level (kg/day)",
    recognition: Recognition::Header {
        required: &["city", "level", "measure", "so2_kg"],
        optional: &["nox_kg", "pm_kg", "vocs_kg"],
        absent: &[],
    },
    doc: "§10.4",
    owned_by: OwnedBy::City,
    proposals: false,
    batched: false,
    samples: &["city-measures.csv"],
};

impl Dataset for CityMeasures {
    type Records = Vec<CityMeasureRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<CityMeasureRecord>, IngestError> {
        emergency::parse_city_measures(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<CityMeasureRecord>) -> u64 {
        r.len() as u64
    }
    fn owners<'a>(&self, r: &'a Vec<CityMeasureRecord>) -> Vec<Owner<'a>> {
        r.iter().map(|x| Owner::City(&x.city)).collect()
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<CityMeasureRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.emergency().import_city_measures(meta, r)
    }
}
