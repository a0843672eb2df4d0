//! The merge of a file's hours into a stored label day (ARCHITECTURE.md invariant 5): the rule every
//! backend applies when hourly data are revised, kept apart from any database so that it is written
//! and tested once.
//!
//! * A cell the file covers (its row is present: [`lantian_ingest::WideFile::coverage`]) takes the
//!   file's value — another value replaces the stored one, an empty cell deletes it.
//! * A cell the file does not cover keeps the stored value: rows the file lacks, the hours a real-time
//!   release row does not carry, and the cells a truncated last row is missing (issue 12 item 10).
//! * Every stored value of the 15 publisher series that the merge replaces by another value or
//!   deletes is a revision ([`RevisionDelta`]); a value added where none was stored is not. The
//!   release facts ([`SeriesType::Release`]) follow the same rule but are no measured value, so they
//!   are not counted.

use lantian_core::air::hours::{LabelDay, MISSING};
use lantian_core::SeriesType;

/// The cells of one label day a file covers: per series ([`SeriesType::index`]), a bit per label
/// hour 0…23.
pub type Coverage = [u32; SeriesType::COUNT];

/// Every cell of a label day.
pub const ALL_CELLS: Coverage = [0x00ff_ffff; SeriesType::COUNT];

/// One stored value a merge changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellChange {
    pub series: SeriesType,
    /// Label hour 0…23.
    pub hour: usize,
    /// The stored value (thousandths of a unit; never [`MISSING`]).
    pub old: i32,
    /// The file's value; [`MISSING`] when the file's empty cell deleted it.
    pub new: i32,
}

impl CellChange {
    /// The file's empty cell deleted the stored value.
    pub fn deleted(&self) -> bool {
        self.new == MISSING
    }
}

/// The stored values a merge replaced by another value or deleted, in series then hour order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RevisionDelta {
    pub changes: Vec<CellChange>,
}

impl RevisionDelta {
    /// Stored values changed or deleted.
    pub fn count(&self) -> usize {
        self.changes.len()
    }

    /// Of them, deleted.
    pub fn deleted(&self) -> usize {
        self.changes.iter().filter(|c| c.deleted()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The change of one cell, if the merge changed it.
    pub fn get(&self, series: SeriesType, hour: usize) -> Option<&CellChange> {
        self.changes.iter().find(|c| c.series == series && c.hour == hour)
    }
}

/// Merges a file's label day (`incoming`) into the stored one (`None`: nothing stored) over the cells
/// the file covers, as the module describes; returns the merged day and the stored values it changed.
pub fn merge_label_day(
    stored: Option<&LabelDay>,
    incoming: &LabelDay,
    covered: &Coverage,
) -> (LabelDay, RevisionDelta) {
    let mut merged = stored.cloned().unwrap_or_default();
    let mut delta = RevisionDelta::default();
    for t in SeriesType::ALL {
        let mask = covered[t.index()];
        if mask == 0 {
            continue;
        }
        let counted = t != SeriesType::Release;
        let (row, new_row) = (&mut merged.values[t.index()], &incoming.values[t.index()]);
        for (h, (cell, &new)) in row.iter_mut().zip(new_row).enumerate() {
            if mask & (1 << h) == 0 {
                continue;
            }
            let old = *cell;
            if counted && old != MISSING && old != new {
                delta.changes.push(CellChange { series: t, hour: h, old, new });
            }
            *cell = new;
        }
    }
    (merged, delta)
}

/// Whether every cell of `day` outside `covered` is missing — what a reader's day always is (a cell
/// without a row in the file has no value), so that a day with nothing stored merges into itself.
pub fn within(day: &LabelDay, covered: &Coverage) -> bool {
    SeriesType::ALL.iter().all(|t| {
        let mask = covered[t.index()];
        day.values[t.index()].iter().enumerate().all(|(h, v)| mask & (1 << h) != 0 || *v == MISSING)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use SeriesType::*;

    fn day(cells: &[(SeriesType, usize, i32)]) -> LabelDay {
        let mut d = LabelDay::default();
        for &(t, h, v) in cells {
            d.values[t.index()][h] = v;
        }
        d
    }

    fn cover(cells: &[(SeriesType, &[usize])]) -> Coverage {
        let mut c = [0; SeriesType::COUNT];
        for (t, hours) in cells {
            for h in *hours {
                c[t.index()] |= 1 << h;
            }
        }
        c
    }

    /// Worked by hand: stored PM2.5 74 and 60 at hours 1 and 2, SO2 10 at hour 1, PM10 missing at
    /// hour 3. The file revises PM2.5 hour 1 to 7, leaves PM2.5 hour 2 empty (a deletion), adds PM10 50
    /// at hour 3 (no revision: nothing was stored), and its last row — SO2 of hour 1 — was cut before
    /// the cell, so SO2 hour 1 is not covered and keeps 10 although the file's day has no value there.
    #[test]
    fn covered_cells_replace_and_delete_uncovered_cells_stay() {
        let stored = day(&[(Pm2_5, 1, 74_000), (Pm2_5, 2, 60_000), (So2, 1, 10_000)]);
        let incoming = day(&[(Pm2_5, 1, 7_000), (Pm10, 3, 50_000)]);
        let covered = cover(&[(Pm2_5, &[1, 2]), (Pm10, &[3]), (So2, &[])]);
        let (merged, delta) = merge_label_day(Some(&stored), &incoming, &covered);
        assert_eq!(merged, day(&[(Pm2_5, 1, 7_000), (Pm10, 3, 50_000), (So2, 1, 10_000)]));
        assert_eq!(
            delta.changes,
            vec![
                CellChange { series: Pm2_5, hour: 1, old: 74_000, new: 7_000 },
                CellChange { series: Pm2_5, hour: 2, old: 60_000, new: MISSING },
            ]
        );
        assert_eq!((delta.count(), delta.deleted()), (2, 1));
        assert_eq!(delta.get(Pm2_5, 2).map(CellChange::deleted), Some(true));
        assert_eq!(delta.get(So2, 1), None);
    }

    /// A file covering the whole day replaces it: every stored value it does not repeat is a revision
    /// (here CO 0.8 → 0.9 at hour 0 and AQI 50 deleted at hour 23); equal values are none.
    #[test]
    fn a_whole_day_replaces_the_stored_day() {
        let stored = day(&[(Co, 0, 800), (Aqi, 23, 50_000), (O3, 12, 120_000)]);
        let incoming = day(&[(Co, 0, 900), (O3, 12, 120_000)]);
        let (merged, delta) = merge_label_day(Some(&stored), &incoming, &ALL_CELLS);
        assert_eq!(merged, incoming);
        assert_eq!(
            delta.changes,
            vec![
                CellChange { series: Aqi, hour: 23, old: 50_000, new: MISSING },
                CellChange { series: Co, hour: 0, old: 800, new: 900 },
            ]
        );
    }

    /// Nothing stored: the merged day is the file's covered cells, with no revision.
    #[test]
    fn nothing_stored_gives_the_files_cells() {
        let incoming = day(&[(No2, 5, 30_000), (No2, 6, 31_000)]);
        let (merged, delta) = merge_label_day(None, &incoming, &cover(&[(No2, &[5])]));
        assert_eq!(merged, day(&[(No2, 5, 30_000)]));
        assert!(delta.is_empty());
        assert!(!within(&incoming, &cover(&[(No2, &[5])])));
        assert!(within(&incoming, &cover(&[(No2, &[5, 6])])));
    }

    /// The release facts of a covered hour are replaced like the values, but are no revision.
    #[test]
    fn release_facts_are_replaced_but_not_counted() {
        let stored = day(&[(Release, 4, 3), (Aqi, 4, 80_000)]);
        let incoming = day(&[(Release, 4, 5), (Aqi, 4, 80_000)]);
        let (merged, delta) = merge_label_day(Some(&stored), &incoming, &cover(&[(Release, &[4]), (Aqi, &[4])]));
        assert_eq!(merged, incoming);
        assert!(delta.is_empty());
    }

    fn any_day() -> impl Strategy<Value = LabelDay> {
        // Mostly missing cells, some values, a few equal to each other (to meet stored values).
        proptest::collection::vec(prop_oneof![3 => Just(MISSING), 1 => 0i32..4, 1 => any::<i32>()], 16 * 24).prop_map(
            |v| {
                let mut d = LabelDay::default();
                for (k, x) in v.into_iter().enumerate() {
                    d.values[k / 24][k % 24] = x;
                }
                d
            },
        )
    }

    fn any_coverage() -> impl Strategy<Value = Coverage> {
        proptest::array::uniform16(prop_oneof![Just(0u32), Just(0x00ff_ffff), 0u32..0x0100_0000])
    }

    proptest! {
        /// Merging a day into itself changes nothing, whatever it covers.
        #[test]
        fn merging_a_day_into_itself_changes_nothing(d in any_day(), c in any_coverage()) {
            let (merged, delta) = merge_label_day(Some(&d), &d, &c);
            prop_assert_eq!(merged, d);
            prop_assert!(delta.is_empty());
        }

        /// A file covering nothing changes nothing.
        #[test]
        fn covering_nothing_changes_nothing(stored in any_day(), incoming in any_day()) {
            let (merged, delta) = merge_label_day(Some(&stored), &incoming, &[0; SeriesType::COUNT]);
            prop_assert_eq!(merged, stored);
            prop_assert!(delta.is_empty());
        }

        /// Merging the same file again changes nothing more (re-importing is idempotent), and the
        /// first merge's delta is exactly the covered stored values it changed.
        #[test]
        fn merge_is_idempotent(stored in any_day(), incoming in any_day(), c in any_coverage()) {
            let (once, delta) = merge_label_day(Some(&stored), &incoming, &c);
            let (twice, again) = merge_label_day(Some(&once), &incoming, &c);
            prop_assert_eq!(&twice, &once);
            prop_assert!(again.is_empty());
            let mut expected = 0;
            for t in SeriesType::FILE_SERIES {
                for h in 0..24 {
                    let (o, n) = (stored.values[t.index()][h], incoming.values[t.index()][h]);
                    let covered = c[t.index()] & (1 << h) != 0;
                    prop_assert_eq!(once.values[t.index()][h], if covered { n } else { o });
                    expected += usize::from(covered && o != MISSING && o != n);
                }
            }
            prop_assert_eq!(delta.count(), expected);
        }
    }
}
