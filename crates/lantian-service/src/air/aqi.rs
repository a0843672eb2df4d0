//! Hourly AQI, station daily values and city daily values.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use lantian_core::air::aqi::{
    daily_aqi, realtime_aqi, AqiCategory, AqiResult, DailyInput, HourlyInput, IndicatorSet, RealTimeConvention,
};
use lantian_core::air::daily::{city_hour_value, evaluate_label_rows, evaluate_station_day, CityDayAcc, StationDay};
use lantian_core::air::hours::{has_pollutant_values, hourly_input, label_time, natural_day, LabelDay};
use lantian_core::air::publisher::{edition_of_hour, ReleaseFacts};
use lantian_core::{Conc, Pollutant, SeriesType, StandardSet};
use lantian_ingest::CityDailyRecord;
use std::collections::HashMap;

use lantian_store::{codec, BlockKind, CityInfo, StationFilter, StationInfo, Store, StoreError};
use rayon::prelude::*;

use crate::{Result, ServiceError};

/// One station-hour of the real-time report.
#[derive(Clone, Debug)]
pub struct HourlyRow<'a> {
    pub station: &'a StationInfo,
    /// End of the averaging hour (as the source labels it), Beijing time.
    pub time: NaiveDateTime,
    /// The label day the hour belongs to and its label hour (concentrations are read from it).
    pub day: &'a LabelDay,
    pub hour: usize,
    pub result: AqiResult,
}

impl HourlyRow<'_> {
    /// The hour's 1-hour concentration of a pollutant.
    pub fn conc(&self, p: Pollutant) -> Option<Conc> {
        self.day.get(SeriesType::hourly(p), self.hour)
    }
    /// The AQI the publisher published for this hour, if the source carried it.
    pub fn published_aqi(&self) -> Option<u32> {
        self.day.get(SeriesType::Aqi, self.hour).map(|c| (c.milli() / 1000) as u32)
    }
    /// What a real-time release row said about this hour (published primary pollutants, pollutants
    /// marked `/`); `None` when the hour came from no release row (e.g. a quotsoft file).
    pub fn release(&self) -> Option<ReleaseFacts> {
        self.day.release(self.hour)
    }
    /// The primary pollutants the publisher published for this hour (empty when its AQI was ≤ 50, or
    /// when the source carried none), as indicators comparable with `result.primary`.
    pub fn published_primary(&self) -> IndicatorSet {
        self.release().map(ReleaseFacts::published_primary).unwrap_or_default()
    }
}

/// Position of each id in a list of ids (stations): a vector indexed by the id, since store ids are
/// small dense integers — a lookup per station-day or station-hour without hashing. Ids outside that
/// range (negative or beyond 2^26) go to a map.
pub(crate) struct IdIndex {
    at: Vec<u32>,
    other: HashMap<i64, usize>,
}

impl IdIndex {
    const NONE: u32 = u32::MAX;

    pub(crate) fn new(ids: impl IntoIterator<Item = i64>) -> IdIndex {
        let mut index = IdIndex { at: Vec::new(), other: HashMap::new() };
        for (k, id) in ids.into_iter().enumerate() {
            match usize::try_from(id) {
                Ok(i) if i < 1 << 26 && k < Self::NONE as usize => {
                    if index.at.len() <= i {
                        index.at.resize(i + 1, Self::NONE);
                    }
                    index.at[i] = k as u32;
                }
                _ => {
                    index.other.insert(id, k);
                }
            }
        }
        index
    }

    #[inline]
    pub(crate) fn get(&self, id: i64) -> Option<usize> {
        match usize::try_from(id).ok().and_then(|i| self.at.get(i)) {
            Some(&k) if k != Self::NONE => Some(k as usize),
            _ => self.other.get(&id).copied(),
        }
    }
}

/// Label dates that hold the natural days `from..=to` (one more at the end).
fn label_range(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    (from, to + Duration::days(1))
}

/// Label dates read from the store at a time; decoding and computing run in parallel over them.
const CHUNK_DAYS: i64 = 4;

/// Label dates per step of the hourly pipeline (one task each; three steps are in flight, so this
/// bounds the memory held: about 3 MB per date for 1,000 stations).
const HOURLY_BATCH: i64 = 2;

/// One label date's station label days, ordered by station id.
type DateDays = (NaiveDate, Vec<(i64, LabelDay)>);
/// One label date's encoded station label days.
type DateBlobs = (NaiveDate, Vec<(i64, Vec<u8>)>);

/// Decoded label days of `dates`, per date ordered by station id.
fn load(store: &dyn Store, kind: BlockKind, dates: &[NaiveDate], sel: Option<&[i64]>) -> Result<Vec<DateDays>> {
    let blobs: Vec<DateBlobs> =
        dates.iter().map(|d| Ok((*d, store.day_blobs_on(kind, *d, sel)?))).collect::<Result<_>>()?;
    blobs
        .into_par_iter()
        .map(|(d, v)| {
            let mut days: Vec<(i64, LabelDay)> = Vec::with_capacity(v.len());
            for (id, b) in v {
                let k = days.len();
                days.push((id, LabelDay::default()));
                if !codec::decode_into(&b, &mut days[k].1) {
                    return Err(StoreError::Corrupt(format!("station_day {id} {d}")).into());
                }
            }
            Ok((d, days))
        })
        .collect()
}

/// Calls `f` for every station-hour with data whose hour lies within the natural days `from..=to`
/// (label times from `from` 01:00 to `to`+1 00:00), in time order, and within an hour in the order of
/// `stations`. `f` runs on the calling thread.
///
/// Pipelined like [`for_each_station_day_exact`]: while the thread pool decodes the stored blocks of
/// one batch of [`HOURLY_BATCH`] label dates and computes their AQI (one task per date), the calling
/// thread reads the next batch from the store and hands the previous one to `f`.
pub fn for_each_hourly(
    store: &dyn Store,
    stations: &[StationInfo],
    from: NaiveDate,
    to: NaiveDate,
    conv: RealTimeConvention,
    mut f: impl FnMut(&HourlyRow<'_>),
) -> Result<()> {
    let (lf, lt) = label_range(from, to);
    let order = IdIndex::new(stations.iter().map(|s| s.id));
    let mut chunks: Vec<i64> = stations.iter().map(|s| s.id.div_euclid(codec::CHUNK)).collect();
    chunks.sort_unstable();
    chunks.dedup();
    let mut to_compute: Option<Vec<HourlyDate>> = None;
    let mut to_deliver: Option<Vec<HourlyDate>> = None;
    // The buffers of delivered dates, reused by the next batch (see `hourly_date`).
    let mut spare: Vec<HourlyDate> = Vec::new();
    let mut d = lf;
    while d <= lt || to_compute.is_some() || to_deliver.is_some() {
        let mut computed: Option<Result<Vec<HourlyDate>>> = None;
        let end = (d + Duration::days(HOURLY_BATCH - 1)).min(lt);
        let dates: Vec<NaiveDate> = d.iter_days().take_while(|x| *x <= end).collect();
        let read = rayon::in_place_scope(|s| -> Result<Option<Vec<HourlyDate>>> {
            if let Some(batch) = to_compute.take() {
                let (slot, order) = (&mut computed, &order);
                s.spawn(move |_| {
                    *slot = Some(batch.into_par_iter().map(|buf| hourly_date(buf, order, (lf, lt), conv)).collect());
                });
            }
            let read = if dates.is_empty() {
                None
            } else {
                let mut batch = Vec::with_capacity(dates.len());
                for x in &dates {
                    let mut buf = spare.pop().unwrap_or_default();
                    buf.date = *x;
                    store.day_blocks_into(BlockKind::Station, *x, Some(&chunks), &mut buf.blocks)?;
                    batch.push(buf);
                }
                Some(batch)
            };
            for date in to_deliver.take().into_iter().flatten() {
                for (k, h, result) in &date.rows {
                    let (i, day) = &date.days[*k as usize];
                    let row = HourlyRow {
                        station: &stations[*i],
                        time: date.times[usize::from(*h)],
                        day,
                        hour: usize::from(*h),
                        result: *result,
                    };
                    f(&row);
                }
                spare.push(date);
            }
            Ok(read)
        })?;
        to_compute = read;
        to_deliver = computed.transpose()?;
        d = end + Duration::days(1);
    }
    Ok(())
}

/// One label date of the hourly pipeline: its stored blocks, the decoded label days of the wanted
/// stations (index into `stations`, in that order), the end time of each label hour, and the rows with
/// data in output order: (index into `days`, label hour, AQI). Recycled from date to date.
#[derive(Default)]
struct HourlyDate {
    date: NaiveDate,
    blocks: Vec<(i64, Vec<u8>)>,
    days: Vec<(usize, LabelDay)>,
    times: [NaiveDateTime; 24],
    rows: Vec<(u32, u8, AqiResult)>,
}

/// Decodes one label date's blocks and computes the real-time AQI of its hours within `lf..=lt`
/// (label hour 0 of the first label date and hours 1–23 of the last one lie outside the natural days).
fn hourly_date(
    buf: HourlyDate,
    order: &IdIndex,
    (lf, lt): (NaiveDate, NaiveDate),
    conv: RealTimeConvention,
) -> Result<HourlyDate> {
    // The buffers of an earlier date: reusing them keeps the allocator from faulting in fresh memory
    // for every date (the calling thread frees what the pool allocates).
    let HourlyDate { date, blocks, mut days, mut rows, .. } = buf;
    days.clear();
    rows.clear();
    let mut parsed = Vec::with_capacity(blocks.len());
    for (c, block) in &blocks {
        let entries = codec::block_entries(*c, block)
            .ok_or_else(|| StoreError::Corrupt(format!("day_block {date} chunk {c}")))?;
        parsed.push(entries);
    }
    // Exact sizes: a growing vector would leave fresh memory behind at every doubling.
    days.reserve(parsed.iter().map(Vec::len).sum());
    for entries in parsed {
        for (id, b) in entries {
            let Some(i) = order.get(id) else { continue };
            days.push((i, LabelDay::default()));
            let k = days.len() - 1;
            if !codec::decode_into(b, &mut days[k].1) {
                return Err(StoreError::Corrupt(format!("station_day {id} {date}")).into());
            }
        }
    }
    days.sort_unstable_by_key(|(i, _)| *i);
    rows.reserve(days.len() * 24);
    let times: [NaiveDateTime; 24] = std::array::from_fn(|h| hour_context(date, h).0);
    for h in 0..24 {
        if (date == lf && h == 0) || (date == lt && h > 0) {
            continue;
        }
        let set = hour_context(date, h).1;
        for (k, (_, day)) in days.iter().enumerate() {
            if let Some(result) = hour_result(set, day, h, conv) {
                rows.push((k as u32, h as u8, result));
            }
        }
    }
    Ok(HourlyDate { date, blocks, days, times, rows })
}

/// The real-time report of one label hour, `None` when no pollutant was measured.
pub fn hourly_row<'a>(
    st: &'a StationInfo,
    date: NaiveDate,
    day: &'a LabelDay,
    h: usize,
    conv: RealTimeConvention,
) -> Option<HourlyRow<'a>> {
    let (time, set) = hour_context(date, h);
    hourly_row_at(st, time, set, day, h, conv)
}

/// The end time of label hour `h` of `date` and the standard set that rates it: that of the natural
/// day the hour belongs to (label hour 0 closes the previous day; the dated rules and their evidence:
/// `lantian_core::air::publisher`).
fn hour_context(date: NaiveDate, h: usize) -> (NaiveDateTime, StandardSet) {
    (label_time(date, h as u32), edition_of_hour(date, h))
}

fn hourly_row_at<'a>(
    st: &'a StationInfo,
    time: NaiveDateTime,
    set: StandardSet,
    day: &'a LabelDay,
    h: usize,
    conv: RealTimeConvention,
) -> Option<HourlyRow<'a>> {
    let result = hour_result(set, day, h, conv)?;
    Some(HourlyRow { station: st, time, day, hour: h, result })
}

/// The real-time AQI of label hour `h`, `None` when no pollutant was measured.
fn hour_result(set: StandardSet, day: &LabelDay, h: usize, conv: RealTimeConvention) -> Option<AqiResult> {
    let input = hourly_input(day, h);
    if [input.so2, input.no2, input.co, input.o3, input.pm10, input.pm2_5].iter().all(Option::is_none) {
        return None;
    }
    Some(realtime_aqi(set, conv, &input))
}

/// One station's daily evaluation.
#[derive(Clone, Debug)]
pub struct StationDailyRow<'a> {
    pub station: &'a StationInfo,
    pub date: NaiveDate,
    /// The exact values ([`StationDay::exact`] for the [`DailyExact`] view).
    pub day: StationDay,
    pub values: DailyInput,
    pub result: AqiResult,
}

/// Calls `f` for each station and natural day in `from..=to` that has any hourly data, in date order
/// and within a date in the order of `stations`. Computed in parallel; `f` runs on the calling thread.
///
/// Station daily evaluations are cached in the store per natural day and chunk of 64 stations; the
/// store drops an entry whenever a label day it depends on changes (`lantian_store` schema 3), so a
/// cached evaluation always equals a fresh one. Missing entries are computed and stored.
pub fn for_each_station_daily(
    store: &dyn Store,
    stations: &[StationInfo],
    from: NaiveDate,
    to: NaiveDate,
    mut f: impl FnMut(&StationDailyRow<'_>),
) -> Result<()> {
    for_each_station_day_exact(store, stations, from, to, |date, rows| {
        let built: Vec<StationDailyRow<'_>> = rows
            .par_iter()
            .map(|(st, exact)| {
                let values = exact.rounded();
                let result = daily_aqi(StandardSet::for_date(date), &values);
                StationDailyRow { station: st, date, day: **exact, values, result }
            })
            .collect();
        for r in &built {
            f(r);
        }
    })
}

/// Natural days read, evaluated and delivered per step of [`for_each_station_day_exact`].
const DAILY_BATCH: i64 = 4;

/// A label date's stored station blocks, `(chunk, block)` ordered by chunk (shared between the two
/// batches that need it).
type LabelBlocks = std::sync::Arc<Vec<(i64, Vec<u8>)>>;

/// The evaluations of one chunk's stations on one natural day, ordered by station id.
type ChunkDays = Vec<(i64, StationDay)>;

/// One step's input, read from the store on the calling thread.
struct DailyBatch {
    dates: Vec<NaiveDate>,
    /// Per date (index into `dates`) and wanted chunk: the cached encoding, if any.
    cached: Vec<Vec<Option<Vec<u8>>>>,
    /// Station blocks of the label dates needed for the chunks not cached: label date → blocks.
    labels: Vec<(NaiveDate, LabelBlocks)>,
}

/// One step's output: per date, the evaluations of each wanted chunk (in the order of the chunks),
/// and the encodings of the newly computed ones for the store.
struct DailyComputed {
    dates: Vec<NaiveDate>,
    days: Vec<Vec<Vec<(i64, StationDay)>>>,
    to_store: Vec<(NaiveDate, i64, Vec<u8>)>,
    /// `(date index, chunk index)` whose cached encoding did not decode and whose label days were
    /// not read: computed afterwards on the calling thread.
    unresolved: Vec<(usize, usize)>,
}

/// The exact daily evaluations of `stations` for each natural day in `from..=to`, a day at a time in
/// date order, each day's rows in the order of `stations` (cached in the store, see
/// [`for_each_station_daily`]).
///
/// Pipelined: while the thread pool evaluates (or decodes the cached evaluations of) one batch of
/// [`DAILY_BATCH`] days, the calling thread reads the next batch from the store and hands the previous
/// one to `f`. Each `(natural day, chunk)` is evaluated as one task, straight from the stored blocks.
pub fn for_each_station_day_exact<'s>(
    store: &dyn Store,
    stations: &'s [StationInfo],
    from: NaiveDate,
    to: NaiveDate,
    mut f: impl FnMut(NaiveDate, &[(&'s StationInfo, &StationDay)]),
) -> Result<()> {
    // Natural days that can hold data: label days first..=last hold natural days first−1..=last.
    // The label days that hold natural days from..=to: from..=to + 1.
    let Some((first, last)) = store.station_date_range_for(from, to + Duration::days(1))? else { return Ok(()) };
    let from = from.max(first - Duration::days(1));
    let to = to.min(last);
    if from > to {
        return Ok(());
    }
    let order = IdIndex::new(stations.iter().map(|s| s.id));
    let mut chunks: Vec<i64> = stations.iter().map(|s| s.id.div_euclid(codec::CHUNK)).collect();
    chunks.sort_unstable();
    chunks.dedup();
    let generation = store.data_generation()?;
    let mut to_store: Vec<(NaiveDate, i64, Vec<u8>)> = Vec::new();
    let mut to_compute: Option<DailyBatch> = None;
    let mut to_deliver: Option<DailyComputed> = None;
    // The last label date read, reused by the next batch (its first natural day needs it).
    let mut last_label: Option<(NaiveDate, LabelBlocks)> = None;
    // Result buffers of delivered batches, reused by the next one.
    let mut spare: Vec<Vec<(i64, StationDay)>> = Vec::new();
    let mut d = from;
    while d <= to || to_compute.is_some() || to_deliver.is_some() {
        let mut computed: Option<DailyComputed> = None;
        let dates: Vec<NaiveDate> = if d <= to {
            let end = (d + Duration::days(DAILY_BATCH - 1)).min(to);
            d.iter_days().take_while(|x| *x <= end).collect()
        } else {
            Vec::new()
        };
        let read = rayon::in_place_scope(|s| -> Result<Option<DailyBatch>> {
            if let Some(batch) = to_compute.take() {
                let (slot, chunks, buffers) = (&mut computed, &chunks, std::mem::take(&mut spare));
                s.spawn(move |_| *slot = Some(compute_batch(batch, chunks, buffers)));
            }
            let read = if dates.is_empty() { None } else { Some(read_batch(store, &dates, &chunks, &mut last_label)?) };
            if let Some(done) = to_deliver.take() {
                spare = deliver(store, stations, &order, &chunks, done, &mut to_store, &mut f)?;
            }
            Ok(read)
        })?;
        to_compute = read;
        to_deliver = computed;
        if let Some(x) = dates.last() {
            d = *x + Duration::days(1);
        }
    }
    // One transaction for everything computed; skipped if an import changed the data meanwhile.
    if !to_store.is_empty() {
        store.put_daily_cache(generation, &to_store)?;
    }
    Ok(())
}

/// Reads a batch: the cached evaluations of `dates`, and the label days of the chunks not cached.
fn read_batch(
    store: &dyn Store,
    dates: &[NaiveDate],
    chunks: &[i64],
    last_label: &mut Option<(NaiveDate, LabelBlocks)>,
) -> Result<DailyBatch> {
    let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
        return Ok(DailyBatch { dates: Vec::new(), cached: Vec::new(), labels: Vec::new() });
    };
    let mut cached: Vec<Vec<Option<Vec<u8>>>> = vec![vec![None; chunks.len()]; dates.len()];
    for (date, c, b) in store.daily_cache_between(*first, *last, chunks)? {
        let (Ok(k), Ok(j)) = (dates.binary_search(&date), chunks.binary_search(&c)) else { continue };
        if codec::daily::is_current(&b) {
            cached[k][j] = Some(b);
        }
    }
    // Natural day D needs label days D and D+1.
    let mut need: Vec<NaiveDate> = Vec::new();
    for (date, row) in dates.iter().zip(&cached) {
        if row.iter().any(Option::is_none) {
            for x in [*date, *date + Duration::days(1)] {
                if need.last() != Some(&x) {
                    need.push(x);
                }
            }
        }
    }
    let mut labels = Vec::with_capacity(need.len());
    for x in need {
        let blocks = match last_label.as_ref() {
            Some((ld, b)) if *ld == x => b.clone(),
            _ => std::sync::Arc::new(store.day_blocks_on(BlockKind::Station, x, Some(chunks))?),
        };
        *last_label = Some((x, blocks.clone()));
        labels.push((x, blocks));
    }
    Ok(DailyBatch { dates: dates.to_vec(), cached, labels })
}

/// The entries of chunk `c` in a label date's blocks (empty when the chunk has no block).
fn chunk_entries(labels: &[(NaiveDate, LabelBlocks)], date: NaiveDate, c: i64) -> Option<Vec<(i64, &[u8])>> {
    let (_, blocks) = labels.iter().find(|(d, _)| *d == date)?;
    Some(match blocks.binary_search_by_key(&c, |(bc, _)| *bc) {
        Ok(k) => codec::block_entries(c, &blocks[k].1)?,
        Err(_) => Vec::new(),
    })
}

/// Evaluates the stations of chunk `c` on natural day `date` from the stored label days D and D+1;
/// `None` if those were not read or do not decode.
fn evaluate_chunk(labels: &[(NaiveDate, LabelBlocks)], date: NaiveDate, c: i64) -> Option<Vec<(i64, StationDay)>> {
    let mut out = Vec::new();
    evaluate_chunk_into(labels, date, c, &mut out).then_some(out)
}

/// [`evaluate_chunk`] into `out` (cleared first, its allocation reused); false where that gives `None`.
fn evaluate_chunk_into(
    labels: &[(NaiveDate, LabelBlocks)],
    date: NaiveDate,
    c: i64,
    out: &mut Vec<(i64, StationDay)>,
) -> bool {
    out.clear();
    evaluate_entries(labels, date, c, out).is_some()
}

fn evaluate_entries(
    labels: &[(NaiveDate, LabelBlocks)],
    date: NaiveDate,
    c: i64,
    out: &mut Vec<(i64, StationDay)>,
) -> Option<()> {
    let this = chunk_entries(labels, date, c)?;
    let next = chunk_entries(labels, date + Duration::days(1), c)?;
    out.reserve(this.len());
    // Only the six 1-hour series enter the evaluation.
    let wanted = Pollutant::ALL.iter().fold(0u16, |m, p| m | 1 << SeriesType::hourly(*p).index());
    let mut day = LabelDay::default();
    let mut hour0 = [lantian_core::air::hours::MISSING; SeriesType::COUNT];
    let mut k = 0;
    for (id, b) in this {
        // Only the wanted rows are read below; only they need clearing (the others stay missing).
        for p in Pollutant::ALL {
            day.values[SeriesType::hourly(p).index()] = [lantian_core::air::hours::MISSING; 24];
        }
        if !codec::decode_series_into(b, wanted, &mut day) {
            return None;
        }
        // Both lists are ordered by id.
        while k < next.len() && next[k].0 < id {
            k += 1;
        }
        let nx = match next.get(k) {
            Some((nid, nb)) if *nid == id => {
                if !codec::decode_hour(nb, 0, &mut hour0) {
                    return None;
                }
                Some(&hour0)
            }
            _ => None,
        };
        let exact = evaluate_label_rows(date, Some(&day), nx);
        // A natural day with no pollutant value at all is no station-day.
        if exact.valid_hours.iter().all(|n| *n == 0) {
            continue;
        }
        out.push((id, exact));
    }
    Some(())
}

/// Decodes the cached evaluations of a batch and computes the others, one task per date and chunk.
///
/// The results go into the buffers of `spare` (those of batches already delivered): reusing them,
/// rather than allocating on the pool's threads what the calling thread frees, keeps the allocator
/// from faulting in fresh memory for every batch.
fn compute_batch(batch: DailyBatch, chunks: &[i64], mut spare: Vec<Vec<(i64, StationDay)>>) -> DailyComputed {
    let DailyBatch { dates, cached, labels } = batch;
    let tasks: Vec<(usize, usize)> = (0..dates.len()).flat_map(|k| (0..chunks.len()).map(move |j| (k, j))).collect();
    spare.resize_with(tasks.len(), Vec::new);
    spare.truncate(tasks.len());
    let results: Vec<(ChunkDays, bool, Option<Vec<u8>>)> = tasks
        .par_iter()
        .zip(spare.into_par_iter())
        .map(|(&(k, j), mut buf)| {
            let c = chunks[j];
            if cached[k][j].as_deref().is_some_and(|b| codec::daily::decode_into(c, b, &mut buf)) {
                return (buf, true, None);
            }
            if evaluate_chunk_into(&labels, dates[k], c, &mut buf) {
                let enc = codec::daily::encode(&buf);
                (buf, true, enc)
            } else {
                buf.clear();
                (buf, false, None)
            }
        })
        .collect();
    let mut days: Vec<Vec<Vec<(i64, StationDay)>>> =
        (0..dates.len()).map(|_| Vec::with_capacity(chunks.len())).collect();
    let mut to_store = Vec::new();
    let mut unresolved = Vec::new();
    for ((k, j), (v, ok, enc)) in tasks.into_iter().zip(results) {
        if let Some(b) = enc {
            to_store.push((dates[k], chunks[j], b));
        }
        if !ok {
            unresolved.push((k, j));
        }
        days[k].push(v);
    }
    DailyComputed { dates, days, to_store, unresolved }
}

/// Hands a computed batch to `f`, a date at a time, each date's rows in the order of `stations`.
fn deliver<'s>(
    store: &dyn Store,
    stations: &'s [StationInfo],
    order: &IdIndex,
    chunks: &[i64],
    mut done: DailyComputed,
    to_store: &mut Vec<(NaiveDate, i64, Vec<u8>)>,
    f: &mut impl FnMut(NaiveDate, &[(&'s StationInfo, &StationDay)]),
) -> Result<Vec<Vec<(i64, StationDay)>>> {
    // Cached encodings that did not decode (rare): evaluate them here from the label days.
    for (k, j) in std::mem::take(&mut done.unresolved) {
        let (date, c) = (done.dates[k], chunks[j]);
        let labels: Vec<(NaiveDate, LabelBlocks)> = [date, date + Duration::days(1)]
            .iter()
            .map(|x| Ok((*x, std::sync::Arc::new(store.day_blocks_on(BlockKind::Station, *x, Some(&[c]))?))))
            .collect::<Result<_>>()?;
        let v = evaluate_chunk(&labels, date, c)
            .ok_or_else(|| StoreError::Corrupt(format!("day_block {date} chunk {c}")))?;
        if let Some(b) = codec::daily::encode(&v) {
            to_store.push((date, c, b));
        }
        done.days[k][j] = v;
    }
    to_store.append(&mut done.to_store);
    let mut rows: Vec<(&'s StationInfo, &StationDay)> = Vec::with_capacity(stations.len());
    let mut slots: Vec<Option<&StationDay>> = vec![None; stations.len()];
    for (date, day) in done.dates.iter().zip(&done.days) {
        slots.fill(None);
        for (id, exact) in day.iter().flatten() {
            if let Some(i) = order.get(*id) {
                slots[i] = Some(exact);
            }
        }
        rows.clear();
        rows.extend(slots.iter().enumerate().filter_map(|(i, e)| e.map(|e| (&stations[i], e))));
        f(*date, &rows);
    }
    drop((rows, slots));
    // The buffers, emptied, for the next batch.
    Ok(done
        .days
        .into_iter()
        .flatten()
        .map(|mut v| {
            v.clear();
            v
        })
        .collect())
}

/// The daily evaluation of one station's natural day from its two label days.
pub fn station_daily_row<'a>(
    st: &'a StationInfo,
    date: NaiveDate,
    this: Option<&LabelDay>,
    next: Option<&LabelDay>,
) -> Option<StationDailyRow<'a>> {
    let hours = natural_day(this, next);
    if hours.0.iter().all(|p| p.iter().all(Option::is_none)) {
        return None;
    }
    let day = evaluate_station_day(date, &hours);
    let values = day.rounded();
    let result = daily_aqi(StandardSet::for_date(date), &values);
    Some(StationDailyRow { station: st, date, day, values, result })
}

/// Where a city's daily value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DailySource {
    /// Computed from the city's evaluation stations (control stations excluded).
    Stations { count: usize },
    /// Imported daily values (the source's kind, e.g. `city-daily`, `aqistudy-daily`), with the AQI
    /// the source published for the day, if any.
    Imported { source: String, published_aqi: Option<u32> },
}

/// A city's daily value.
#[derive(Clone, Debug)]
pub struct CityDailyValue {
    pub date: NaiveDate,
    /// The rounded daily values (imported ones rounded as published daily values are).
    pub values: DailyInput,
    /// The day's AQI, level, category and primary pollutants as every number uses them: the AQI the
    /// source published, where an imported day has one ([`imported_day`]), else lantian's.
    pub result: AqiResult,
    /// lantian's own AQI of `values` (equal to `result` unless the source published another AQI).
    pub computed: AqiResult,
    pub source: DailySource,
}

impl CityDailyValue {
    /// How lantian's AQI differs from the AQI the source published, for an imported day that carries
    /// one and differs ([`compare_with_published`]).
    pub fn disagreement(&self) -> Option<Disagreement> {
        match self.source {
            DailySource::Imported { published_aqi: Some(p), .. } => compare_with_published(p, &self.computed),
            _ => None,
        }
    }
}

/// An imported city-day as every number reads it: the values rounded as a published daily value is,
/// lantian's AQI of them, and the authoritative result — the AQI the source published, where there
/// is one.
#[derive(Clone, Copy, Debug)]
pub struct ImportedDay {
    pub values: DailyInput,
    /// lantian's AQI of `values` (HJ 633 daily report of the standard set in force on the date).
    pub computed: AqiResult,
    /// The published AQI with its level and category ([`AqiResult::with_published_aqi`]); `computed`
    /// when the source published none.
    pub result: AqiResult,
    pub published_aqi: Option<u32>,
    /// lantian's AQI differs from the published one ([`compare_with_published`]).
    pub disagreement: Option<Disagreement>,
}

/// How lantian's AQI of an imported day differs from the AQI the source published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Disagreement {
    pub published: u32,
    /// lantian's AQI (`None`: no daily value to rate).
    pub computed: Option<u32>,
    /// The two fall in different levels (else only the value differs).
    pub level_differs: bool,
}

/// The comparison of a published daily AQI with lantian's result for the same day: `None` when the
/// two AQIs are equal.
pub fn compare_with_published(published: u32, computed: &AqiResult) -> Option<Disagreement> {
    if computed.aqi == Some(published) {
        return None;
    }
    Some(Disagreement {
        published,
        computed: computed.aqi,
        level_differs: computed.category() != Some(AqiCategory::of(published)),
    })
}

/// An imported daily record as every number reads it — the one place where imported city-days are
/// rated (the import's disagreement report, `aqi --daily`, assessment and ranking all come here).
/// Imported values may carry decimals; they are rounded as a published daily value is (integer μg/m³,
/// CO one decimal, GB/T 8170) and rated by HJ 633 for the date. Where the source published an AQI it
/// decides the day (`ARCHITECTURE.md`, "Published daily AQI").
pub fn imported_day(r: &CityDailyRecord) -> ImportedDay {
    let values = DailyInput {
        so2: r.so2.map(|c| c.round(0)),
        no2: r.no2.map(|c| c.round(0)),
        co: r.co.map(|c| c.round(1)),
        pm10: r.pm10.map(|c| c.round(0)),
        pm2_5: r.pm2_5.map(|c| c.round(0)),
        o3_max_1h: r.o3_max_1h.map(|c| c.round(0)),
        o3_mda8: r.o3_mda8.map(|c| c.round(0)),
    };
    let computed = daily_aqi(StandardSet::for_date(r.date), &values);
    let result = r.aqi.map_or(computed, |p| computed.with_published_aqi(p));
    ImportedDay {
        values,
        computed,
        result,
        published_aqi: r.aqi,
        disagreement: r.aqi.and_then(|p| compare_with_published(p, &computed)),
    }
}

/// A city's daily values for `from..=to`: from its evaluation stations' hourly data where there is
/// any (`assessment.md` §1.2), else from imported daily values.
pub fn city_daily(store: &dyn Store, city: &CityInfo, from: NaiveDate, to: NaiveDate) -> Result<Vec<CityDailyValue>> {
    Ok(cities_daily(store, std::slice::from_ref(city), from, to)?.into_iter().next().unwrap_or_default())
}

/// [`city_daily`] for many cities in one pass over the stored days (each date is read once for all
/// the cities' stations).
pub fn cities_daily(
    store: &dyn Store,
    cities: &[CityInfo],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Vec<CityDailyValue>>> {
    let index: HashMap<i64, usize> = cities.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let stations: Vec<StationInfo> = store
        .stations(&lantian_store::StationFilter { codes: vec![], city_ids: cities.iter().map(|c| c.id).collect() })?
        .into_iter()
        .filter(|s| !s.is_control)
        .collect();
    let city_of: HashMap<i64, usize> =
        stations.iter().filter_map(|s| s.city.as_ref().and_then(|c| index.get(&c.id)).map(|i| (s.id, *i))).collect();
    // Each date's rows are all delivered at once: the city days are formed right there, keeping only
    // the 21-odd city values of a date (each city's stations in the order of `stations`, as always).
    let mut per_city: Vec<Vec<CityDailyValue>> = vec![Vec::new(); cities.len()];
    if !stations.is_empty() {
        // The city of each station, by its index in `stations` (the order of a date's rows).
        let city_at: Vec<Option<usize>> = stations.iter().map(|s| city_of.get(&s.id).copied()).collect();
        let position = IdIndex::new(stations.iter().map(|s| s.id));
        let mut accs: Vec<CityDayAcc> = vec![CityDayAcc::default(); cities.len()];
        for_each_station_day_exact(store, &stations, from, to, |date, rows| {
            // One pass over the date's station days in memory order, each added to its city.
            accs.fill(CityDayAcc::default());
            for (st, exact) in rows {
                if let Some(i) = position.get(st.id).and_then(|k| city_at[k]) {
                    accs[i].add_station(exact);
                }
            }
            for (acc, out) in accs.iter().zip(per_city.iter_mut()) {
                if acc.stations() == 0 {
                    continue;
                }
                let values = acc.finish().rounded();
                let result = daily_aqi(StandardSet::for_date(date), &values);
                out.push(CityDailyValue {
                    date,
                    values,
                    result,
                    computed: result,
                    source: DailySource::Stations { count: usize::from(acc.stations()) },
                });
            }
        })?;
    }
    let mut all = Vec::with_capacity(cities.len());
    for (city, mut out) in cities.iter().zip(per_city) {
        let mut imported: Vec<CityDailyValue> = Vec::new();
        let mut last: Option<NaiveDate> = None;
        for row in store.city_daily(city.id, from, to)? {
            if out.binary_search_by_key(&row.date, |v| v.date).is_ok() || last == Some(row.date) {
                continue;
            }
            last = Some(row.date);
            let day = imported_day(&row.record);
            imported.push(CityDailyValue {
                date: row.date,
                values: day.values,
                result: day.result,
                computed: day.computed,
                source: DailySource::Imported { source: row.source.clone(), published_aqi: day.published_aqi },
            });
        }
        out.extend(imported);
        out.sort_by_key(|v| v.date);
        all.push(out);
    }
    Ok(all)
}

/// Where a city's hourly value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CityHourSource {
    /// The publisher's city file (`china_cities_*`).
    CityFile,
    /// The mean of this many evaluation stations (control stations excluded).
    Stations(usize),
}

/// One city-hour of the real-time report.
#[derive(Clone, Debug)]
pub struct CityHourlyRow<'a> {
    pub city: &'a CityInfo,
    /// End of the averaging hour, Beijing time.
    pub time: NaiveDateTime,
    /// 1-hour concentrations, indexed by `Pollutant as usize`.
    pub conc: [Option<Conc>; 6],
    pub result: AqiResult,
    /// The AQI of the publisher's city file, if one was imported for this hour.
    pub published_aqi: Option<u32>,
    pub source: CityHourSource,
}

/// Calls `f` for every city-hour with data in the natural days `from..=to`, in time order and within
/// an hour in the order of `cities`. A city's hour comes from the publisher's city file when one was
/// imported, else from the mean of its evaluation stations ([`lantian_core::air::daily::city_hour_value`]).
pub fn for_each_city_hourly(
    store: &dyn Store,
    cities: &[CityInfo],
    from: NaiveDate,
    to: NaiveDate,
    conv: RealTimeConvention,
    mut f: impl FnMut(&CityHourlyRow<'_>),
) -> Result<()> {
    let (lf, lt) = label_range(from, to);
    let city_ids: Vec<i64> = {
        let mut v: Vec<i64> = cities.iter().map(|c| c.id).collect();
        v.sort_unstable();
        v
    };
    // Evaluation stations of each city.
    let mut members: HashMap<i64, usize> = HashMap::new();
    let mut station_ids = Vec::new();
    for s in store.stations(&lantian_store::StationFilter { codes: vec![], city_ids: city_ids.clone() })? {
        if let Some(ci) = s.city.as_ref().and_then(|c| cities.iter().position(|x| x.id == c.id)) {
            if !s.is_control {
                members.insert(s.id, ci);
                station_ids.push(s.id);
            }
        }
    }
    station_ids.sort_unstable();
    let mut d = lf;
    while d <= lt {
        let end = (d + Duration::days(CHUNK_DAYS - 1)).min(lt);
        let dates: Vec<NaiveDate> = d.iter_days().take_while(|x| *x <= end).collect();
        let city_days = load(store, BlockKind::City, &dates, Some(&city_ids))?;
        let station_days = if station_ids.is_empty() {
            dates.iter().map(|d| (*d, Vec::new())).collect()
        } else {
            load(store, BlockKind::Station, &dates, Some(&station_ids))?
        };
        let rows: Vec<Vec<CityHourlyRow<'_>>> = city_days
            .par_iter()
            .zip(station_days.par_iter())
            .map(|((date, cdays), (_, sdays))| {
                let mut out = Vec::new();
                for h in 0..24 {
                    if (*date == lf && h == 0) || (*date == lt && h > 0) {
                        continue;
                    }
                    let set = edition_of_hour(*date, h);
                    for (ci, city) in cities.iter().enumerate() {
                        let file_day = cdays.iter().find(|(id, _)| *id == city.id).map(|(_, d)| d);
                        let (input, published, source) = match file_day.filter(|d| has_pollutant_values(d, h)) {
                            Some(fd) => (
                                hourly_input(fd, h),
                                fd.get(SeriesType::Aqi, h).map(|c| (c.milli() / 1000) as u32),
                                CityHourSource::CityFile,
                            ),
                            None => {
                                let mine: Vec<&LabelDay> = sdays
                                    .iter()
                                    .filter(|(id, day)| members.get(id) == Some(&ci) && has_pollutant_values(day, h))
                                    .map(|(_, day)| day)
                                    .collect();
                                if mine.is_empty() {
                                    continue;
                                }
                                let v = |p: Pollutant| {
                                    city_hour_value(p, mine.iter().filter_map(|d| d.get(SeriesType::hourly(p), h)))
                                };
                                let input = HourlyInput {
                                    so2: v(Pollutant::So2),
                                    no2: v(Pollutant::No2),
                                    co: v(Pollutant::Co),
                                    o3: v(Pollutant::O3),
                                    pm10: v(Pollutant::Pm10),
                                    pm2_5: v(Pollutant::Pm2_5),
                                    ..HourlyInput::default()
                                };
                                (input, None, CityHourSource::Stations(mine.len()))
                            }
                        };
                        let conc = [input.so2, input.no2, input.co, input.o3, input.pm10, input.pm2_5];
                        out.push(CityHourlyRow {
                            city,
                            time: label_time(*date, h as u32),
                            conc,
                            result: realtime_aqi(set, conv, &input),
                            published_aqi: published,
                            source,
                        });
                    }
                }
                out
            })
            .collect();
        for r in rows.iter().flatten() {
            f(r);
        }
        d = end + Duration::days(1);
    }
    Ok(())
}

/// The stations a query selects: the named ones plus those of the named cities; all if none named.
/// An unknown station code is a request error. Shared by `lantian aqi|stations|assess` and the API.
pub fn select_stations(store: &dyn Store, codes: &[String], cities: &[CityInfo]) -> Result<Vec<StationInfo>> {
    let all = store.stations(&StationFilter::default())?;
    if let Some(c) = codes.iter().find(|c| !all.iter().any(|s| s.code.eq_ignore_ascii_case(c))) {
        return Err(ServiceError::Request(format!("unknown station {c:?}")));
    }
    if codes.is_empty() && cities.is_empty() {
        return Ok(all);
    }
    Ok(all
        .into_iter()
        .filter(|s| {
            codes.iter().any(|c| c.eq_ignore_ascii_case(&s.code))
                || s.city.as_ref().is_some_and(|sc| cities.iter().any(|c| c.id == sc.id))
        })
        .collect())
}
