//! CEMS hourly emissions of enterprises, kg/h (`docs/formats.md` §10.5): records of registered
//! enterprises, owned by the city each enterprise is registered in.

use std::path::Path;

use lantian_ingest::emergency::{self, CemsRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Dataset, Info, Input, OwnedBy, Owner, Recognition};
use crate::accounts::WriteMode;

/// CEMS hours.
pub struct Cems;

pub static CEMS: Cems = Cems;

const INFO: Info = Info {
    name: "cems-hourly",
    name_zh: "企业在线监测小时排放",
    what: "CEMS hourly emissions of enterprises (kg/h)",
    recognition: Recognition::Header {
        required: &["credit_code", "time", "so2_kg", "nox_kg", "pm_kg"],
        optional: &["point"],
        absent: &[],
    },
    doc: "§10.5",
    owned_by: OwnedBy::Enterprise,
    proposals: false,
    batched: false,
    samples: &["cems-hourly.csv"],
};

impl Dataset for Cems {
    type Records = Vec<CemsRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<CemsRecord>, IngestError> {
        emergency::parse_cems(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<CemsRecord>) -> u64 {
        r.len() as u64
    }
    fn owners<'a>(&self, r: &'a Vec<CemsRecord>) -> Vec<Owner<'a>> {
        r.iter().map(|x| Owner::Enterprise(&x.credit_code)).collect()
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<CemsRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.enterprises().import_cems(meta, r)
    }
}
