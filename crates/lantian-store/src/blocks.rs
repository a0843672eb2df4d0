//! The merge of one label day of a wide file into the stored hourly blocks of that date — the part of
//! an hourly import both backends share, pure (no I/O): given the stored blocks of the date, it returns
//! the blocks to write and counts what the file changed. The backend reads the stored blocks, writes
//! the returned ones and invalidates the cached daily evaluations of their chunks (sqlite.rs and
//! postgres/air.rs `import_wide`).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use lantian_core::air::hours::LabelDay;
use lantian_ingest::WideFile;

use crate::{codec, merge, sqlite::revisions, ImportOutcome, PreparedWide, Result, StoreError};

/// A block to write: its chunk, the number of ids in it, and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockWrite {
    pub chunk: i64,
    pub entries: usize,
    pub data: Vec<u8>,
}

/// Merges label day `di` of a prepared wide file (its columns already encoded; `ids`: the store id of
/// each column) into `stored` (chunk → block of that date) and returns the blocks
/// whose bytes change, in chunk order. Each column the file covers on that date becomes the file's day
/// when the file covers every cell or nothing was stored, else the stored day with the covered cells
/// replaced ([`merge::merge_label_day`]); counts (inserted, updated, unchanged) and revisions with
/// examples go to `out`. `kind` and `path` name the block and the file in messages.
pub fn merge_wide_day(
    prepared: &PreparedWide,
    di: usize,
    ids: &[i64],
    stored: &BTreeMap<i64, Vec<u8>>,
    kind: i64,
    path: &str,
    out: &mut ImportOutcome,
) -> Result<Vec<BlockWrite>> {
    let wide: &WideFile = &prepared.wide;
    let blobs = &prepared.blobs[di];
    let (date, cols) = &wide.days[di];
    let mut existing: HashMap<i64, &[u8]> = HashMap::new();
    for (c, b) in stored {
        for (id, e) in
            codec::block_entries(*c, b).ok_or_else(|| StoreError::Corrupt(format!("day_block {kind} {date} {c}")))?
        {
            existing.insert(id, e);
        }
    }
    let mut buf = Vec::with_capacity(1024);
    // The new content of every id the file names.
    let mut new_entries: BTreeMap<i64, Cow<'_, [u8]>> = BTreeMap::new();
    for (j, day) in cols.iter().enumerate() {
        let id = ids[j];
        // The cells of this column the file covers (rows present, the station-hours of release rows,
        // less the cells a truncated last row lacks).
        let covered = wide.coverage(di, j);
        if covered.iter().all(|m| *m == 0) {
            // The file says nothing about this column on this date.
            continue;
        }
        let full = covered == merge::ALL_CELLS;
        let old = existing.get(&id).copied();
        let decode =
            |b: &[u8]| codec::decode(b).ok_or_else(|| StoreError::Corrupt(format!("day_block {kind} {date} id {id}")));
        // The merged day, encoded; and its revisions when they were computed on the way.
        let mut delta: Option<merge::RevisionDelta> = None;
        let new_blob: Cow<'_, [u8]> = match old {
            // Stored cells the file does not all cover: merged.
            Some(b) if !full => {
                let (merged, d) = merge::merge_label_day(Some(&decode(b)?), day, &covered);
                codec::encode(&merged, &mut buf);
                delta = Some(d);
                Cow::Owned(buf.clone())
            }
            // The file covers every cell, or nothing was stored (a cell the file does not cover is
            // missing in its day): the merged day is the file's, already encoded.
            _ => {
                debug_assert!(merge::within(day, &covered), "{} {date}: a value outside the coverage", wide.columns[j]);
                if old.is_some() && blobs[j].is_empty() {
                    codec::encode(&LabelDay::default(), &mut buf);
                    Cow::Owned(buf.clone())
                } else {
                    Cow::Borrowed(blobs[j].as_slice())
                }
            }
        };
        match old {
            None if new_blob.is_empty() => continue,
            Some(b) if b == &*new_blob => out.unchanged += 1,
            Some(b) => {
                out.updated += 1;
                let delta = match delta {
                    Some(d) => d,
                    None => merge::merge_label_day(Some(&decode(b)?), day, &covered).1,
                };
                revisions(wide, di, j, &delta, path, out);
            }
            None => out.inserted += 1,
        }
        new_entries.insert(id, new_blob);
    }
    // Rebuild the chunks the file touched; return those whose bytes changed.
    let chunks: BTreeSet<i64> = new_entries.keys().map(|id| id.div_euclid(codec::CHUNK)).collect();
    let mut writes = Vec::new();
    let mut block = Vec::with_capacity(1 << 16);
    for c in chunks {
        let lo = c * codec::CHUNK;
        let hi = lo + codec::CHUNK;
        let mut entries: BTreeMap<i64, &[u8]> =
            existing.iter().filter(|(id, _)| (lo..hi).contains(*id)).map(|(id, e)| (*id, *e)).collect();
        for (id, e) in new_entries.range(lo..hi) {
            entries.insert(*id, e);
        }
        let list: Vec<(i64, &[u8])> = entries.into_iter().collect();
        codec::build_block(&list, &mut block);
        if stored.get(&c).map(Vec::as_slice) != Some(block.as_slice()) {
            writes.push(BlockWrite { chunk: c, entries: list.len(), data: block.clone() });
        }
    }
    Ok(writes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wide(text: &str) -> PreparedWide {
        PreparedWide::new(
            lantian_ingest::air::cnemc::parse_wide(std::path::Path::new("t.csv"), text.as_bytes()).expect("wide"),
        )
    }

    /// Worked by hand: two stations (ids 1 and 70: chunks 0 and 1) on one day; the first import writes
    /// both blocks; the same file again writes nothing; a file revising one cell of station 70 writes
    /// only chunk 1 and counts one revision; a file naming only station 1 leaves chunk 1 as stored.
    #[test]
    fn a_day_merges_into_the_stored_blocks() {
        let first = wide("date,hour,type,1001A,1002A\n20230120,1,PM2.5,30,40\n20230120,2,PM2.5,31,41\n");
        let ids = [1, 70];
        let mut out = ImportOutcome::default();
        let w = merge_wide_day(&first, 0, &ids, &BTreeMap::new(), 0, "a.csv", &mut out).expect("merge");
        assert_eq!(w.iter().map(|b| (b.chunk, b.entries)).collect::<Vec<_>>(), vec![(0, 1), (1, 1)]);
        assert_eq!((out.inserted, out.updated, out.unchanged), (2, 0, 0));
        let stored: BTreeMap<i64, Vec<u8>> = w.into_iter().map(|b| (b.chunk, b.data)).collect();

        let mut again = ImportOutcome::default();
        let w = merge_wide_day(&first, 0, &ids, &stored, 0, "a.csv", &mut again).expect("merge");
        assert!(w.is_empty(), "the same file writes nothing");
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 2));

        let revised = wide("date,hour,type,1001A,1002A\n20230120,1,PM2.5,30,40\n20230120,2,PM2.5,31,45\n");
        let mut rev = ImportOutcome::default();
        let w = merge_wide_day(&revised, 0, &ids, &stored, 0, "b.csv", &mut rev).expect("merge");
        assert_eq!(w.iter().map(|b| b.chunk).collect::<Vec<_>>(), vec![1]);
        assert_eq!((rev.updated, rev.unchanged, rev.revisions.count), (1, 1, 1));
        assert!(rev.revisions.examples[0].contains("41 → 45"), "{:?}", rev.revisions.examples);

        let one = wide("date,hour,type,1001A\n20230120,3,PM2.5,32\n");
        let mut o = ImportOutcome::default();
        let w = merge_wide_day(&one, 0, &[1], &stored, 0, "c.csv", &mut o).expect("merge");
        assert_eq!(w.iter().map(|b| b.chunk).collect::<Vec<_>>(), vec![0], "only the chunk of the named station");
        assert_eq!((o.inserted, o.updated, o.unchanged), (0, 1, 0));
    }
}
