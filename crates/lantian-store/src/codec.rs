//! Compact, exact encoding of a [`LabelDay`] (15 series × 24 hours) as a blob.
//!
//! Layout (version 1): byte `1`; a little-endian `u16` mask of the series that hold any value; for each
//! such series in [`SeriesType`] order, 24 unsigned LEB128 varints, one per label hour: `0` = missing,
//! otherwise `(zigzag(mantissa) << 2 | decimals) + 1` where the value is `mantissa / 10^decimals` units
//! (decimals 0–3). `35` → 2 bytes, `0.8` → 1 byte: exact and about 2 bytes a value.

use lantian_core::hours::{LabelDay, MISSING};
use lantian_core::SeriesType;

const VERSION: u8 = 1;

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(b: &[u8], pos: &mut usize) -> Option<u64> {
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

fn encode_value(milli: i64) -> u64 {
    // Fewest decimals that represent the value exactly.
    let (mut m, mut e) = (milli, 3u64);
    while e > 0 && m % 10 == 0 {
        m /= 10;
        e -= 1;
    }
    let zz = ((m << 1) ^ (m >> 63)) as u64;
    ((zz << 2) | e) + 1
}

fn decode_value(v: u64) -> i64 {
    let v = v - 1;
    let e = (v & 3) as u32;
    let zz = v >> 2;
    let m = ((zz >> 1) as i64) ^ -((zz & 1) as i64);
    m * 10i64.pow(3 - e)
}

/// Encodes a label day.
pub fn encode(day: &LabelDay, out: &mut Vec<u8>) {
    out.clear();
    out.push(VERSION);
    let mut mask: u16 = 0;
    for (t, row) in day.values.iter().enumerate() {
        if row.iter().any(|v| *v != MISSING) {
            mask |= 1 << t;
        }
    }
    out.extend_from_slice(&mask.to_le_bytes());
    for (t, row) in day.values.iter().enumerate() {
        if mask & (1 << t) == 0 {
            continue;
        }
        for &v in row {
            if v == MISSING {
                out.push(0);
            } else {
                put_varint(out, encode_value(v));
            }
        }
    }
}

/// Decodes a blob written by [`encode`]; `None` if it is not one.
pub fn decode(b: &[u8]) -> Option<LabelDay> {
    if b.len() < 3 || b[0] != VERSION {
        return None;
    }
    let mask = u16::from_le_bytes([b[1], b[2]]);
    let mut day = LabelDay::default();
    let mut pos = 3;
    for t in 0..SeriesType::COUNT {
        if mask & (1 << t) == 0 {
            continue;
        }
        for h in 0..24 {
            let v = get_varint(b, &mut pos)?;
            if v != 0 {
                day.values[t][h] = decode_value(v);
            }
        }
    }
    (pos == b.len()).then_some(day)
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
}
