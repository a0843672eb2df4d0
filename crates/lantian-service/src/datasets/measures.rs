//! One-plant-one-policy measures (一厂一策, `docs/formats.md` §10.3): records of registered
//! enterprises, owned by the city each enterprise is registered in.

use std::path::Path;

use lantian_ingest::emergency::{self, MeasureRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Dataset, Info, Input, OwnedBy, Owner, Recognition};
use crate::accounts::WriteMode;

/// Plant measures.
pub struct Measures;

pub static MEASURES: Measures = Measures;

const INFO: Info = Info {
    name: "plant-measures",
    name_zh: "一厂一策管控措施",
    what: "one-plant-one-policy measures (一厂一策) per alert level and line",
    recognition: Recognition::Header {
        required: &["credit_code", "level", "line", "action"],
        optional: &["param", "process", "so2_kg", "nox_kg", "pm_kg", "vocs_kg", "plan_version"],
        absent: &[],
    },
    doc: "§10.3",
    owned_by: OwnedBy::Enterprise,
    proposals: false,
    batched: false,
    samples: &["plant-measures.csv"],
};

impl Dataset for Measures {
    type Records = Vec<MeasureRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<MeasureRecord>, IngestError> {
        emergency::parse_measures(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<MeasureRecord>) -> u64 {
        r.len() as u64
    }
    fn owners<'a>(&self, r: &'a Vec<MeasureRecord>) -> Vec<Owner<'a>> {
        r.iter().map(|x| Owner::Enterprise(&x.credit_code)).collect()
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<MeasureRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.emergency().import_measures(meta, r)
    }
}
