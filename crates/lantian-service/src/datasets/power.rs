//! Enterprise electricity use, daily or 15-minute kWh (`docs/formats.md` §10.5): records of registered
//! enterprises, owned by the city each enterprise is registered in.

use std::path::Path;

use lantian_ingest::emergency::{self, PowerRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Dataset, Info, Input, OwnedBy, Owner, Recognition};
use crate::accounts::WriteMode;

/// Electricity use.
pub struct Power;

pub static POWER: Power = Power;

const INFO: Info = Info {
    name: "power-use",
    name_zh: "企业用电量",
    what: "enterprise electricity use (daily or 15-minute kWh)",
    recognition: Recognition::Header {
        required: &["credit_code", "time", "kwh"],
        optional: &["interval"],
        absent: &[],
    },
    doc: "§10.5",
    owned_by: OwnedBy::Enterprise,
    proposals: false,
    batched: false,
    samples: &["power-use.csv"],
};

impl Dataset for Power {
    type Records = Vec<PowerRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<PowerRecord>, IngestError> {
        emergency::parse_power(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<PowerRecord>) -> u64 {
        r.len() as u64
    }
    fn owners<'a>(&self, r: &'a Vec<PowerRecord>) -> Vec<Owner<'a>> {
        r.iter().map(|x| Owner::Enterprise(&x.credit_code)).collect()
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<PowerRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.enterprises().import_power(meta, r)
    }
}
