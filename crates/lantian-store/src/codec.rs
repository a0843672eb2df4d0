//! Compact, exact encoding of a [`LabelDay`] (16 series × 24 hours) as a blob, and of a block of
//! such blobs for up to [`CHUNK`] ids (one database row per label date and chunk).
//!
//! Block layout: byte `1`; varint entry count; per entry a varint id offset within the chunk
//! (0 … 63, increasing) and a varint byte length; then the entries' label-day encodings in order.
//!
//! Label-day layout (version 2): byte `2`; a little-endian `u16` mask of the series that hold any
//! value; for each such series in [`SeriesType`] order a byte `width | decimals << 4` and 24 unsigned
//! little-endian integers of `width` bytes (1, 2 or 4), one per label hour: `0` = missing, otherwise
//! `zigzag(mantissa) + 1`, the value being `mantissa / 10^decimals` units. `decimals` (0–3) and `width`
//! are the least the series needs, so PM values take 2 bytes and CO 1: exact, compact, and decoded
//! without branching on every byte.
//!
//! Series bits 0–14 are the 15 publisher file series ([`SeriesType::FILE_SERIES`]); bit 15 is
//! [`SeriesType::Release`], the facts of a real-time release row as an integer with no decimals
//! (`lantian_core::air::publisher::ReleaseFacts`: bits 0–5 published primary pollutants in `Pollutant`
//! order, bit 6 `臭氧8小时`, bits 8–13 pollutants marked `/`, bit 15 "from a release row"; its cells
//! take 4 bytes, since zigzag(≥ 32,768) + 1 exceeds 16 bits). Blobs written before the release series
//! existed never set mask bit 15 and decode unchanged (test `blobs_without_the_release_series`).

use lantian_core::air::hours::{LabelDay, MISSING};
use lantian_core::SeriesType;

const VERSION: u8 = 2;
const BLOCK_VERSION: u8 = 1;

#[inline]
fn get_varint(b: &[u8], pos: &mut usize) -> Option<u64> {
    // One- and two-byte values (almost all) first.
    let b0 = *b.get(*pos)?;
    if b0 < 0x80 {
        *pos += 1;
        return Some(u64::from(b0));
    }
    let b1 = *b.get(*pos + 1)?;
    if b1 < 0x80 {
        *pos += 2;
        return Some(u64::from(b0 & 0x7f) | u64::from(b1) << 7);
    }
    let mut v: u64 = 0;
    let mut shift = 0;
    loop {
        let byte = *b.get(*pos)?;
        *pos += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

/// Decimals (0–3) the values of a series need (missing values need none). Written over the whole
/// fixed-size row with no early exit so that it vectorises (this runs for every series of every
/// imported station-day).
#[inline]
fn decimals_of_row(row: &[i32; 24]) -> u32 {
    let (mut d1, mut d2, mut d3) = (false, false, false);
    for &v in row {
        let v = if v == MISSING { 0 } else { v };
        d1 |= v % 1000 != 0;
        d2 |= v % 100 != 0;
        d3 |= v % 10 != 0;
    }
    u32::from(d1) + u32::from(d2) + u32::from(d3)
}

/// zigzag(mantissa) + 1 of each value at `DEC` decimals (0 = missing), and their maximum.
#[inline]
fn code_row<const DIV: i32>(row: &[i32; 24], coded: &mut [u32; 24]) -> u32 {
    let mut max = 0u32;
    for (c, &v) in coded.iter_mut().zip(row) {
        // |v / DIV| < 2^31 / DIV: zigzag(m) + 1 < 2^32.
        let m = if v == MISSING { 0 } else { v / DIV };
        let z = ((m << 1) ^ (m >> 31)) as u32;
        *c = if v == MISSING { 0 } else { z.wrapping_add(1) };
        max = max.max(*c);
    }
    max
}

const POW: [i64; 4] = [1000, 100, 10, 1];

/// Encodes a label day.
pub fn encode(day: &LabelDay, out: &mut Vec<u8>) {
    out.clear();
    out.push(VERSION);
    let mask_at = out.len();
    out.extend_from_slice(&[0, 0]);
    let mut mask: u16 = 0;
    // One series at most: header byte + 24 × 4 bytes.
    let mut buf = [0u8; 1 + 24 * 4];
    for (t, row) in day.values.iter().enumerate() {
        if row.iter().all(|v| *v == MISSING) {
            continue;
        }
        mask |= 1 << t;
        let dec = decimals_of_row(row);
        // Constant divisors (a division by a variable step would dominate the encoding).
        let mut coded = [0u32; 24];
        let max = match dec {
            0 => code_row::<1000>(row, &mut coded),
            1 => code_row::<100>(row, &mut coded),
            2 => code_row::<10>(row, &mut coded),
            _ => code_row::<1>(row, &mut coded),
        };
        let width: usize = if max <= 0xff {
            1
        } else if max <= 0xffff {
            2
        } else {
            4
        };
        buf[0] = width as u8 | (dec as u8) << 4;
        match width {
            1 => {
                for (k, c) in coded.iter().enumerate() {
                    buf[1 + k] = *c as u8;
                }
            }
            2 => {
                for (k, c) in coded.iter().enumerate() {
                    buf[1 + 2 * k..3 + 2 * k].copy_from_slice(&(*c as u16).to_le_bytes());
                }
            }
            _ => {
                for (k, c) in coded.iter().enumerate() {
                    buf[1 + 4 * k..5 + 4 * k].copy_from_slice(&c.to_le_bytes());
                }
            }
        }
        out.extend_from_slice(&buf[..1 + 24 * width]);
    }
    out[mask_at..mask_at + 2].copy_from_slice(&mask.to_le_bytes());
}

/// Decodes a blob written by [`encode`]; `None` if it is not one.
pub fn decode(b: &[u8]) -> Option<LabelDay> {
    let mut day = LabelDay::default();
    decode_into(b, &mut day).then_some(day)
}

/// Decodes into `day` (which must be all missing, e.g. [`LabelDay::default`]); false if `b` is not
/// an encoding.
pub fn decode_into(b: &[u8], day: &mut LabelDay) -> bool {
    decode_series_into(b, u16::MAX, day)
}

/// The series at `pos` of a label-day encoding: its width (1, 2 or 4 bytes), decimals (0–3) and the 24
/// cells; `pos` moves past it. `None` if the header is not one of the layout or the cells are cut off.
#[inline]
fn next_series<'a>(b: &'a [u8], pos: &mut usize) -> Option<(usize, usize, &'a [u8])> {
    let head = *b.get(*pos)?;
    let (width, dec) = (usize::from(head & 0x0f), usize::from(head >> 4));
    if !matches!(width, 1 | 2 | 4) || dec > 3 {
        return None;
    }
    let body = b.get(*pos + 1..*pos + 1 + 24 * width)?;
    *pos += 1 + 24 * width;
    Some((width, dec, body))
}

/// [`decode_into`] for the series in `wanted` (bit [`SeriesType::index`]) only; the others stay as
/// they were in `day` and their values are skipped unread (the layout is still checked).
pub fn decode_series_into(b: &[u8], wanted: u16, day: &mut LabelDay) -> bool {
    if b.len() < 3 || b[0] != VERSION {
        return false;
    }
    let mask = u16::from_le_bytes([b[1], b[2]]);
    let mut pos = 3;
    for t in 0..SeriesType::COUNT {
        if mask & (1 << t) == 0 {
            continue;
        }
        let Some((width, dec, body)) = next_series(b, &mut pos) else { return false };
        if wanted & (1 << t) == 0 {
            continue;
        }
        let step = POW[dec];
        let row = &mut day.values[t];
        if width <= 2 {
            // Below 2^16 a value cannot overflow nor meet MISSING (|mantissa| < 2^15, × ≤ 1000): a
            // tight loop without checks.
            let step = step as i32;
            let cell = |c: u32| -> i32 {
                let z = c.wrapping_sub(1);
                let m = (z >> 1) as i32 ^ -((z & 1) as i32);
                if c == 0 {
                    MISSING
                } else {
                    m * step
                }
            };
            if width == 1 {
                for (slot, c) in row.iter_mut().zip(body) {
                    *slot = cell(u32::from(*c));
                }
            } else {
                for (slot, c) in row.iter_mut().zip(body.chunks_exact(2)) {
                    *slot = cell(u32::from(u16::from_le_bytes([c[0], c[1]])));
                }
            }
            continue;
        }
        let mut ok = true;
        let mut put = |h: usize, c: u32| {
            if c != 0 {
                let z = i64::from(c - 1);
                let m = (z >> 1) ^ -(z & 1);
                match i32::try_from(m * step) {
                    Ok(v) if v != MISSING => row[h] = v,
                    _ => ok = false,
                }
            }
        };
        match width {
            1 => body.iter().enumerate().for_each(|(h, c)| put(h, u32::from(*c))),
            2 => {
                body.chunks_exact(2).enumerate().for_each(|(h, c)| put(h, u32::from(u16::from_le_bytes([c[0], c[1]]))))
            }
            _ => {
                body.chunks_exact(4).enumerate().for_each(|(h, c)| put(h, u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            }
        }
        if !ok {
            return false;
        }
    }
    pos == b.len()
}

/// Decodes only label hour `h` (0…23) of every series of a blob written by [`encode`] into `out`
/// (indexed by [`SeriesType::index`], [`MISSING`] where empty): what the next label day contributes to
/// a natural day, without decoding the other 23 hours. False if `b` is not an encoding (the same
/// checks of the layout as [`decode_into`], and of the values at hour `h`).
pub fn decode_hour(b: &[u8], h: usize, out: &mut [i32; SeriesType::COUNT]) -> bool {
    *out = [MISSING; SeriesType::COUNT];
    if b.len() < 3 || b[0] != VERSION || h >= 24 {
        return false;
    }
    let mask = u16::from_le_bytes([b[1], b[2]]);
    let mut pos = 3;
    for (t, slot) in out.iter_mut().enumerate() {
        if mask & (1 << t) == 0 {
            continue;
        }
        let Some((width, dec, body)) = next_series(b, &mut pos) else { return false };
        let cell = &body[h * width..(h + 1) * width];
        let c = match width {
            1 => u32::from(cell[0]),
            2 => u32::from(u16::from_le_bytes([cell[0], cell[1]])),
            _ => u32::from_le_bytes([cell[0], cell[1], cell[2], cell[3]]),
        };
        if c != 0 {
            let z = i64::from(c - 1);
            let m = (z >> 1) ^ -(z & 1);
            match i32::try_from(m * POW[dec]) {
                Ok(v) if v != MISSING => *slot = v,
                _ => return false,
            }
        }
    }
    pos == b.len()
}

/// Ids per block.
pub const CHUNK: i64 = 64;

fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The entries of a block: `(id, encoded label day)`, ids increasing; `None` if malformed.
pub fn block_entries(chunk: i64, b: &[u8]) -> Option<Vec<(i64, &[u8])>> {
    if b.first() != Some(&BLOCK_VERSION) {
        return None;
    }
    let mut pos = 1;
    let n = get_varint(b, &mut pos)? as usize;
    if n > CHUNK as usize {
        return None;
    }
    let mut dir = Vec::with_capacity(n);
    for _ in 0..n {
        let off = get_varint(b, &mut pos)? as i64;
        let len = get_varint(b, &mut pos)? as usize;
        if off >= CHUNK {
            return None;
        }
        dir.push((chunk * CHUNK + off, len));
    }
    let mut out = Vec::with_capacity(n);
    for (id, len) in dir {
        let end = pos.checked_add(len)?;
        out.push((id, b.get(pos..end)?));
        pos = end;
    }
    (pos == b.len()).then_some(out)
}

/// Builds a block from `(id, encoded label day)` entries of one chunk, sorted by id.
pub fn build_block(entries: &[(i64, &[u8])], out: &mut Vec<u8>) {
    out.clear();
    out.push(BLOCK_VERSION);
    push_varint(out, entries.len() as u64);
    for (id, e) in entries {
        push_varint(out, id.rem_euclid(CHUNK) as u64);
        push_varint(out, e.len() as u64);
    }
    for (_, e) in entries {
        out.extend_from_slice(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lantian_core::Conc;

    #[test]
    fn round_trip() {
        let mut d = LabelDay::default();
        d.set(SeriesType::Pm2_5, 0, Some(Conc::units(35)));
        d.set(SeriesType::Co, 5, Some(Conc(800)));
        d.set(SeriesType::Co, 6, Some(Conc(2_586)));
        d.set(SeriesType::So2, 23, Some(Conc(-1_000)));
        d.set(SeriesType::Aqi, 3, Some(Conc::units(0)));
        d.set(SeriesType::Pm10, 3, Some(Conc::units(99_999)));
        let mut buf = Vec::new();
        encode(&d, &mut buf);
        assert_eq!(decode(&buf), Some(d));
        assert_eq!(decode(&buf[..buf.len() - 1]), None);
        assert_eq!(decode(b"xyz"), None);
    }

    /// The layout of the module documentation, worked by hand: CO 0.8 at hour 5 and 2.586 at hour 6
    /// need 3 decimals → mantissas 800 and 2586, zigzag 1600 and 5172, + 1 → 1601 and 5173: two bytes
    /// each; PM2.5 35 at hour 0 → mantissa 35, zigzag 70, + 1 = 71: one byte; −1 → zigzag 1, + 1 = 2.
    #[test]
    fn layout_worked_by_hand() {
        let mut d = LabelDay::default();
        d.set(SeriesType::Pm2_5, 0, Some(Conc::units(35)));
        d.set(SeriesType::Pm2_5, 1, Some(Conc::units(-1)));
        d.set(SeriesType::Co, 5, Some(Conc(800)));
        d.set(SeriesType::Co, 6, Some(Conc(2_586)));
        let mut buf = Vec::new();
        encode(&d, &mut buf);
        let (pm, co) = (SeriesType::Pm2_5.index(), SeriesType::Co.index());
        let mask = (1u16 << pm) | (1u16 << co);
        let mut expected = vec![2u8];
        expected.extend_from_slice(&mask.to_le_bytes());
        let mut series = |t: usize| {
            if t == pm {
                expected.push(1); // width 1, 0 decimals
                let mut cells = [0u8; 24];
                cells[0] = 71;
                cells[1] = 2;
                expected.extend_from_slice(&cells);
            } else if t == co {
                expected.push(2 | 3 << 4); // width 2, 3 decimals
                let mut cells = [0u16; 24];
                cells[5] = 1601;
                cells[6] = 5173;
                cells.iter().for_each(|c| expected.extend_from_slice(&c.to_le_bytes()));
            }
        };
        for t in 0..SeriesType::COUNT {
            series(t);
        }
        assert_eq!(buf, expected);
    }

    /// A blob as stores wrote it before the release series existed (mask bits 0–14 only), written out
    /// by hand from the layout: AQI 57 at hour 1 (zigzag 114 + 1 = 115, one byte) and CO 0.5 at hour 1
    /// (one decimal: mantissa 5, zigzag 10 + 1 = 11). It decodes to those two values with the release
    /// series missing, and re-encodes to the same bytes.
    #[test]
    fn blobs_without_the_release_series() {
        let mut old = vec![2u8];
        old.extend_from_slice(&((1u16 << 0) | (1u16 << 13)).to_le_bytes());
        let mut aqi = [0u8; 24];
        aqi[1] = 115;
        old.push(1);
        old.extend_from_slice(&aqi);
        let mut co = [0u8; 24];
        co[1] = 11;
        old.push(1 | 1 << 4);
        old.extend_from_slice(&co);
        let d = decode(&old).expect("decodes");
        assert_eq!(d.get(SeriesType::Aqi, 1), Some(Conc::units(57)));
        assert_eq!(d.get(SeriesType::Co, 1), Some(Conc(500)));
        assert_eq!(d.present(), 2);
        assert_eq!(d.get(SeriesType::Release, 1), None);
        assert_eq!(d.release(1), None);
        let mut again = Vec::new();
        encode(&d, &mut again);
        assert_eq!(again, old);
        let mut row = [0; SeriesType::COUNT];
        assert!(decode_hour(&old, 1, &mut row));
        assert_eq!(row[SeriesType::Release.index()], MISSING);
    }

    /// The release series worked by hand: facts 34,096 (PM10 and PM2.5 primary, SO2 and CO `/`, from a
    /// release row) at hour 1: 0 decimals, zigzag 68,192 + 1 = 68,193 > 65,535: four bytes, mask bit 15.
    #[test]
    fn release_series_layout_worked_by_hand() {
        let mut d = LabelDay::default();
        d.set(SeriesType::Release, 1, Some(Conc::units(34_096)));
        let mut buf = Vec::new();
        encode(&d, &mut buf);
        let mut expected = vec![2u8];
        expected.extend_from_slice(&(1u16 << 15).to_le_bytes());
        expected.push(4);
        let mut cells = [0u32; 24];
        cells[1] = 68_193;
        cells.iter().for_each(|c| expected.extend_from_slice(&c.to_le_bytes()));
        assert_eq!(buf, expected);
        assert_eq!(decode(&buf), Some(d.clone()));
        assert_eq!(d.release(1).map(|f| f.0), Some(34_096));
        let mut row = [0; SeriesType::COUNT];
        assert!(decode_hour(&buf, 1, &mut row));
        assert_eq!(row[SeriesType::Release.index()], 34_096_000);
        // The daily evaluation reads the six 1-hour series only: the release series is skipped.
        let mut only = LabelDay::default();
        assert!(decode_series_into(&buf, 1 << SeriesType::Pm2_5.index(), &mut only));
        assert!(only.is_empty());
    }

    proptest::proptest! {
        /// Any label day (values below a million units, up to three decimals, gaps) round-trips.
        #[test]
        fn any_label_day_round_trips(cells in proptest::collection::vec(proptest::option::of(-999_999_999i32..=999_999_999), SeriesType::COUNT * 24), scale in 0u32..4) {
            let mut d = LabelDay::default();
            for (i, c) in cells.iter().enumerate() {
                let v = c.map(|v| v / 10i32.pow(scale) * 10i32.pow(scale));
                d.values[i / 24][i % 24] = v.unwrap_or(MISSING);
            }
            let mut buf = Vec::new();
            encode(&d, &mut buf);
            proptest::prop_assert_eq!(decode(&buf), Some(d));
        }
    }

    proptest::proptest! {
        /// Decoding one hour gives that hour of the full decoding.
        #[test]
        fn one_hour_matches_full_decoding(cells in proptest::collection::vec(proptest::option::of(-999_999i32..=999_999_999), SeriesType::COUNT * 24), h in 0usize..24) {
            let mut d = LabelDay::default();
            for (i, c) in cells.iter().enumerate() {
                d.values[i / 24][i % 24] = c.unwrap_or(MISSING);
            }
            let mut buf = Vec::new();
            encode(&d, &mut buf);
            let mut row = [0; SeriesType::COUNT];
            proptest::prop_assert!(decode_hour(&buf, h, &mut row));
            for (t, v) in row.iter().enumerate() {
                proptest::prop_assert_eq!(*v, d.values[t][h]);
            }
            proptest::prop_assert!(!decode_hour(&buf[..buf.len() - 1], h, &mut row));
        }
    }

    #[test]
    fn block_round_trip() {
        let (a, b): (&[u8], &[u8]) = (b"\x01\x00\x00", b"\x01\x02\x00");
        let mut out = Vec::new();
        build_block(&[(130, a), (191, b)], &mut out);
        assert_eq!(block_entries(2, &out), Some(vec![(130, a), (191, b)]));
        assert_eq!(block_entries(2, &out[..out.len() - 1]), None);
        assert_eq!(block_entries(2, b"\x02"), None);
    }
}

/// Encoding of cached station daily evaluations ([`StationDay`]) of one natural day and chunk.
/// Layout: byte `2`; entry count; per entry the id offset (u8), eight values (six 24-hour means, O3
/// daily maximum 1-hour, O3 MDA8), the six valid-hour counts, the valid MDA8 windows and the station
/// count (u16, always 1). A value is one byte `den | decimals << 6` (`den` 1–63, 0 = none) and, when
/// present, a varint of `zigzag(num / 10^(3 − decimals))`. Exact: a station value is a sum of at most
/// 24 hourly values over its count.
pub mod daily {
    use lantian_core::air::daily::StationDay;

    use super::{get_varint, push_varint, CHUNK};

    const VERSION: u8 = 2;
    const STEP: [i64; 4] = [1000, 100, 10, 1];

    fn put_value(out: &mut Vec<u8>, num: i64, den: u8) -> bool {
        if den == 0 {
            out.push(0);
            return true;
        }
        if den > 63 {
            return false;
        }
        let dec = (0..4).find(|d| num % STEP[*d] == 0).unwrap_or(3);
        let m = num / STEP[dec];
        out.push(den | (dec as u8) << 6);
        push_varint(out, ((m << 1) ^ (m >> 63)) as u64);
        true
    }

    /// One value as (numerator, denominator); denominator 0 = none.
    fn get_value(b: &[u8], pos: &mut usize) -> Option<(i64, u8)> {
        let head = *b.get(*pos)?;
        *pos += 1;
        if head == 0 {
            return Some((0, 0));
        }
        let (den, dec) = (head & 63, usize::from(head >> 6));
        if den == 0 {
            return None;
        }
        let z = get_varint(b, pos)?;
        let m = ((z >> 1) as i64) ^ -((z & 1) as i64);
        Some((m.checked_mul(STEP[dec])?, den))
    }

    /// Encodes the evaluations of a chunk's stations (ids within one chunk); `None` if a value does
    /// not fit the layout (the caller then simply does not cache it).
    pub fn encode(entries: &[(i64, StationDay)]) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(2 + entries.len() * 40);
        out.push(VERSION);
        out.push(u8::try_from(entries.len()).ok()?);
        for (id, e) in entries {
            out.push(id.rem_euclid(CHUNK) as u8);
            for (num, den) in e.num.iter().zip(e.den) {
                if !put_value(&mut out, *num, den) {
                    return None;
                }
            }
            out.extend_from_slice(&e.valid_hours);
            out.push(e.mda8_windows);
            out.extend_from_slice(&1u16.to_le_bytes());
        }
        Some(out)
    }

    /// Whether `b` is written in this version of the layout (a quick check before [`decode`]; older
    /// encodings are recomputed).
    pub fn is_current(b: &[u8]) -> bool {
        b.first() == Some(&VERSION)
    }

    /// Decodes a block of chunk `chunk`; `None` if malformed.
    pub fn decode(chunk: i64, b: &[u8]) -> Option<Vec<(i64, StationDay)>> {
        let mut out = Vec::new();
        decode_into(chunk, b, &mut out).then_some(out)
    }

    /// [`decode`] into `out` (cleared first, its allocation reused); false if malformed.
    pub fn decode_into(chunk: i64, b: &[u8], out: &mut Vec<(i64, StationDay)>) -> bool {
        out.clear();
        decode_entries(chunk, b, out).is_some()
    }

    fn decode_entries(chunk: i64, b: &[u8], out: &mut Vec<(i64, StationDay)>) -> Option<()> {
        if b.len() < 2 || b[0] != VERSION {
            return None;
        }
        let n = usize::from(b[1]);
        let mut pos = 2;
        out.reserve(n);
        for _ in 0..n {
            let id = chunk * CHUNK + i64::from(*b.get(pos)?);
            pos += 1;
            let mut d = StationDay::default();
            for k in 0..8 {
                (d.num[k], d.den[k]) = get_value(b, &mut pos)?;
            }
            let tail = b.get(pos..pos + 9)?;
            pos += 9;
            d.valid_hours.copy_from_slice(&tail[..6]);
            d.mda8_windows = tail[6];
            // Station days only: one station each.
            if u16::from_le_bytes([tail[7], tail[8]]) != 1 {
                return None;
            }
            out.push((id, d));
        }
        (pos == b.len()).then_some(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn round_trip() {
            let e = StationDay {
                num: [960_000, 0, 19_200, 0, -5, 0, 180_000, 1_234_567],
                den: [24, 0, 24, 0, 3, 0, 1, 8],
                valid_hours: [24, 0, 24, 0, 3, 21],
                mda8_windows: 17,
            };
            let b = encode(&[(130, e)]).expect("fits");
            let back = decode(2, &b).expect("decodes");
            assert_eq!(back.len(), 1);
            assert_eq!(back[0].0, 130);
            assert_eq!(back[0].1, e);
            assert!(decode(2, &b[..b.len() - 1]).is_none());
            // A denominator beyond the layout is not cached.
            let big = StationDay { den: [100, 0, 0, 0, 0, 0, 0, 0], ..e };
            assert!(encode(&[(1, big)]).is_none());
        }

        /// The layout worked by hand: station 65 (offset 1 in chunk 1) with only PM10 (index 4): a
        /// sum of 852.5 μg/m³ over 24 hours = 852,500 / 24 → one decimal: mantissa 8,525, zigzag
        /// 17,050 = varint 0x9a 0x85 0x01, head 24 | 1 << 6 = 88; the other seven values absent (0).
        #[test]
        fn layout_worked_by_hand() {
            let mut e = StationDay::default();
            (e.num[4], e.den[4]) = (852_500, 24);
            e.valid_hours[4] = 24;
            let b = encode(&[(65, e)]).expect("fits");
            let expected: Vec<u8> = [
                &[2u8, 1, 1][..],        // version, one entry, id offset 1
                &[0, 0, 0, 0],           // SO2, NO2, CO, O3 (unused): none
                &[88, 0x9a, 0x85, 0x01], // PM10
                &[0, 0, 0],              // PM2.5, O3 1-hour maximum, MDA8: none
                &[0, 0, 0, 0, 24, 0],    // valid hours
                &[0],                    // MDA8 windows
                &[1, 0],                 // one station
            ]
            .concat();
            assert_eq!(b, expected);
        }
    }
}
