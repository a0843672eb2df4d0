//! Hour → day → month → year budgets (`management.md` §1.4): worked examples E25 and E26, hand-checked
//! cases, and property tests that spend the returned budget and check the outcome.
//!
//! Expected values are the spec's numbers, hand computations written out in the comments, or
//! independent integer arithmetic in this file (limits typed in from `standards.md` §5.1–5.2, the
//! test's own mean, half-even rounding and window sums) — never the functions under test.

use chrono::NaiveDate;
use lantian_core::accountability::budget::{
    budget_day, budget_day_o3, budget_month, budget_month_good_days, budget_year, classify_risk, floor_to_reporting,
    AlertKind, Budget, BudgetAlert, BudgetError, BudgetOptions, O3Cap, PeriodBudget, Risk,
};
use lantian_core::{Conc, Pollutant, Ratio};
use proptest::prelude::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("test date")
}
fn u(v: i64) -> Conc {
    Conc::units(v)
}
fn r(num: i128, den: i128) -> Ratio {
    Ratio::new(num, den)
}

const CONSERVATIVE: BudgetOptions = BudgetOptions { use_rounding_margin: false };
const MARGIN: BudgetOptions = BudgetOptions { use_rounding_margin: true };

/// Dates of the data: two under Y2012, two under Y2026 (one in the GB 3095-2026 final-limit stage,
/// whose lower PM limits must not leak into the AQI-based good-day limit).
fn dates() -> [(NaiveDate, bool); 4] {
    [(date(2024, 7, 1), false), (date(2026, 2, 28), false), (date(2026, 3, 1), true), (date(2031, 6, 1), true)]
}

const MEAN_BASED: [Pollutant; 5] = [Pollutant::So2, Pollutant::No2, Pollutant::Co, Pollutant::Pm10, Pollutant::Pm2_5];

/// L in thousandths: the concentration at IAQI 100 of the daily column, typed in from HJ 633-2012
/// Table 1 / HJ 633-2026 Table 3 (`standards.md` §5.1–5.2).
fn limit_milli(p: Pollutant, y2026: bool) -> i128 {
    match (p, y2026) {
        (Pollutant::So2, _) => 150_000,
        (Pollutant::No2, _) => 80_000,
        (Pollutant::Co, _) => 4_000,
        (Pollutant::Pm10, false) => 150_000,
        (Pollutant::Pm10, true) => 120_000,
        (Pollutant::Pm2_5, false) => 75_000,
        (Pollutant::Pm2_5, true) => 60_000,
        (Pollutant::O3, _) => 160_000,
    }
}

/// Reporting step in thousandths: 1 μg/m³, or 0.1 mg/m³ for CO.
fn step_milli(p: Pollutant) -> i128 {
    if p == Pollutant::Co {
        100
    } else {
        1000
    }
}

/// `total / count` (thousandths) rounded half-to-even to a multiple of `step` — the test's own GB/T 8170.
fn rounded_mean(total: i128, count: i128, step: i128) -> i128 {
    let den = count * step;
    let q = total.div_euclid(den);
    let twice_rem = 2 * total.rem_euclid(den);
    let q = if twice_rem > den || (twice_rem == den && q % 2 != 0) { q + 1 } else { q };
    q * step
}

/// Whether a day with `count` valid hours summing to `total` is good for the pollutant: the exact mean
/// ≤ L (conservative), or the rounded mean ≤ L (with the rounding margin).
fn day_is_good(total: i128, count: i128, l: i128, step: i128, margin: bool) -> bool {
    if margin {
        rounded_mean(total, count, step) <= l
    } else {
        total <= count * l
    }
}

fn remaining(b: Budget) -> Ratio {
    match b {
        Budget::Remaining(m) => m,
        other => panic!("expected a remaining budget, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Worked examples
// ---------------------------------------------------------------------------------------------

/// worked-examples.md E25: 14 valid PM2.5 hours summing to 1120, 10 remaining → 68 (Y2012), 32 (Y2026).
#[test]
fn e25_hour_to_day_budget() {
    let hours = [u(80); 14];
    assert_eq!(hours.iter().map(|c| c.milli()).sum::<i64>(), 1_120_000);
    let y2012 = remaining(budget_day(date(2025, 11, 20), Pollutant::Pm2_5, &hours, 10, CONSERVATIVE).unwrap());
    assert_eq!(y2012, r(68_000, 1));
    assert_eq!(floor_to_reporting(y2012, Pollutant::Pm2_5), u(68));
    let y2026 = remaining(budget_day(date(2026, 11, 20), Pollutant::Pm2_5, &hours, 10, CONSERVATIVE).unwrap());
    assert_eq!(y2026, r(32_000, 1));
    assert_eq!(floor_to_reporting(y2026, Pollutant::Pm2_5), u(32));
    // 2031: GB 3095-2026 final daily limit is 50, but the good-day limit is the IAQI-100 breakpoint, 60.
    assert_eq!(
        budget_day(date(2031, 11, 20), Pollutant::Pm2_5, &hours, 10, CONSERVATIVE),
        Ok(Budget::Remaining(y2026))
    );
    // The default option is the conservative one.
    assert_eq!(BudgetOptions::default(), CONSERVATIVE);
}

/// E25 with the rounding margin (derived by hand): L = 75 is odd, so the mean must be < 75.5, i.e. the
/// day's total ≤ 24 × 75.5 − 0.001 = 1811.999 → (1811.999 − 1120) / 10 = 69.1999 → reportable 69.
/// L = 60 is even, so the mean may equal 60.5 (half-even gives 60): (1452 − 1120) / 10 = 33.2 → 33.
#[test]
fn e25_with_rounding_margin() {
    let hours = [u(80); 14];
    let y2012 = remaining(budget_day(date(2025, 11, 20), Pollutant::Pm2_5, &hours, 10, MARGIN).unwrap());
    assert_eq!(y2012, r(691_999, 10));
    assert_eq!(floor_to_reporting(y2012, Pollutant::Pm2_5), u(69));
    let y2026 = remaining(budget_day(date(2026, 11, 20), Pollutant::Pm2_5, &hours, 10, MARGIN).unwrap());
    assert_eq!(y2026, r(33_200, 1));
    assert_eq!(floor_to_reporting(y2026, Pollutant::Pm2_5), u(33));
}

/// worked-examples.md E26: 89 % over 31 days → ⌈27.59⌉ = 28 good days, 3 non-good days allowed.
#[test]
fn e26_good_day_budget() {
    let b = budget_month_good_days(r(89, 1), 31, 0, 0).unwrap();
    assert_eq!((b.required_good_days, b.nongood_allowance, b.days_left), (28, 3, 31));
    assert!(!b.is_lost());
    // Ten days in, two of them non-good: one more non-good day allowed.
    let b = budget_month_good_days(r(89, 1), 31, 8, 2).unwrap();
    assert_eq!((b.required_good_days, b.nongood_allowance, b.days_left), (28, 1, 21));
    // Five non-good days: 26 good days at most → 83.9 % < 89 %: lost by two days.
    let b = budget_month_good_days(r(89, 1), 31, 10, 5).unwrap();
    assert_eq!(b.nongood_allowance, -2);
    assert!(b.is_lost());
    // 89.5 % of 30 = 26.85 → 27; 90 % of 30 = 27 exactly → 27 (no spurious extra day).
    assert_eq!(budget_month_good_days(r(179, 2), 30, 0, 0).unwrap().required_good_days, 27);
    assert_eq!(budget_month_good_days(r(90, 1), 30, 0, 0).unwrap().required_good_days, 27);
}

// ---------------------------------------------------------------------------------------------
// Hour → day, hand-checked edge cases
// ---------------------------------------------------------------------------------------------

/// CO: L = 4.0 mg/m³ has one decimal; its last digit (40 tenths) is even, so the margin is ≤ 4.05.
#[test]
fn co_rounding_margin_is_five_hundredths() {
    let b = remaining(budget_day(date(2025, 1, 10), Pollutant::Co, &[], 24, MARGIN).unwrap());
    assert_eq!(b, r(4_050, 1));
    assert_eq!(floor_to_reporting(b, Pollutant::Co), Conc(4_000));
    let b = remaining(budget_day(date(2025, 1, 10), Pollutant::Co, &[Conc(3_500); 12], 12, CONSERVATIVE).unwrap());
    // (4 × 24 − 42) / 12 = 4.5
    assert_eq!(b, r(4_500, 1));
    // (4.05 × 24 − 42) / 12 = 4.6; floored to one decimal: 4.6.
    let b = remaining(budget_day(date(2025, 1, 10), Pollutant::Co, &[Conc(3_500); 12], 12, MARGIN).unwrap());
    assert_eq!(floor_to_reporting(b, Pollutant::Co), Conc(4_600));
}

#[test]
fn missed_hours_shrink_the_day_and_validity() {
    // 13 valid hours of 80 (one hour missed), 10 remaining: the mean is over 23 hours, not 24:
    // (75 × 23 − 1040) / 10 = 68.5.
    let b = budget_day(date(2025, 1, 10), Pollutant::Pm2_5, &[u(80); 13], 10, CONSERVATIVE).unwrap();
    assert_eq!(b, Budget::Remaining(r(68_500, 1)));
    // 10 valid + 9 remaining = 19 < 20: the daily mean cannot be valid.
    let b = budget_day(date(2025, 1, 10), Pollutant::Pm2_5, &[u(10); 10], 9, CONSERVATIVE).unwrap();
    assert_eq!(b, Budget::CannotBeValid { possible_hours: 19, min_hours: 20 });
    // Negative values are invalid measurements: left out (1 valid + 22 remaining = 23 hours).
    let b = budget_day(date(2025, 1, 10), Pollutant::Pm2_5, &[u(80), u(-1)], 22, CONSERVATIVE).unwrap();
    assert_eq!(b, Budget::Remaining(r(75_000 * 23 - 80_000, 22)));
}

#[test]
fn complete_and_lost_days() {
    let d = date(2025, 1, 10);
    assert_eq!(budget_day(d, Pollutant::Pm2_5, &[u(75); 24], 0, CONSERVATIVE), Ok(Budget::NoHoursLeft { good: true }));
    let mut hours = [u(75); 24];
    hours[0] = Conc(75_001);
    assert_eq!(budget_day(d, Pollutant::Pm2_5, &hours, 0, CONSERVATIVE), Ok(Budget::NoHoursLeft { good: false }));
    // Exact mean 75.5: half-even gives 76 (75 is odd) → not good even with the margin.
    hours[0] = u(87);
    assert_eq!(budget_day(d, Pollutant::Pm2_5, &hours, 0, MARGIN), Ok(Budget::NoHoursLeft { good: false }));
    // Mean 75.4583… → 75 with the margin, but above 75 conservatively.
    hours[0] = u(86);
    assert_eq!(budget_day(d, Pollutant::Pm2_5, &hours, 0, MARGIN), Ok(Budget::NoHoursLeft { good: true }));
    assert_eq!(budget_day(d, Pollutant::Pm2_5, &hours, 0, CONSERVATIVE), Ok(Budget::NoHoursLeft { good: false }));
    // 20 hours of 100: (75 × 24 − 2000) / 4 = −50 → lost.
    let b = budget_day(d, Pollutant::Pm2_5, &[u(100); 20], 4, CONSERVATIVE).unwrap();
    assert_eq!(b, Budget::AlreadyExceeded { allowance: r(-50_000, 1) });
    // One thousandth over: 22 hours of 75 and one of 150.001 sum 1800.001 > 75 × 24 → lost by 0.001.
    let mut over = vec![u(75); 22];
    over.push(Conc(150_001));
    let b = budget_day(d, Pollutant::Pm2_5, &over, 1, CONSERVATIVE).unwrap();
    assert_eq!(b, Budget::AlreadyExceeded { allowance: r(-1, 1) });
    over[22] = u(150);
    assert_eq!(budget_day(d, Pollutant::Pm2_5, &over, 1, CONSERVATIVE), Ok(Budget::Remaining(r(0, 1))));
}

#[test]
fn day_budget_errors() {
    let d = date(2025, 1, 10);
    assert_eq!(budget_day(d, Pollutant::O3, &[], 24, CONSERVATIVE), Err(BudgetError::NotMeanBased(Pollutant::O3)));
    assert_eq!(
        budget_day(d, Pollutant::Pm10, &[u(1); 5], 20, CONSERVATIVE),
        Err(BudgetError::TooManyHours { so_far: 5, remaining: 20 })
    );
    assert_eq!(budget_day_o3(d, &[None; 24], 24), Err(BudgetError::HourOutOfRange(24)));
}

// ---------------------------------------------------------------------------------------------
// Hour → day, O3
// ---------------------------------------------------------------------------------------------

fn o3_day(v: [Option<i64>; 24]) -> [Option<Conc>; 24] {
    v.map(|x| x.map(Conc::units))
}

/// worked-examples.md E14 series A.
const A: [i64; 24] =
    [30, 25, 22, 20, 18, 20, 28, 40, 60, 85, 110, 135, 158, 172, 180, 178, 165, 140, 110, 85, 65, 50, 42, 36];

#[test]
fn o3_cap_on_series_a() {
    let a = o3_day(A.map(Some));
    // Hour 13 closes window 6…13; hours 6…12 sum 28+40+60+85+110+135+158 = 616 → 1280 − 616 = 664.
    assert_eq!(budget_day_o3(date(2023, 7, 1), &a, 13), Ok(O3Cap::Cap(r(664_000, 1))));
    // Later entries are ignored: only hours before the next hour count.
    let mut only_past = a;
    only_past[13..].fill(None);
    assert_eq!(budget_day_o3(date(2023, 7, 1), &only_past, 13), Ok(O3Cap::Cap(r(664_000, 1))));
    // Hours 0…6 close no counted window (the 8 hours ending with them would cross midnight).
    for t in 0..7 {
        assert_eq!(budget_day_o3(date(2023, 7, 1), &a, t), Ok(O3Cap::Unconstrained), "hour {t}");
    }
    // Hour 7 closes window 0…7: 1280 − (30+25+22+20+18+20+28 = 163) = 1117. Same under Y2026 (L = 160).
    assert_eq!(budget_day_o3(date(2026, 7, 1), &a, 7), Ok(O3Cap::Cap(r(1_117_000, 1))));
    // Hours 0…6 summing 6 × 183 + 182.5 = 1280.5 > 1280: no value of hour 7 keeps window 0 (by 0.5).
    let mut high = [None; 24];
    high[..6].fill(Some(u(183)));
    high[6] = Some(Conc(182_500));
    assert_eq!(
        budget_day_o3(date(2023, 7, 1), &high, 7),
        Ok(O3Cap::AlreadyExceeded { window_start: 0, allowance: r(-500, 1) })
    );
    high[6] = Some(u(182));
    assert_eq!(budget_day_o3(date(2023, 7, 1), &high, 7), Ok(O3Cap::Cap(r(0, 1))));
}

/// worked-examples.md E15 series B: a gap adapts the divisor, and window 11 (172.5) ends the day.
#[test]
fn o3_cap_on_series_b() {
    let b = o3_day([
        Some(30),
        Some(25),
        Some(22),
        Some(20),
        Some(18),
        Some(20),
        Some(28),
        Some(40),
        Some(60),
        Some(85),
        None,
        None,
        None,
        Some(190),
        Some(200),
        Some(195),
        Some(180),
        Some(150),
        Some(120),
        Some(90),
        Some(70),
        Some(55),
        Some(45),
        Some(38),
    ]);
    let d = date(2023, 7, 1);
    // Hour 17 closes window 10…17: hours 10…16 have 4 values → 5 with hour 17 < 6: not counted.
    assert_eq!(budget_day_o3(d, &b, 17), Ok(O3Cap::Unconstrained));
    // Hour 18 closes window 11…18: hours 11…17 have 5 values summing 190+200+195+180+150 = 915; with
    // hour 18 the window has 6 → cap 6 × 160 − 915 = 45.
    assert_eq!(budget_day_o3(d, &b, 18), Ok(O3Cap::Cap(r(45_000, 1))));
    // Hour 19: window 11 has closed with 6 values summing 1035 > 960 (mean 172.5).
    assert_eq!(budget_day_o3(d, &b, 19), Ok(O3Cap::AlreadyExceeded { window_start: 11, allowance: r(-75_000, 1) }));
}

// ---------------------------------------------------------------------------------------------
// Month / year concentration, risk
// ---------------------------------------------------------------------------------------------

#[test]
fn period_budgets() {
    // Month target 35, 30 days, 10 days summing 400: (1050 − 400) / 20 = 32.5.
    assert_eq!(budget_month(u(35), 30, r(400_000, 1), 10), Ok(PeriodBudget::Remaining(r(32_500, 1))));
    // Year, day-weighted: January (31 days) mean 60 and February (28 days) mean 50 give Σ = 3260 over
    // 59 days; target 35 over 365 days → (12775 − 3260) / 306 = 9515/306 (month-weighted would be 31).
    assert_eq!(budget_year(u(35), 365, r(3_260_000, 1), 59), Ok(PeriodBudget::Remaining(r(9_515_000, 306))));
    assert_eq!(budget_month(u(35), 30, r(1_050_001, 1), 29), Ok(PeriodBudget::AlreadyExceeded { allowance: r(-1, 1) }));
    assert_eq!(budget_month(u(35), 30, r(1_050_000, 1), 30), Ok(PeriodBudget::NoDaysLeft { met: true }));
    assert_eq!(budget_month(u(35), 30, r(1_050_001, 1), 30), Ok(PeriodBudget::NoDaysLeft { met: false }));
    assert_eq!(budget_month(u(35), 30, r(0, 1), 31), Err(BudgetError::TooManyDays { so_far: 31, total: 30 }));
    assert_eq!(budget_month_good_days(r(101, 1), 31, 0, 0), Err(BudgetError::RateOutOfRange(r(101, 1))));
    assert_eq!(budget_month_good_days(r(89, 1), 31, 20, 12), Err(BudgetError::TooManyDays { so_far: 32, total: 31 }));
}

#[test]
fn risk_classification() {
    // E25: 68 left, last hour 80 → at risk by 12; last hour 60 → on track by 8.
    assert_eq!(classify_risk(r(68_000, 1), u(80)), Risk::AtRisk { margin: r(-12_000, 1) });
    assert_eq!(classify_risk(r(68_000, 1), u(60)), Risk::OnTrack { margin: r(8_000, 1) });
    assert_eq!(classify_risk(r(68_000, 1), u(68)), Risk::OnTrack { margin: r(0, 1) });
    // A negative allowance is at risk even against a zero (or negative) current level.
    assert!(matches!(classify_risk(r(-1, 1), u(0)), Risk::AtRisk { .. }));
    assert!(matches!(classify_risk(r(-1, 1), u(-5)), Risk::AtRisk { .. }));
    let b = budget_day(date(2025, 1, 10), Pollutant::Pm2_5, &[u(80); 14], 10, CONSERVATIVE).unwrap();
    assert_eq!(
        b.risk(u(80)).and_then(|k| k.alert(AlertKind::DayAtRisk)),
        Some(BudgetAlert { kind: AlertKind::DayAtRisk, margin: r(-12_000, 1) })
    );
    assert_eq!(b.risk(u(50)).and_then(|k| k.alert(AlertKind::DayAtRisk)), None);
    assert_eq!(Budget::NoHoursLeft { good: true }.risk(u(50)), None);
    let y = budget_year(u(35), 365, r(3_260_000, 1), 59).unwrap();
    assert_eq!(y.risk(u(40)).map(Risk::margin), Some(r(9_515_000 - 40_000 * 306, 306)));
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, ..ProptestConfig::default() }
}

/// A day so far: (date index, pollutant, valid values in thousandths, hours missed).
fn day_so_far() -> impl Strategy<Value = (usize, Pollutant, Vec<i64>, usize)> {
    (0usize..4, 0usize..5, 0usize..=24).prop_flat_map(|(di, pi, n)| {
        let p = MEAN_BASED[pi];
        let l = limit_milli(p, dates()[di].1) as i64;
        let step = step_milli(p) as i64;
        // Values around L (0…2L): at reporting precision mostly, raw thousandths sometimes.
        let value = prop_oneof![3 => (0..=2 * l / step).prop_map(move |k| k * step), 1 => 0..=2 * l];
        let missed = prop_oneof![2 => Just(0usize), 1 => 0..=24 - n];
        (Just(di), Just(p), proptest::collection::vec(value, n), missed)
    })
}

proptest! {
    #![proptest_config(config(256))]

    /// (a) Spending exactly the budget in every remaining hour keeps the day good (exact mean ≤ L, or
    /// rounded mean ≤ L with the margin), and exactly so: one thousandth more in total breaks it; the
    /// floored reporting-precision budget keeps it and one step more (1 μg/m³; 0.1 mg/m³ for CO) in
    /// every remaining hour breaks it. Lost, complete and invalid days are checked independently.
    #[test]
    fn day_budget_is_exact_and_tight((di, p, values, missed) in day_so_far(), margin in any::<bool>()) {
        let (d, y2026) = dates()[di];
        let (l, step) = (limit_milli(p, y2026), step_milli(p));
        let n = values.len();
        let rem = 24 - n - missed;
        let count = (n + rem) as i128;
        let s: i128 = values.iter().map(|v| i128::from(*v)).sum();
        let hours: Vec<Conc> = values.iter().map(|v| Conc(*v)).collect();
        let opts = BudgetOptions { use_rounding_margin: margin };
        let out = budget_day(d, p, &hours, rem, opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let good = |total: i128| day_is_good(total, count, l, step, margin);
        if count < 20 {
            prop_assert_eq!(out, Budget::CannotBeValid { possible_hours: count as usize, min_hours: 20 });
        } else if rem == 0 {
            prop_assert_eq!(out, Budget::NoHoursLeft { good: good(s) });
        } else if !good(s) {
            // Zero in every remaining hour is not enough.
            prop_assert!(matches!(out, Budget::AlreadyExceeded { allowance } if allowance.num < 0), "{:?}", out);
        } else {
            let Budget::Remaining(m) = out else {
                return Err(TestCaseError::fail(format!("expected Remaining, got {out:?}")));
            };
            prop_assert!(m.num >= 0);
            // Spending m in each of the rem hours adds rem·m, a whole number of thousandths.
            let spent = m.num * rem as i128;
            prop_assert_eq!(spent % m.den, 0, "rem·m = {}/{} is not whole thousandths", spent, m.den);
            let total = s + spent / m.den;
            prop_assert!(good(total), "spending {:?} per hour breaks the day", m);
            prop_assert!(!good(total + 1), "budget {:?} is not the largest", m);
            if !margin {
                // Conservative: exactly the mean L.
                prop_assert_eq!(total, count * l);
            }
            let v = i128::from(floor_to_reporting(m, p).milli());
            prop_assert_eq!(v.rem_euclid(step), 0);
            prop_assert!(good(s + rem as i128 * v), "floored {} breaks the day", v);
            prop_assert!(!good(s + rem as i128 * (v + step)), "floored {} + one step keeps the day", v);
        }
    }

    /// (b) O3: filling the next hour with the cap keeps the counted window closing at that hour ≤ L;
    /// one unit more (one thousandth, and 1 μg/m³) exceeds it. Earlier windows above L, hours closing
    /// no counted window and windows with too few values are checked independently.
    #[test]
    fn o3_cap_is_exact_and_tight(
        raw in proptest::array::uniform24(proptest::option::weighted(0.85, prop_oneof![
            3 => (0i64..=260).prop_map(|v| v * 1000),
            1 => 0i64..=260_000,
        ])),
        t in 0usize..24,
        di in 0usize..4,
    ) {
        const L: i128 = 160_000;
        let (d, _) = dates()[di];
        let hours: [Option<Conc>; 24] = raw.map(|x| x.map(Conc));
        let out = budget_day_o3(d, &hours, t).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // The test's own window: valid values among hours lo..=hi, reading only hours before t
        // unless `fill` supplies hour t.
        let window = |lo: usize, hi: usize, fill: Option<i128>| -> (i128, i128) {
            let (mut k, mut sum) = (0i128, 0i128);
            for (h, x) in raw.iter().enumerate().take(hi + 1).skip(lo) {
                let v = if h == t { fill } else if h < t { x.map(i128::from) } else { None };
                if let Some(v) = v {
                    k += 1;
                    sum += v;
                }
            }
            (k, sum)
        };
        let earlier = (0..=16usize).filter(|s| s + 7 < t).find(|&s| {
            let (k, sum) = window(s, s + 7, None);
            k >= 6 && sum > k * L
        });
        if let Some(s0) = earlier {
            prop_assert!(matches!(out, O3Cap::AlreadyExceeded { window_start, allowance } if window_start == s0 && allowance.num < 0), "{:?}", out);
            return Ok(());
        }
        if t < 7 {
            prop_assert_eq!(out, O3Cap::Unconstrained);
            return Ok(());
        }
        let s = t - 7;
        let (k_prev, _) = window(s, t - 1, None);
        if k_prev + 1 < 6 {
            prop_assert_eq!(out, O3Cap::Unconstrained);
            return Ok(());
        }
        let (k0, sum0) = window(s, t, Some(0));
        if sum0 > k0 * L {
            // Even a zero value leaves the window above L.
            prop_assert!(matches!(out, O3Cap::AlreadyExceeded { window_start, allowance } if window_start == s && allowance.num < 0), "{:?}", out);
            return Ok(());
        }
        let O3Cap::Cap(c) = out else {
            return Err(TestCaseError::fail(format!("expected a cap, got {out:?}")));
        };
        prop_assert_eq!(c.num % c.den, 0, "cap {:?} is not whole thousandths", c);
        let c = c.num / c.den;
        prop_assert!(c >= 0);
        let (k, sum) = window(s, t, Some(c));
        prop_assert!(sum <= k * L, "cap {} puts window {} at {}/{}", c, s, sum, k);
        let (k, sum) = window(s, t, Some(c + 1));
        prop_assert!(sum > k * L, "cap {} + 0.001 keeps window {}", c, s);
        let (k, sum) = window(s, t, Some(c.div_euclid(1000) * 1000 + 1000));
        prop_assert!(sum > k * L, "floored cap + 1 μg/m³ keeps window {}", s);
    }

    /// (c) Good days: using exactly the non-good allowance leaves exactly enough good days for the
    /// target rate; one more non-good day falls below it. `G_req` is the least count meeting the rate.
    #[test]
    fn good_day_allowance_is_exact_and_tight(
        den in prop_oneof![Just(1i128), Just(2), Just(4), Just(10), Just(100)],
        pct in 0i128..=100,
        frac in 0i128..100,
        days in 1u32..=31,
        split in (0u32..=31, 0u32..=31),
    ) {
        // A rate in 0…100 % with denominator `den`.
        let num = (pct * den + frac % den).min(100 * den);
        let (good_so_far, nongood_so_far) = {
            let g = split.0 % (days + 1);
            (g, split.1 % (days - g + 1))
        };
        let b = budget_month_good_days(r(num, den), days, good_so_far, nongood_so_far)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let d = i128::from(days);
        // good / D ≥ num / (100·den), in integers.
        let meets = |good: i128| good * 100 * den >= num * d;
        let req = i128::from(b.required_good_days);
        prop_assert!(meets(req) && !meets(req - 1), "G_req {} for {}/{} % of {}", req, num, den, days);
        let a = i128::from(b.nongood_allowance);
        let ng = i128::from(nongood_so_far);
        prop_assert!(meets(d - ng - a), "spending the allowance {} misses the target", a);
        prop_assert!(!meets(d - ng - a - 1), "one more non-good day than {} still meets the target", a);
        prop_assert_eq!(i128::from(b.days_left), d - i128::from(good_so_far) - ng);
        // Lost exactly when even an all-good rest of the month misses the target.
        prop_assert_eq!(b.is_lost(), !meets(d - ng));
    }

    /// (d) Month / year concentration: spending exactly the allowance every remaining day gives the
    /// target mean exactly; the floored allowance keeps it, one μg/m³ more breaks it.
    #[test]
    fn period_budget_is_exact_and_tight(
        target in 1i64..=100,
        total in 1u32..=366,
        daily in proptest::collection::vec(0i64..=200_000, 0..=366),
        year in any::<bool>(),
    ) {
        let d = (daily.len() as u32).min(total);
        let sum: i128 = daily.iter().take(d as usize).map(|v| i128::from(*v)).sum();
        let f = if year { budget_year } else { budget_month };
        let out = f(u(target), total, r(sum, 1), d).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let cap = i128::from(target) * 1000 * i128::from(total);
        let left = i128::from(total - d);
        match out {
            PeriodBudget::NoDaysLeft { met } => {
                prop_assert_eq!(left, 0);
                prop_assert_eq!(met, sum <= cap);
            }
            PeriodBudget::AlreadyExceeded { allowance } => {
                prop_assert!(left > 0 && sum > cap && allowance.num < 0);
            }
            PeriodBudget::Remaining(m) => {
                prop_assert!(left > 0 && m.num >= 0);
                // Σ + left·m = T·D exactly.
                prop_assert_eq!(sum * m.den + left * m.num, cap * m.den);
                let v = i128::from(floor_to_reporting(m, Pollutant::Pm2_5).milli());
                prop_assert!(sum + left * v <= cap);
                prop_assert!(sum + left * (v + 1000) > cap);
            }
        }
    }
}
