//! The publisher's moving values over a station's 1-hour series, and the writing of numbers.

use crate::model::{CO, MISSING, NO2, NP, O3, PM10, PM25, SO2};

/// Ring length (≥ 24 hours back, a power of two).
const RING: usize = 32;

/// The trailing window of one station: the last 1-hour values (output units, [`MISSING`] for
/// gaps) and the last O3 8-hour values, with running sums for the 24-hour means.
#[derive(Clone)]
pub(crate) struct Window {
    vals: [[i32; NP]; RING],
    o3_8h: [i32; RING],
    pos: usize,
    sum: [i64; NP],
    cnt: [i64; NP],
    sum8: i64,
    cnt8: i64,
}

/// The moving values published at one label hour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Moving {
    /// 24-hour means, indexed like the pollutants (the O3 entry is unused).
    pub(crate) mean24: [i32; NP],
    /// Max of the 1-hour O3 over the trailing 24 hours.
    pub(crate) o3_24h: i32,
    /// Trailing 8-hour O3 mean.
    pub(crate) o3_8h: i32,
    /// Max of the O3 8-hour means over the trailing 24 hours.
    pub(crate) o3_8h_24h: i32,
}

/// Valid hours needed for a published 24-hour mean and for an O3 8-hour mean.
pub(crate) const MIN_24H: i64 = 20;
pub(crate) const MIN_8H: i64 = 6;

/// `sum / n` rounded half to even (`n > 0`, `sum ≥ 0`): the GB/T 8170 rounding of a mean.
#[inline]
pub(crate) fn mean_half_even(sum: i64, n: i64) -> i32 {
    let (q, r) = (sum / n, sum % n);
    let up = 2 * r > n || (2 * r == n && q % 2 == 1);
    (q + i64::from(up)) as i32
}

impl Window {
    pub(crate) fn new() -> Window {
        Window {
            vals: [[MISSING; NP]; RING],
            o3_8h: [MISSING; RING],
            pos: 0,
            sum: [0; NP],
            cnt: [0; NP],
            sum8: 0,
            cnt8: 0,
        }
    }

    /// Appends the next hour and returns the moving values at that hour.
    pub(crate) fn push(&mut self, v: &[i32; NP]) -> Moving {
        let idx = self.pos % RING;
        let old24 = self.vals[(self.pos + RING - 24) % RING];
        let old8 = self.vals[(self.pos + RING - 8) % RING][O3];
        for p in 0..NP {
            if old24[p] != MISSING {
                self.sum[p] -= i64::from(old24[p]);
                self.cnt[p] -= 1;
            }
            if v[p] != MISSING {
                self.sum[p] += i64::from(v[p]);
                self.cnt[p] += 1;
            }
        }
        if old8 != MISSING {
            self.sum8 -= i64::from(old8);
            self.cnt8 -= 1;
        }
        if v[O3] != MISSING {
            self.sum8 += i64::from(v[O3]);
            self.cnt8 += 1;
        }
        self.vals[idx] = *v;
        let o3_8h = if self.cnt8 >= MIN_8H { mean_half_even(self.sum8, self.cnt8) } else { MISSING };
        self.o3_8h[idx] = o3_8h;
        let mut m = Moving { o3_8h, ..Moving::default() };
        for p in [PM25, PM10, SO2, NO2, CO] {
            m.mean24[p] = if self.cnt[p] >= MIN_24H { mean_half_even(self.sum[p], self.cnt[p]) } else { MISSING };
        }
        m.mean24[O3] = MISSING;
        let (mut max1, mut max8) = (MISSING, MISSING);
        for k in 0..24 {
            let i = (self.pos + RING - k) % RING;
            max1 = max1.max(self.vals[i][O3]);
            max8 = max8.max(self.o3_8h[i]);
        }
        m.o3_24h = max1;
        m.o3_8h_24h = max8;
        self.pos += 1;
        m
    }
}

/// Appends the decimal digits of `v`.
#[inline]
pub(crate) fn push_u32(buf: &mut Vec<u8>, mut v: u32) {
    let mut tmp = [0u8; 10];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Appends a cell value: nothing for [`MISSING`]; an integer; or, for `tenths`, the shortest decimal
/// of `v / 10` as the publisher writes CO (`0.7`, `1`, `1.2`).
#[inline]
pub(crate) fn push_cell(buf: &mut Vec<u8>, v: i32, tenths: bool) {
    if v < 0 {
        return;
    }
    let v = v as u32;
    if tenths {
        push_u32(buf, v / 10);
        if v % 10 != 0 {
            buf.push(b'.');
            buf.push(b'0' + (v % 10) as u8);
        }
    } else {
        push_u32(buf, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lantian_core::air::conc::round_half_even;

    #[test]
    fn rounding_matches_core() {
        for n in 1..=24i64 {
            for sum in 0..2000i64 {
                assert_eq!(i128::from(mean_half_even(sum, n)), round_half_even(i128::from(sum), i128::from(n)));
            }
        }
    }

    #[test]
    fn cells() {
        let mut b = Vec::new();
        for (v, t) in [(0, false), (35, false), (1234, false), (7, true), (10, true), (12, true), (MISSING, false)] {
            push_cell(&mut b, v, t);
            b.push(b',');
        }
        assert_eq!(String::from_utf8_lossy(&b), "0,35,1234,0.7,1,1.2,,");
    }

    #[test]
    fn window_rules() {
        let mut w = Window::new();
        let mut last = Moving::default();
        // 19 valid hours: no 24-hour mean; the 20th makes it.
        for i in 0..19 {
            last = w.push(&[10 + i; NP]);
        }
        assert_eq!(last.mean24[PM25], MISSING);
        assert_eq!(last.o3_8h, mean_half_even((11..=18).map(|x| x + 10).sum::<i32>().into(), 8));
        last = w.push(&[29; NP]);
        assert_eq!(last.mean24[PM25], mean_half_even((10..=29).sum::<i32>().into(), 20));
        assert_eq!(last.o3_24h, 29);
        // Gaps: 8-hour mean needs 6 of 8.
        for _ in 0..3 {
            last = w.push(&[MISSING; NP]);
        }
        assert_eq!(last.o3_8h, MISSING);
        assert_eq!(last.o3_24h, 29);
        assert!(last.o3_8h_24h >= 20);
        for _ in 0..24 {
            last = w.push(&[MISSING; NP]);
        }
        assert_eq!((last.o3_24h, last.o3_8h_24h, last.mean24[CO]), (MISSING, MISSING, MISSING));
    }
}
