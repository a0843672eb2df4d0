//! Annual city targets (`docs/formats.md` §6): set by the province, which alone imports them.

use std::path::Path;

use lantian_ingest::accountability::{self, TargetRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Dataset, Info, Input, OwnedBy, Recognition};
use crate::accounts::WriteMode;

/// Annual targets.
pub struct Targets;

pub static TARGETS: Targets = Targets;

const INFO: Info = Info {
    name: "city-targets",
    name_zh: "年度目标",
    what: "annual city targets (PM2.5, good-day ratio, heavy days)",
    recognition: Recognition::Header {
        required: &["city", "year", "pm2_5"],
        optional: &["good_day_ratio", "heavy_days", "source"],
        absent: &[],
    },
    doc: "§6",
    owned_by: OwnedBy::Province(Some(
        "annual targets are set by the province: only an administrator imports them (a city never sets its own \
         targets)",
    )),
    proposals: false,
    batched: false,
    samples: &["city-targets.csv"],
};

impl Dataset for Targets {
    type Records = Vec<TargetRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<TargetRecord>, IngestError> {
        accountability::parse_targets(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<TargetRecord>) -> u64 {
        r.len() as u64
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<TargetRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.accountability().import_targets(meta, r)
    }
}
