//! Property tests of the pure rules: AQI monotonicity, IAQI continuity at the breakpoints, the range
//! of `rate`, exact decimal round trips, GB/T 8170 rounding and the O3 MDA8 window maximum.
//!
//! Expected values are computed here by independent, deliberately naive code (or are the HJ 633
//! IAQI steps written out by hand), never by the functions under test.

use lantian_core::air::aqi::{rate, Rated};
use lantian_core::air::conc::round_gbt8170;
use lantian_core::air::daily::mda8;
use lantian_core::air::standards::{AqiRules, Breakpoints, HJ633_2012, HJ633_2026};
use lantian_core::{daily_aqi, realtime_aqi, Conc, DailyInput, HourlyInput, Ratio, RealTimeConvention, StandardSet};
use proptest::prelude::*;

/// HJ 633 Table 1 / HJ 633-2026 Table 3, first column: the IAQI at each breakpoint.
const STEPS: [u32; 8] = [0, 50, 100, 150, 200, 300, 400, 500];

const SETS: [StandardSet; 2] = [StandardSet::Y2012, StandardSet::Y2026];

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// Monotonicity
// ---------------------------------------------------------------------------------------------

/// A μg/m³ concentration: integer, 0–1000.
fn ug() -> impl Strategy<Value = i64> {
    (0i64..=1000).prop_map(|v| v * 1000)
}

/// A CO concentration: 0.0–80.0 mg/m³ with one decimal.
fn co() -> impl Strategy<Value = i64> {
    (0i64..=800).prop_map(|v| v * 100)
}

/// How much to raise a concentration: integer μg/m³ (or tenths of mg/m³ for CO).
fn raise() -> impl Strategy<Value = i64> {
    prop_oneof![0i64..=5, 0i64..=100, 0i64..=1000]
}

/// Hourly inputs as `[so2, no2, co, o3, pm10, pm2_5]` in thousandths, all present.
fn hourly_values() -> impl Strategy<Value = [i64; 6]> {
    (ug(), ug(), co(), ug(), ug(), ug()).prop_map(|(a, b, c, d, e, f)| [a, b, c, d, e, f])
}

fn hourly_input(v: [i64; 6], moving: [i64; 4]) -> HourlyInput {
    HourlyInput {
        so2: Some(Conc(v[0])),
        no2: Some(Conc(v[1])),
        co: Some(Conc(v[2])),
        o3: Some(Conc(v[3])),
        pm10: Some(Conc(v[4])),
        pm2_5: Some(Conc(v[5])),
        so2_24h: Some(Conc(moving[0])),
        o3_8h: Some(Conc(moving[1])),
        pm10_24h: Some(Conc(moving[2])),
        pm2_5_24h: Some(Conc(moving[3])),
        not_monitored: 0,
    }
}

/// The step of pollutant `k` (of `[so2, no2, co, o3, pm10, pm2_5]`) in thousandths.
fn hourly_step(k: usize) -> i64 {
    if k == 2 {
        100
    } else {
        1000
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Raising one 1-hour concentration, others fixed, never lowers the real-time AQI (the
    /// publisher's convention, which is the default, under both editions).
    #[test]
    fn realtime_aqi_is_monotone_in_each_concentration(
        v in hourly_values(),
        moving in (ug(), ug(), ug(), ug()).prop_map(|(a, b, c, d)| [a, b, c, d]),
        k in 0usize..6,
        delta in raise(),
    ) {
        let mut w = v;
        w[k] += delta * hourly_step(k);
        for set in SETS {
            let before = realtime_aqi(set, RealTimeConvention::Publisher, &hourly_input(v, moving));
            let after = realtime_aqi(set, RealTimeConvention::Publisher, &hourly_input(w, moving));
            // Every pollutant is present, so the AQI is published under both editions.
            let (Some(a), Some(b)) = (before.aqi, after.aqi) else {
                return Err(TestCaseError::fail(format!("{set:?}: AQI not published: {before:?} / {after:?}")));
            };
            prop_assert!(b >= a, "{:?}: raising pollutant {} from {:?} to {:?} lowered the AQI {} → {}", set, k, Conc(v[k]), Conc(w[k]), a, b);
            prop_assert!(b <= 500, "{:?}: AQI {} above 500", set, b);
        }
    }

    /// The same with some pollutants missing: the AQI computed from the available ones
    /// (`computed_aqi`, before the HJ 633-2026 NA rule) never decreases either.
    #[test]
    fn realtime_computed_aqi_is_monotone_with_missing_pollutants(
        v in hourly_values(),
        present in proptest::array::uniform6(proptest::bool::weighted(0.7)),
        k in 0usize..6,
        delta in raise(),
    ) {
        let mut w = v;
        w[k] += delta * hourly_step(k);
        let mk = |x: [i64; 6]| {
            let g = |i: usize| present[i].then_some(Conc(x[i]));
            HourlyInput { so2: g(0), no2: g(1), co: g(2), o3: g(3), pm10: g(4), pm2_5: g(5), ..HourlyInput::default() }
        };
        for set in SETS {
            let before = realtime_aqi(set, RealTimeConvention::Publisher, &mk(v));
            let after = realtime_aqi(set, RealTimeConvention::Publisher, &mk(w));
            prop_assert!(after.computed_aqi >= before.computed_aqi, "{:?}: {:?} → {:?}", set, before.computed_aqi, after.computed_aqi);
            // The published AQI: once published, raising a value keeps it published and not lower.
            if let Some(a) = before.aqi {
                prop_assert!(after.aqi.is_some_and(|b| b >= a), "{:?}: published {} → {:?}", set, a, after.aqi);
            }
        }
    }
}

/// Daily inputs `[so2, no2, co, pm10, pm2_5, o3_max_1h, o3_mda8]` in thousandths, all present, with
/// `o3_max_1h ≥ o3_mda8` (a daily maximum 1-hour value is never below an 8-hour mean of the same day).
fn daily_values() -> impl Strategy<Value = [i64; 7]> {
    (ug(), ug(), co(), ug(), ug(), ug(), ug()).prop_map(|(a, b, c, d, e, f, g)| [a, b, c, d, e, f.max(g), f.min(g)])
}

fn daily_input(v: [i64; 7]) -> DailyInput {
    DailyInput {
        so2: Some(Conc(v[0])),
        no2: Some(Conc(v[1])),
        co: Some(Conc(v[2])),
        pm10: Some(Conc(v[3])),
        pm2_5: Some(Conc(v[4])),
        o3_max_1h: Some(Conc(v[5])),
        o3_mda8: Some(Conc(v[6])),
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Raising one daily concentration, others fixed, never lowers the daily AQI under either
    /// edition. (HJ 633-2012 note 3 rates an MDA8 above 800 from the 1-hour maximum instead, so the
    /// inputs keep the physical constraint `o3_max_1h ≥ o3_mda8`; the raised MDA8 is capped there.)
    #[test]
    fn daily_aqi_is_monotone_in_each_concentration(v in daily_values(), k in 0usize..7, delta in raise()) {
        let mut w = v;
        w[k] += delta * if k == 2 { 100 } else { 1000 };
        if k == 6 {
            w[6] = w[6].min(w[5]);
        }
        for set in SETS {
            let before = daily_aqi(set, &daily_input(v));
            let after = daily_aqi(set, &daily_input(w));
            let (Some(a), Some(b)) = (before.aqi, after.aqi) else {
                return Err(TestCaseError::fail(format!("{set:?}: AQI not published: {before:?} / {after:?}")));
            };
            prop_assert!(b >= a, "{:?}: raising daily value {} from {:?} to {:?} lowered the AQI {} → {}", set, k, Conc(v[k]), Conc(w[k]), a, b);
            prop_assert!(b <= 500, "{:?}: AQI {} above 500", set, b);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// IAQI at and around the breakpoints
// ---------------------------------------------------------------------------------------------

/// Every breakpoint column of an edition, with its name and the step of one reported digit.
fn columns(r: &'static AqiRules) -> Vec<(String, Breakpoints, i64)> {
    let ug = 1000;
    let mg_tenth = 100;
    vec![
        (format!("{} SO2 24h", r.name), r.so2_24h, ug),
        (format!("{} SO2 1h", r.name), r.so2_1h, ug),
        (format!("{} NO2 24h", r.name), r.no2_24h, ug),
        (format!("{} NO2 1h", r.name), r.no2_1h, ug),
        (format!("{} PM10 24h", r.name), r.pm10_24h, ug),
        (format!("{} CO 24h", r.name), r.co_24h, mg_tenth),
        (format!("{} CO 1h", r.name), r.co_1h, mg_tenth),
        (format!("{} O3 1h", r.name), r.o3_1h, ug),
        (format!("{} O3 8h", r.name), r.o3_8h, ug),
        (format!("{} PM2.5 24h", r.name), r.pm2_5_24h, ug),
    ]
}

fn all_columns() -> Vec<(String, Breakpoints, i64)> {
    let mut v = columns(&HJ633_2012);
    v.extend(columns(&HJ633_2026));
    v
}

fn value(name: &str, col: Breakpoints, c: Conc) -> u32 {
    match rate(col, c) {
        Rated::Value(v) => v,
        other => panic!("{name}: {c} rated {other:?}, expected a value"),
    }
}

/// A breakpoint rates exactly its IAQI step; one reported digit below lies between the previous
/// step and this one, one digit above between this step and the next; above the last breakpoint
/// is `AboveTable`.
#[test]
fn iaqi_is_continuous_at_every_breakpoint() {
    let cols = all_columns();
    assert_eq!(cols.len(), 20);
    for (name, col, step) in cols {
        let bp = col.0;
        assert!(bp.len() >= 5 && bp.len() <= STEPS.len(), "{name}: {} breakpoints", bp.len());
        assert_eq!(bp[0], Conc(0), "{name}: the first breakpoint is 0");
        for (i, &b) in bp.iter().enumerate() {
            assert_eq!(rate(col, b), Rated::Value(STEPS[i]), "{name}: breakpoint {b}");
            if i > 0 {
                let below = value(&name, col, Conc(b.milli() - step));
                assert!(below <= STEPS[i] && below >= STEPS[i - 1], "{name}: {} rated {below}", Conc(b.milli() - step));
            }
            let above = Conc(b.milli() + step);
            if i + 1 < bp.len() {
                let v = value(&name, col, above);
                assert!(v >= STEPS[i] && v <= STEPS[i + 1], "{name}: {above} rated {v}");
            } else {
                assert_eq!(rate(col, above), Rated::AboveTable, "{name}: {above} is above the table");
            }
        }
        assert_eq!(rate(col, Conc(-step)), Rated::Invalid, "{name}: a negative value is invalid");
    }
}

/// The HJ 633-2012 Table 1 breakpoints, written out from the standard.
#[test]
fn hj633_2012_table_1_is_the_published_one() {
    let milli = |c: Breakpoints| c.0.iter().map(|c| c.milli()).collect::<Vec<i64>>();
    let units = |v: &[i64]| v.iter().map(|u| u * 1000).collect::<Vec<i64>>();
    let r = &HJ633_2012;
    assert_eq!(milli(r.so2_24h), units(&[0, 50, 150, 475, 800, 1600, 2100, 2620]));
    assert_eq!(milli(r.so2_1h), units(&[0, 150, 500, 650, 800]));
    assert_eq!(milli(r.no2_24h), units(&[0, 40, 80, 180, 280, 565, 750, 940]));
    assert_eq!(milli(r.no2_1h), units(&[0, 100, 200, 700, 1200, 2340, 3090, 3840]));
    assert_eq!(milli(r.pm10_24h), units(&[0, 50, 150, 250, 350, 420, 500, 600]));
    assert_eq!(milli(r.co_24h), units(&[0, 2, 4, 14, 24, 36, 48, 60]));
    assert_eq!(milli(r.co_1h), units(&[0, 5, 10, 35, 60, 90, 120, 150]));
    assert_eq!(milli(r.o3_1h), units(&[0, 160, 200, 300, 400, 800, 1000, 1200]));
    assert_eq!(milli(r.o3_8h), units(&[0, 100, 160, 215, 265, 800]));
    assert_eq!(milli(r.pm2_5_24h), units(&[0, 35, 75, 115, 150, 250, 350, 500]));
}

/// Naive HJ 633 formula (1), rounded up: `I_lo + (I_hi − I_lo)(C − BP_lo)/(BP_hi − BP_lo)`.
fn naive_iaqi(bp: &[Conc], c: i64) -> Option<u32> {
    if c < 0 || c > bp[bp.len() - 1].milli() {
        return None;
    }
    // The segment containing c (the lowest one when c is a breakpoint).
    let i = (1..bp.len()).find(|&i| c <= bp[i].milli())?;
    let (lo, hi) = (bp[i - 1].milli() as i128, bp[i].milli() as i128);
    let (ilo, ihi) = (STEPS[i - 1] as i128, STEPS[i] as i128);
    let num = ilo * (hi - lo) + (ihi - ilo) * (c as i128 - lo);
    let den = hi - lo;
    let q = num / den + i128::from(num % den != 0);
    Some(q as u32)
}

proptest! {
    #![proptest_config(config(512))]

    /// `rate` is within 0…500 (within the column's last step), agrees with the naive formula,
    /// is `AboveTable` above the last breakpoint and `Invalid` below zero.
    #[test]
    fn rate_is_bounded_and_matches_the_formula(col_ix in 0usize..20, frac in 0.0f64..1.3, neg in 1i64..10_000) {
        let cols = all_columns();
        let (name, col, _) = &cols[col_ix];
        let top = col.0[col.0.len() - 1].milli();
        let c = (top as f64 * frac) as i64;
        match rate(*col, Conc(c)) {
            Rated::Value(v) => {
                prop_assert!(c <= top, "{}: {} above the table rated {}", name, Conc(c), v);
                prop_assert!(v <= 500, "{}: {} rated {}", name, Conc(c), v);
                prop_assert!(v <= STEPS[col.0.len() - 1], "{}: {} rated {} above the column's last step", name, Conc(c), v);
                prop_assert_eq!(Some(v), naive_iaqi(col.0, c), "{}: {}", name, Conc(c));
            }
            Rated::AboveTable => prop_assert!(c > top, "{}: {} is not above {}", name, Conc(c), Conc(top)),
            Rated::Invalid => prop_assert!(false, "{}: {} rated invalid", name, Conc(c)),
        }
        prop_assert_eq!(rate(*col, Conc(-neg)), Rated::Invalid);
    }

    /// Within one column, `rate` is non-decreasing.
    #[test]
    fn rate_is_monotone(col_ix in 0usize..20, a in 0.0f64..1.0, b in 0.0f64..1.0) {
        let cols = all_columns();
        let (name, col, _) = &cols[col_ix];
        let top = col.0[col.0.len() - 1].milli() as f64;
        let (x, y) = ((top * a.min(b)) as i64, (top * a.max(b)) as i64);
        let (rx, ry) = (value(name, *col, Conc(x)), value(name, *col, Conc(y)));
        prop_assert!(rx <= ry, "{}: {} → {}, {} → {}", name, Conc(x), rx, Conc(y), ry);
    }
}

// ---------------------------------------------------------------------------------------------
// Exact decimals and GB/T 8170
// ---------------------------------------------------------------------------------------------

/// Naive GB/T 8170 rounding of a decimal text, digit by digit: look at the leftmost digit to be
/// dropped; < 5 drop, > 5 carry, = 5 carry when any later digit is non-zero, otherwise make the
/// kept last digit even. The sign is handled separately (rule 4).
fn naive_gbt8170(neg: bool, int_digits: &str, frac_digits: &str, decimals: usize) -> String {
    let mut frac: Vec<u8> = frac_digits.bytes().map(|c| c - b'0').collect();
    while frac.len() < decimals {
        frac.push(0);
    }
    let mut kept: Vec<u8> = int_digits.bytes().map(|c| c - b'0').chain(frac[..decimals].iter().copied()).collect();
    let dropped = &frac[decimals..];
    let carry = match dropped.first() {
        None => false,
        Some(&d) if d < 5 => false,
        Some(&d) if d > 5 => true,
        Some(_) => dropped[1..].iter().any(|&d| d != 0) || kept.last().is_some_and(|d| d % 2 == 1),
    };
    if carry {
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, 1);
                break;
            }
            i -= 1;
            if kept[i] == 9 {
                kept[i] = 0;
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    let split = kept.len() - decimals;
    let mut int: String = kept[..split].iter().map(|d| char::from(b'0' + d)).collect();
    let int_trim = int.trim_start_matches('0');
    int = if int_trim.is_empty() { "0".to_string() } else { int_trim.to_string() };
    let frac: String = kept[split..].iter().map(|d| char::from(b'0' + d)).collect();
    let zero = kept.iter().all(|&d| d == 0);
    let sign = if neg && !zero { "-" } else { "" };
    if decimals == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// A decimal text: sign, integer digits, fraction digits.
fn decimal_text() -> impl Strategy<Value = (bool, String, String)> {
    // At most 5 integer digits: a carry must stay within what `Conc::parse` accepts (< 10^6 units).
    (any::<bool>(), "[0-9]{1,5}", "[0-9]{0,9}", 0u8..4).prop_map(|(neg, i, f, tie)| {
        // Make exact ties frequent: end the fraction with a 5 followed by nothing.
        let f = if tie == 0 && !f.is_empty() { format!("{}5", &f[..f.len() - 1]) } else { f };
        (neg, i, f)
    })
}

proptest! {
    #![proptest_config(config(512))]

    /// Display then parse gives back the same concentration, for any value the parser accepts;
    /// the text has at most three decimals and no trailing fraction zero.
    #[test]
    fn conc_display_parse_round_trip(m in -999_999_999i64..=999_999_999) {
        let c = Conc(m);
        let s = c.to_string();
        prop_assert_eq!(Conc::parse(&s), Ok(c), "{}", s);
        if let Some((_, frac)) = s.split_once('.') {
            prop_assert!(!frac.is_empty() && frac.len() <= 3 && !frac.ends_with('0'), "{}", s);
        }
    }

    /// At and beyond a million units, a text is out of range (LabelDay holds concentrations as i32).
    #[test]
    fn conc_beyond_a_million_units_is_out_of_range(u in 1_000_000i64..1_000_000_000_000) {
        prop_assert!(matches!(Conc::parse(&u.to_string()), Err(lantian_core::air::conc::ConcParseError::OutOfRange(_))));
    }

    /// `Ratio::round` of an exact decimal agrees with `round_gbt8170` of its text, and both agree
    /// with a naive digit-by-digit GB/T 8170 rounding.
    #[test]
    fn ratio_round_agrees_with_round_gbt8170((neg, int, frac) in decimal_text(), decimals in 0u32..=3) {
        let text = format!("{}{}{}{}", if neg { "-" } else { "" }, int, if frac.is_empty() { "" } else { "." }, frac);
        // The exact value in thousandths of a unit: digits / 10^(len(frac) − 3).
        let digits: i128 = format!("{int}{frac}").parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let digits = if neg { -digits } else { digits };
        let scale = frac.len() as i32 - 3;
        let ratio = if scale >= 0 { Ratio::new(digits, 10i128.pow(scale as u32)) } else { Ratio::new(digits * 10i128.pow((-scale) as u32), 1) };

        let want = naive_gbt8170(neg, &int, &frac, decimals as usize);
        let text_rounded = round_gbt8170(&text, decimals).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&text_rounded, &want, "round_gbt8170({}, {})", text, decimals);
        let by_ratio = ratio.round(decimals);
        prop_assert_eq!(Conc::parse(&want), Ok(by_ratio), "Ratio::round of {} to {} decimals", text, decimals);
    }
}

// ---------------------------------------------------------------------------------------------
// O3 MDA8
// ---------------------------------------------------------------------------------------------

/// The maximum 8-hour mean over the windows starting at hours 0…16, each window valid with at
/// least `min_hours` non-negative values, as (sum, count) of the best window; and the number of
/// valid windows.
fn naive_mda8(o3: &[Option<i64>; 24], min_hours: usize) -> (Option<(i128, i128)>, usize) {
    let mut best: Option<(i128, i128)> = None;
    let mut valid = 0;
    for start in 0..17 {
        let mut sum = 0i128;
        let mut n = 0i128;
        for hour in &o3[start..start + 8] {
            if let Some(v) = *hour {
                if v >= 0 {
                    sum += v as i128;
                    n += 1;
                }
            }
        }
        if n as usize >= min_hours {
            valid += 1;
            // Compare sum/n with the best by cross-multiplying.
            if best.is_none_or(|(bs, bn)| sum * bn > bs * n) {
                best = Some((sum, n));
            }
        }
    }
    (best, valid)
}

fn day_hours() -> impl Strategy<Value = [Option<i64>; 24]> {
    (0.0f64..0.7).prop_flat_map(|gap| {
        proptest::array::uniform24(
            (proptest::bool::weighted(gap), prop_oneof![20 => 0i64..=400_000, 1 => -5_000i64..0])
                .prop_map(|(missing, v)| (!missing).then_some(v)),
        )
    })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn mda8_is_the_maximum_over_valid_windows(o3 in day_hours(), min_hours in prop_oneof![4 => Just(6usize), 1 => 1usize..=8]) {
        let hours: [Option<Conc>; 24] = o3.map(|v| v.map(Conc));
        let (got, windows) = mda8(&hours, min_hours);
        let (want, want_windows) = naive_mda8(&o3, min_hours);
        prop_assert_eq!(windows, want_windows);
        match (got, want) {
            (None, None) => {}
            (Some(r), Some((sum, n))) => {
                prop_assert!(r.den > 0);
                prop_assert_eq!(r.num * n, sum * r.den, "mda8 {}/{} but the best window is {}/{}", r.num, r.den, sum, n);
            }
            (g, w) => prop_assert!(false, "mda8 {:?}, expected {:?}", g, w),
        }
    }
}

/// A hand-made day: hours 0…7 at 100, hour 10 at 900, the rest missing. With six hours required the
/// windows starting at 0, 1, 2 (mean 100) and 3 (hours 3–7 and 10: 1400/6 = 233.3) are valid; with
/// one hour required the best are the windows holding only hour 10 (900).
#[test]
fn mda8_hand_example() {
    let mut o3 = [None; 24];
    for h in o3.iter_mut().take(8) {
        *h = Some(Conc::units(100));
    }
    o3[10] = Some(Conc::units(900));
    let (m, n) = mda8(&o3, 6);
    assert_eq!(n, 4, "windows starting at 0, 1, 2 and 3 hold ≥ 6 values");
    assert_eq!(m, Some(Ratio::new(1_400_000, 6)));
    assert_eq!(m.map(|r| r.round(0)), Some(Conc::units(233)));
    let (m, _) = mda8(&o3, 1);
    assert_eq!(m.map(|r| r.round(0)), Some(Conc::units(900)));
}

// ---------------------------------------------------------------------------------------------
// Station and city daily evaluation against naive references
// ---------------------------------------------------------------------------------------------

/// The daily evaluation written out naively over `Option<Conc>` hours (the form of the rules before
/// the evaluation moved to raw thousandths): the reference for `evaluate_label_days`.
fn naive_day(date: chrono::NaiveDate, hours: &[[Option<Conc>; 24]; 6]) -> lantian_core::air::daily::DailyExact {
    use lantian_core::air::standards::{Avg, Limits};
    use lantian_core::Pollutant;
    let set = StandardSet::for_date(date);
    let v = set.validity();
    let limits = Limits::for_date(date);
    let mut out = lantian_core::air::daily::DailyExact { stations: 1, ..Default::default() };
    for p in Pollutant::ALL {
        let valid: Vec<Conc> = hours[p as usize].iter().flatten().copied().filter(|c| !c.is_negative()).collect();
        out.valid_hours[p as usize] = valid.len() as u8;
        if p == Pollutant::O3 {
            if let Some(max) = valid.iter().max() {
                let limit_1h = limits.get(Pollutant::O3, Avg::H1).unwrap_or(Conc::units(200));
                if valid.len() >= v.o3_max_1h_min_hours || *max > limit_1h {
                    out.o3_max_1h = Some(max.ratio());
                }
            }
            continue;
        }
        if valid.len() >= v.daily_min_hours {
            out.mean[p as usize] = Ratio::mean_of(valid.iter().copied());
        }
    }
    let (m, windows) = mda8(&hours[Pollutant::O3 as usize], v.window_min_hours);
    out.mda8_windows = windows as u8;
    if let Some(m) = m {
        if windows >= v.mda8_min_windows || (v.mda8_exceedance_rescues && m.cmp_conc(limits.o3_mda8).is_gt()) {
            out.o3_mda8 = Some(m);
        }
    }
    out
}

/// An hourly cell: mostly a value, sometimes missing, sometimes negative (invalid).
fn cell() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![8 => (0i32..400_000).prop_map(Some), 2 => Just(None), 1 => (-5_000i32..0).prop_map(Some)]
}

proptest! {
    #![proptest_config(config(400))]

    /// The evaluation from two label days equals the naive evaluation of the natural day they hold.
    #[test]
    fn label_day_evaluation_matches_naive(
        this in proptest::collection::vec(cell(), 15 * 24),
        next in proptest::collection::vec(cell(), 15 * 24),
        has_next in any::<bool>(),
        day in 0i64..6000,
    ) {
        use lantian_core::air::hours::{natural_day, LabelDay, MISSING};
        let date = chrono::NaiveDate::from_ymd_opt(2013, 1, 1).expect("date") + chrono::Duration::days(day);
        let fill = |cells: &[Option<i32>]| {
            let mut d = LabelDay::default();
            for (i, c) in cells.iter().enumerate() {
                d.values[i / 24][i % 24] = c.unwrap_or(MISSING);
            }
            d
        };
        let (a, b) = (fill(&this), fill(&next));
        let nx = has_next.then_some(&b);
        let got = lantian_core::air::daily::evaluate_label_days(date, Some(&a), nx);
        let want = naive_day(date, &natural_day(Some(&a), nx).0);
        prop_assert_eq!(got, want);
        // Exactly the same ratios, not only the same values.
        for (g, w) in got.mean.iter().chain([&got.o3_max_1h, &got.o3_mda8]).zip(want.mean.iter().chain([&want.o3_max_1h, &want.o3_mda8])) {
            prop_assert_eq!(g.map(|r| (r.num, r.den)), w.map(|r| (r.num, r.den)));
        }
    }

    /// The mean of ratios equals the sum computed one value at a time, over the count.
    #[test]
    fn mean_of_ratios_matches_naive(values in proptest::collection::vec((-2_000_000i128..2_000_000, 1i128..48), 0..80)) {
        // Station values: sums of hourly thousandths over counts of valid hours (1–24); denominators
        // from 32 on take the path outside the table.
        let ratios: Vec<Ratio> = values.iter().map(|(n, d)| Ratio::new(*n, *d)).collect();
        let got = Ratio::mean_of_ratios(ratios.iter().copied());
        let want = ratios.iter().copied().reduce(|a, b| a + b).map(|s| s.div_int(ratios.len() as i128));
        let lowest = |r: Option<Ratio>| r.map(|r| {
            let r = r.reduced();
            (r.num, r.den)
        });
        prop_assert_eq!(lowest(got), lowest(want));
        prop_assert_eq!(got.map(|r| r.round(0)), want.map(|r| r.round(0)));
    }
}
