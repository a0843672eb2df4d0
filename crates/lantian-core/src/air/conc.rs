//! Exact concentrations and GB/T 8170 rounding.
//!
//! A concentration is held as a whole number of thousandths of its unit (μg/m³, or mg/m³ for CO), so
//! every value a monitoring file can carry (integers; CO with one to three decimals) is exact. Means
//! are exact rationals ([`Ratio`]); rounding is GB/T 8170 "四舍六入五成双" applied once, to the
//! full-precision value (`standards.md` §6.1). Floating point never decides a rounding or an IAQI.

use std::cmp::Ordering;
use std::fmt;

/// Thousandths per unit.
pub const MILLI: i64 = 1000;

/// Concentrations are below this many units (1,000,000 μg/m³ is a gram per cubic metre: no ambient
/// value comes near); larger texts are out of range.
pub const MAX_UNITS: i64 = 1_000_000;

/// An exact concentration, in thousandths of the pollutant's unit (μg/m³; mg/m³ for CO).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Conc(pub i64);

/// Why a text is not a concentration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConcParseError {
    #[error("empty value")]
    Empty,
    #[error("not a number: {0:?}")]
    NotANumber(String),
    #[error("more than three decimals: {0:?}")]
    TooPrecise(String),
    #[error("value out of range: {0:?}")]
    OutOfRange(String),
}

impl Conc {
    /// A whole number of units (μg/m³ or mg/m³).
    pub const fn units(v: i64) -> Conc {
        Conc(v * MILLI)
    }

    /// Thousandths of a unit.
    pub const fn milli(self) -> i64 {
        self.0
    }

    /// Parses a decimal text such as `35`, `0.8`, `2.586`, `35.0` or `-1` exactly. Digits beyond the
    /// third decimal must be zeros. Exponents and thousands separators are rejected.
    pub fn parse(text: &str) -> Result<Conc, ConcParseError> {
        Self::parse_bytes(text.as_bytes()).map_err(|e| match e {
            ConcParseError::NotANumber(_) => ConcParseError::NotANumber(text.to_string()),
            ConcParseError::TooPrecise(_) => ConcParseError::TooPrecise(text.to_string()),
            ConcParseError::OutOfRange(_) => ConcParseError::OutOfRange(text.to_string()),
            other => other,
        })
    }

    /// [`Conc::parse`] on bytes (the fast path of the importers). Errors carry no text; callers that
    /// report them re-parse with [`Conc::parse`] for the message.
    #[inline]
    pub fn parse_bytes(b: &[u8]) -> Result<Conc, ConcParseError> {
        let (neg, digits) = match b.first() {
            None => return Err(ConcParseError::Empty),
            Some(b'-') => (true, &b[1..]),
            Some(b'+') => (false, &b[1..]),
            _ => (false, b),
        };
        if digits.is_empty() {
            return Err(ConcParseError::NotANumber(String::new()));
        }
        let mut int: i64 = 0;
        let mut frac: i64 = 0;
        let mut frac_digits = 0u32;
        let mut seen_dot = false;
        let mut seen_digit = false;
        for &c in digits {
            match c {
                b'0'..=b'9' => {
                    seen_digit = true;
                    let d = i64::from(c - b'0');
                    if seen_dot {
                        if frac_digits < 3 {
                            frac = frac * 10 + d;
                            frac_digits += 1;
                        } else if d != 0 {
                            return Err(ConcParseError::TooPrecise(String::new()));
                        }
                    } else {
                        int = int
                            .checked_mul(10)
                            .and_then(|v| v.checked_add(d))
                            .filter(|v| *v < MAX_UNITS)
                            .ok_or(ConcParseError::OutOfRange(String::new()))?;
                    }
                }
                b'.' if !seen_dot => seen_dot = true,
                _ => return Err(ConcParseError::NotANumber(String::new())),
            }
        }
        if !seen_digit {
            return Err(ConcParseError::NotANumber(String::new()));
        }
        while frac_digits < 3 {
            frac *= 10;
            frac_digits += 1;
        }
        let v = int * MILLI + frac;
        Ok(Conc(if neg { -v } else { v }))
    }

    /// This value as an exact ratio.
    pub fn ratio(self) -> Ratio {
        Ratio::new(i128::from(self.0), 1)
    }

    /// Rounds to `decimals` (0–3) by GB/T 8170 (no-op when already that precise).
    #[inline]
    pub fn round(self, decimals: u32) -> Conc {
        let step = 10i64.pow(3 - decimals.min(3));
        if self.0 % step == 0 {
            return self;
        }
        Conc((round_half_even(i128::from(self.0), i128::from(step)) as i64) * step)
    }

    /// Whether this value is below zero (an invalid measurement).
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Conc {
    /// Shortest exact decimal: `35`, `0.8`, `2.586`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let sign = if v < 0 { "-" } else { "" };
        let a = v.unsigned_abs();
        let int = a / 1000;
        let frac = a % 1000;
        if frac == 0 {
            write!(f, "{sign}{int}")
        } else if frac.is_multiple_of(100) {
            write!(f, "{sign}{int}.{}", frac / 100)
        } else if frac.is_multiple_of(10) {
            write!(f, "{sign}{int}.{:02}", frac / 10)
        } else {
            write!(f, "{sign}{int}.{frac:03}")
        }
    }
}

impl serde::Serialize for Conc {
    /// As its exact decimal text (`"35"`, `"0.8"`).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Conc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Conc, D::Error> {
        let s = String::deserialize(d)?;
        Conc::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for Ratio {
    /// As `"num/den"` (exact).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}/{}", self.num, self.den))
    }
}

impl<'de> serde::Deserialize<'de> for Ratio {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Ratio, D::Error> {
        let s = String::deserialize(d)?;
        let (n, m) = s.split_once('/').ok_or_else(|| serde::de::Error::custom(format!("not a ratio: {s:?}")))?;
        let num: i128 = n.trim().parse().map_err(serde::de::Error::custom)?;
        let den: i128 = m.trim().parse().map_err(serde::de::Error::custom)?;
        if den == 0 {
            return Err(serde::de::Error::custom("zero denominator"));
        }
        Ok(Ratio::new(num, den))
    }
}

/// An exact rational in thousandths of a unit: `num / den`, `den > 0`.
#[derive(Clone, Copy, Debug)]
pub struct Ratio {
    pub num: i128,
    pub den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    // Denominators are small: the u64 path avoids 128-bit division.
    if let (Ok(x), Ok(y)) = (u64::try_from(a), u64::try_from(b)) {
        let (mut x, mut y) = (x, y);
        while y != 0 {
            let t = x % y;
            x = y;
            y = t;
        }
        return i128::from(x.max(1));
    }
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a.max(1)
}

impl Ratio {
    /// `num / den` (not reduced: equality and order compare cross products). `den` must not be zero.
    #[inline]
    pub fn new(num: i128, den: i128) -> Ratio {
        debug_assert!(den != 0);
        if den < 0 {
            Ratio { num: -num, den: -den }
        } else {
            Ratio { num, den }
        }
    }

    /// The same value in lowest terms.
    pub fn reduced(self) -> Ratio {
        let g = gcd(self.num, self.den);
        Ratio { num: self.num / g, den: self.den / g }
    }

    /// The arithmetic mean of some concentrations; `None` for none.
    pub fn mean_of(values: impl IntoIterator<Item = Conc>) -> Option<Ratio> {
        let mut sum: i128 = 0;
        let mut n: i128 = 0;
        for v in values {
            sum += i128::from(v.0);
            n += 1;
        }
        (n > 0).then(|| Ratio::new(sum, n))
    }

    /// The arithmetic mean of exact ratios; `None` for none (see [`RatioMean`]).
    pub fn mean_of_ratios(values: impl IntoIterator<Item = Ratio>) -> Option<Ratio> {
        let mut m = RatioMean::default();
        values.into_iter().for_each(|v| m.add(v));
        m.mean()
    }

    pub fn mul_int(self, k: i128) -> Ratio {
        Ratio::new(self.num * k, self.den)
    }

    pub fn div_int(self, k: i128) -> Ratio {
        Ratio::new(self.num, self.den * k)
    }

    /// GB/T 8170 rounding to `decimals` (0–3) of the unit: half to even on exact ties, applied once
    /// to the full-precision value (`standards.md` §6.1 rules 1–5).
    pub fn round(self, decimals: u32) -> Conc {
        let step: i128 = 10i128.pow(3 - decimals.min(3));
        Conc((round_half_even(self.num, self.den * step) * step) as i64)
    }

    /// Compared with a concentration.
    pub fn cmp_conc(self, c: Conc) -> Ordering {
        (self.num).cmp(&(i128::from(c.0) * self.den))
    }

    /// Lossy view for display and charts only; never for a rounding or comparison.
    pub fn to_f64_units(self) -> f64 {
        self.num as f64 / self.den as f64 / MILLI as f64
    }
}

/// An exact running mean of ratios. Values are summed per denominator first — a station's values
/// have small ones (counts of valid hours or 8-hour windows), so a table indexed by the denominator
/// holds them with no search and no gcd — and the few sums are added exactly at the end. The mean is
/// the same number as adding one value at a time (property test), found with far fewer lcm steps.
#[derive(Clone, Copy, Debug, Default)]
pub struct RatioMean {
    /// Sum of the numerators of the values with denominator `d` (1 ≤ d < 32), at index `d`.
    sums: [i64; 32],
    /// Bit `d` set when `sums[d]` holds any value.
    present: u32,
    /// The values with other denominators or numerators beyond 64 bits, added exactly.
    rest: Option<Ratio>,
    n: u64,
}

impl RatioMean {
    #[inline]
    pub fn add(&mut self, v: Ratio) {
        self.n += 1;
        if let (Ok(d @ 1..=31), Ok(num)) = (usize::try_from(v.den), i64::try_from(v.num)) {
            if let Some(sum) = self.sums[d].checked_add(num) {
                self.sums[d] = sum;
                self.present |= 1 << d;
                return;
            }
        }
        self.rest = Some(self.rest.map_or(v, |a| a + v));
    }

    /// [`RatioMean::add`] of `num / den` given as a 64-bit numerator and a small denominator (> 0).
    #[inline]
    pub fn add_small(&mut self, num: i64, den: u8) {
        let d = usize::from(den);
        match self.sums.get(d).map(|s| s.checked_add(num)) {
            Some(Some(sum)) if d > 0 => {
                self.n += 1;
                self.sums[d] = sum;
                self.present |= 1 << d;
            }
            _ => self.add(Ratio::new(i128::from(num), i128::from(den))),
        }
    }

    /// The mean of the values added; `None` for none.
    pub fn mean(&self) -> Option<Ratio> {
        if self.n == 0 {
            return None;
        }
        let mut acc = self.rest;
        let mut bits = self.present;
        while bits != 0 {
            let d = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let v = Ratio { num: i128::from(self.sums[d]), den: d as i128 };
            acc = Some(acc.map_or(v, |a| a + v));
        }
        acc.map(|a| Ratio::new(a.num, a.den * i128::from(self.n)))
    }
}

impl std::ops::Add for Ratio {
    type Output = Ratio;
    fn add(self, o: Ratio) -> Ratio {
        if self.den == o.den {
            return Ratio { num: self.num + o.num, den: self.den };
        }
        if let (Ok(a), Ok(b)) = (u64::try_from(self.den), u64::try_from(o.den)) {
            // Small denominators: the lcm in 64-bit arithmetic, no 128-bit division.
            let g = gcd(i128::from(a), i128::from(b)) as u64;
            let (fa, fb) = (b / g, a / g);
            let r =
                Ratio { num: self.num * i128::from(fa) + o.num * i128::from(fb), den: i128::from(a) * i128::from(fa) };
            return if r.den > 1 << 40 { r.reduced() } else { r };
        }
        // Denominators are small (counts of hours, stations, days): the lcm keeps them so.
        let g = gcd(self.den, o.den);
        let den = self.den / g * o.den;
        let r = Ratio { num: self.num * (den / self.den) + o.num * (den / o.den), den };
        if r.den > 1 << 40 {
            r.reduced()
        } else {
            r
        }
    }
}

impl std::ops::Sub for Ratio {
    type Output = Ratio;
    fn sub(self, o: Ratio) -> Ratio {
        self + Ratio::new(-o.num, o.den)
    }
}

impl PartialEq for Ratio {
    fn eq(&self, o: &Ratio) -> bool {
        self.num * o.den == o.num * self.den
    }
}
impl Eq for Ratio {}
impl PartialOrd for Ratio {
    fn partial_cmp(&self, o: &Ratio) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ratio {
    fn cmp(&self, o: &Ratio) -> Ordering {
        (self.num * o.den).cmp(&(o.num * self.den))
    }
}

/// `num / den` rounded to an integer, ties to even (`den > 0`). Negative values are rounded by
/// magnitude and the sign restored (GB/T 8170 rule 4), which for ties-to-even is the same thing.
pub fn round_half_even(num: i128, den: i128) -> i128 {
    // Daily and period values fit 64 bits: one hardware division instead of a 128-bit routine.
    match (i64::try_from(num), i64::try_from(den)) {
        (Ok(n), Ok(d)) => i128::from(round_half_even_64(n, d)),
        _ => round_half_even_128(num, den),
    }
}

/// [`round_half_even`] in 64-bit arithmetic (`den > 0`).
#[inline]
fn round_half_even_64(num: i64, den: i64) -> i64 {
    debug_assert!(den > 0);
    let q = num.div_euclid(den);
    let r = num.rem_euclid(den);
    // 2r against den without overflow: r against den − r.
    match r.cmp(&(den - r)) {
        Ordering::Less => q,
        Ordering::Greater => q + 1,
        Ordering::Equal => {
            if q % 2 == 0 {
                q
            } else {
                q + 1
            }
        }
    }
}

fn round_half_even_128(num: i128, den: i128) -> i128 {
    debug_assert!(den > 0);
    let q = num.div_euclid(den);
    let r = num.rem_euclid(den);
    match (2 * r).cmp(&den) {
        Ordering::Less => q,
        Ordering::Greater => q + 1,
        Ordering::Equal => {
            if q % 2 == 0 {
                q
            } else {
                q + 1
            }
        }
    }
}

/// `ceil(num / den)` for `den > 0` — HJ 633 "进位取整".
pub fn ceil_div(num: i128, den: i128) -> i128 {
    debug_assert!(den > 0);
    let q = num.div_euclid(den);
    if num.rem_euclid(den) == 0 {
        q
    } else {
        q + 1
    }
}

/// An exact decimal text (`80000`, `-2.5`, `0.10`; at most 9 decimals) as a plain ratio (not in
/// thousandths): for counts, scores and scheme parameters.
pub fn parse_decimal(text: &str) -> Option<Ratio> {
    let t = text.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 9
        || int.len() > 18
    {
        return None;
    }
    let digits: i128 = format!("{int}{frac}").parse().ok()?;
    Some(Ratio::new(if neg { -digits } else { digits }, 10i128.pow(frac.len() as u32)).reduced())
}

/// GB/T 8170 rounding of a decimal text to `decimals` places (`round_gbt8170` in the glossary):
/// exact, for any number of input digits.
pub fn round_gbt8170(text: &str, decimals: u32) -> Result<String, ConcParseError> {
    let t = text.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int_s, frac_s) = body.split_once('.').unwrap_or((body, ""));
    if int_s.is_empty() && frac_s.is_empty()
        || !int_s.bytes().all(|c| c.is_ascii_digit())
        || !frac_s.bytes().all(|c| c.is_ascii_digit())
        || int_s.len() + frac_s.len() > 36
    {
        return Err(ConcParseError::NotANumber(text.to_string()));
    }
    let digits = format!("{int_s}{frac_s}");
    let num: i128 = digits.parse().map_err(|_| ConcParseError::NotANumber(text.to_string()))?;
    let scale = frac_s.len() as u32;
    let out_scale = decimals;
    let rounded = if scale <= out_scale {
        num * 10i128.pow(out_scale - scale)
    } else {
        round_half_even(num, 10i128.pow(scale - out_scale))
    };
    let s = rounded.to_string();
    let s = if out_scale == 0 {
        s
    } else {
        let w = out_scale as usize + 1;
        let s = format!("{s:0>w$}");
        let (a, b) = s.split_at(s.len() - out_scale as usize);
        format!("{a}.{b}")
    };
    Ok(if neg && rounded != 0 { format!("-{s}") } else { s })
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        /// The 64-bit path rounds as the 128-bit one (ties, signs, large values).
        #[test]
        fn round_half_even_64_bit_path_agrees(num in proptest::num::i64::ANY, den in 1i64..=i64::MAX) {
            let (n, d) = (i128::from(num), i128::from(den));
            proptest::prop_assert_eq!(super::round_half_even(n, d), super::round_half_even_128(n, d));
            // Small denominators (counts of hours, days) with exact ties.
            for d in [2i128, 24, 1000] {
                proptest::prop_assert_eq!(super::round_half_even(n, d), super::round_half_even_128(n, d));
                let tie = n / d * d + d / 2;
                proptest::prop_assert_eq!(super::round_half_even(tie, d), super::round_half_even_128(tie, d));
            }
        }
    }

    use super::*;

    #[test]
    fn parses_exactly() {
        assert_eq!(Conc::parse("35"), Ok(Conc(35_000)));
        assert_eq!(Conc::parse("0.8"), Ok(Conc(800)));
        assert_eq!(Conc::parse("2.586"), Ok(Conc(2_586)));
        assert_eq!(Conc::parse("35.0000"), Ok(Conc(35_000)));
        assert_eq!(Conc::parse("-1"), Ok(Conc(-1_000)));
        assert!(matches!(Conc::parse("1.2345"), Err(ConcParseError::TooPrecise(_))));
        assert!(matches!(Conc::parse("abc"), Err(ConcParseError::NotANumber(_))));
        assert!(matches!(Conc::parse("1e3"), Err(ConcParseError::NotANumber(_))));
        assert!(matches!(Conc::parse("."), Err(ConcParseError::NotANumber(_))));
        assert!(matches!(Conc::parse(""), Err(ConcParseError::Empty)));
    }

    #[test]
    fn displays_shortest() {
        for s in ["35", "0.8", "2.586", "1.05", "-3.5", "0"] {
            assert_eq!(Conc::parse(s).map(|c| c.to_string()), Ok(s.to_string()));
        }
    }

    /// worked-examples.md E12: GB/T 8170 half-even on exact ties.
    #[test]
    fn e12_gbt8170_half_even() {
        let cases = [
            ("172.5", 0, "172"),
            ("173.5", 0, "174"),
            ("36.5", 0, "36"),
            ("76.5", 0, "76"),
            ("1.55", 1, "1.6"),
            ("1.45", 1, "1.4"),
            ("2.25", 1, "2.2"),
            ("1.555", 1, "1.6"),
            ("4.225", 2, "4.22"),
            ("-8.45986", 1, "-8.5"),
        ];
        for (input, d, want) in cases {
            assert_eq!(round_gbt8170(input, d).as_deref(), Ok(want), "{input} to {d}");
        }
        // The same on exact concentrations.
        assert_eq!(Conc::parse("172.5").map(|c| c.round(0)), Ok(Conc::units(172)));
        assert_eq!(Conc::parse("2.25").map(|c| c.round(1)), Ok(Conc(2_200)));
    }

    #[test]
    fn ratio_mean_and_round() {
        // E13: 1530 / 20 = 76.5 → 76.
        let m = Ratio::new(1_530_000, 20);
        assert_eq!(m.round(0), Conc::units(76));
        assert_eq!(Ratio::mean_of([Conc::units(1), Conc::units(2)]).map(|r| r.round(0)), Some(Conc::units(2)));
    }
}
