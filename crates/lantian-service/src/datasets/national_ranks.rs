//! Ranks among the 168 national key cities, from the national bulletins (`docs/formats.md` §8).
//! Province-wide.

use std::path::Path;

use lantian_ingest::accountability::{self, NationalRankRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Dataset, Info, Input, OwnedBy, Recognition};
use crate::accounts::WriteMode;

/// 168-city ranks.
pub struct NationalRanks;

pub static NATIONAL_RANKS: NationalRanks = NationalRanks;

const INFO: Info = Info {
    name: "national-ranks",
    name_zh: "168城市排名",
    what: "ranks among the 168 national key cities, from the national bulletins",
    recognition: Recognition::Header { required: &["city", "period", "rank168"], optional: &[], absent: &[] },
    doc: "§8",
    owned_by: OwnedBy::Province(None),
    proposals: false,
    batched: false,
    samples: &["national-ranks.csv"],
};

impl Dataset for NationalRanks {
    type Records = Vec<NationalRankRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<NationalRankRecord>, IngestError> {
        accountability::parse_national_ranks(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<NationalRankRecord>) -> u64 {
        r.len() as u64
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<NationalRankRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.accountability().import_national_ranks(meta, r)
    }
}
