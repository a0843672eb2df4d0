//! Dust-affected city periods (扣沙, `docs/formats.md` §5): a city's own are proposals until the
//! province approves them (they change its assessment).

use std::path::Path;

use lantian_ingest::accountability::{self, DustRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{approval, Dataset, Info, Input, OwnedBy, Owner, Recognition};
use crate::accounts::WriteMode;

/// Dust periods.
pub struct Dust;

pub static DUST: Dust = Dust;

const INFO: Info = Info {
    name: "dust-events",
    name_zh: "扣沙时段",
    what: "dust-affected city periods (扣沙)",
    recognition: Recognition::Header { required: &["city", "start", "end"], optional: &["source"], absent: &[] },
    doc: "§5",
    owned_by: OwnedBy::City,
    proposals: true,
    batched: false,
    samples: &["dust-events.csv"],
};

impl Dataset for Dust {
    type Records = Vec<DustRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<DustRecord>, IngestError> {
        accountability::parse_dust(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<DustRecord>) -> u64 {
        r.len() as u64
    }
    fn owners<'a>(&self, r: &'a Vec<DustRecord>) -> Vec<Owner<'a>> {
        r.iter().map(|x| Owner::City(&x.city)).collect()
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<DustRecord>,
        mode: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        match mode {
            WriteMode::Propose { by } => tx.accountability().propose_dust(meta, r, by, &meta.at),
            WriteMode::Approved { .. } => tx.accountability().import_dust(meta, r, &approval(meta, mode)),
        }
    }
}
