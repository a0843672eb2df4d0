//! Bonus/penalty items of the points scoring (加减分, `docs/formats.md` §7): a city's own are proposals
//! until the province approves them (they change its score).

use std::path::Path;

use lantian_ingest::accountability::{self, AdjustmentRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{approval, Dataset, Info, Input, OwnedBy, Owner, Recognition};
use crate::accounts::WriteMode;

/// Bonus/penalty items.
pub struct Adjustments;

pub static ADJUSTMENTS: Adjustments = Adjustments;

const INFO: Info = Info {
    name: "adjustments",
    name_zh: "加减分事项",
    what: "bonus/penalty items of the points scoring (加减分)",
    recognition: Recognition::Header {
        required: &["city", "date", "item", "evidence", "approver"],
        optional: &[],
        absent: &[],
    },
    doc: "§7",
    owned_by: OwnedBy::City,
    proposals: true,
    batched: false,
    samples: &["adjustments.csv"],
};

impl Dataset for Adjustments {
    type Records = Vec<AdjustmentRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<AdjustmentRecord>, IngestError> {
        accountability::parse_adjustments(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<AdjustmentRecord>) -> u64 {
        r.len() as u64
    }
    fn owners<'a>(&self, r: &'a Vec<AdjustmentRecord>) -> Vec<Owner<'a>> {
        r.iter().map(|x| Owner::City(&x.city)).collect()
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<AdjustmentRecord>,
        mode: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        match mode {
            WriteMode::Propose { by } => tx.accountability().propose_adjustments(meta, r, by, &meta.at),
            WriteMode::Approved { .. } => tx.accountability().import_adjustments(meta, r, &approval(meta, mode)),
        }
    }
}
