//! Every worked example of `shared/spec/worked-examples.md` that the foundation covers (E1–E19),
//! one test each, named after it. Expected values are the spec's hand-checked numbers.

use lantian_core::air::aqi::{
    daily_aqi, rate, realtime_aqi, AqiCategory, DailyInput, HourlyInput, Rated, RealTimeConvention,
};
use lantian_core::air::conc::{round_gbt8170, Conc, Ratio};
use lantian_core::air::daily::{evaluate_day, mda8, StationDayHours};
use lantian_core::air::period::percentile;
use lantian_core::air::standards::StandardSet::{Y2012, Y2026};
use lantian_core::air::standards::{HJ633_2012, HJ633_2026};
use lantian_core::{Indicator, Pollutant};

fn u(v: i64) -> Conc {
    Conc::units(v)
}
fn dec(s: &str) -> Conc {
    Conc::parse(s).expect("test literal")
}
fn iaqi(r: Rated) -> u32 {
    match r {
        Rated::Value(v) => v,
        other => panic!("expected a value, got {other:?}"),
    }
}

#[test]
fn e1_breakpoint_version_difference() {
    assert_eq!(iaqi(rate(HJ633_2012.pm2_5_24h, u(75))), 100);
    assert_eq!(iaqi(rate(HJ633_2026.pm2_5_24h, u(75))), 114);
    assert_eq!(iaqi(rate(HJ633_2026.pm10_24h, u(150))), 112);
    assert_eq!(iaqi(rate(HJ633_2026.pm2_5_24h, u(60))), 100);
}

#[test]
fn e2_round_up() {
    assert_eq!(iaqi(rate(HJ633_2012.pm2_5_24h, u(76))), 102);
    let r = daily_aqi(Y2012, &DailyInput { pm2_5: Some(u(36)), ..Default::default() });
    assert_eq!((r.aqi, r.category().map(|c| c.level())), (Some(52), Some(2)));
    let r = daily_aqi(Y2012, &DailyInput { pm2_5: Some(u(35)), ..Default::default() });
    assert_eq!((r.aqi, r.category(), r.primary.is_empty()), (Some(50), Some(AqiCategory::Excellent), true));
}

fn e3_input() -> DailyInput {
    DailyInput {
        so2: Some(u(12)),
        no2: Some(u(45)),
        pm10: Some(u(98)),
        pm2_5: Some(u(68)),
        co: Some(dec("1.1")),
        o3_max_1h: Some(u(180)),
        o3_mda8: Some(u(150)),
    }
}

#[test]
fn e3_complete_daily_aqi_with_tie() {
    let r = daily_aqi(Y2012, &e3_input());
    let got: Vec<(Indicator, u32)> = [
        Indicator::So2_24h,
        Indicator::No2_24h,
        Indicator::Pm10_24h,
        Indicator::Pm2_5_24h,
        Indicator::Co_24h,
        Indicator::O3_1h,
        Indicator::O3_8h,
    ]
    .into_iter()
    .map(|i| (i, r.iaqi_of(i).unwrap_or(9999)))
    .collect();
    assert_eq!(
        got,
        vec![
            (Indicator::So2_24h, 12),
            (Indicator::No2_24h, 57),
            (Indicator::Pm10_24h, 74),
            (Indicator::Pm2_5_24h, 92),
            (Indicator::Co_24h, 28),
            (Indicator::O3_1h, 75),
            (Indicator::O3_8h, 92)
        ]
    );
    assert_eq!(r.aqi, Some(92));
    assert_eq!(r.category(), Some(AqiCategory::Good));
    assert_eq!(r.category().map(|c| c.color().hex), Some("#FFFF00"));
    assert_eq!(r.primary.codes(), "o3_8h,pm2_5_24h");
    assert!(r.exceeding.is_empty());

    let r = daily_aqi(Y2026, &e3_input());
    assert_eq!(r.iaqi_of(Indicator::Pm10_24h), Some(85));
    assert_eq!(r.iaqi_of(Indicator::Pm2_5_24h), Some(108));
    assert_eq!(r.iaqi_of(Indicator::O3_1h), None, "O3 1-h is not a daily indicator in Y2026");
    assert_eq!(r.aqi, Some(108));
    assert_eq!(r.category().map(|c| (c.level(), c.color().hex)), Some((3, "#FF7E00")));
    assert_eq!(r.primary.codes(), "pm2_5_24h");
    assert!(r.exceeding.is_empty(), "over-standard pollutant was deleted in HJ 633-2026");
}

#[test]
fn e4_so2_1h_above_800() {
    let h = HourlyInput { so2: Some(u(900)), so2_24h: Some(u(300)), ..Default::default() };
    // Literal HJ 633-2012 reading (note 2): rated from the 24-hour value.
    let r = realtime_aqi(Y2012, RealTimeConvention::LiteralHj633_2012, &h);
    assert_eq!((r.iaqi_of(Indicator::So2_24h), r.aqi), (Some(124), Some(124)));
    // HJ 633-2026: fixed 200.
    let r = realtime_aqi(Y2026, RealTimeConvention::Publisher, &h);
    assert_eq!(r.aqi, Some(200));
    // The publisher's practice under HJ 633-2012 (real data, 2647A 2023-01-22 12:00: SO2 952,
    // SO2_24h 131, published AQI 200): also 200. The real data wins over the spec's [D] default.
    let r = realtime_aqi(Y2012, RealTimeConvention::Publisher, &h);
    assert_eq!(r.aqi, Some(200));
}

#[test]
fn e5_floating_point_trap() {
    assert_eq!(iaqi(rate(HJ633_2012.co_24h, dec("2.2"))), 55);
    assert_eq!(iaqi(rate(HJ633_2012.co_1h, dec("1.1"))), 11);
}

#[test]
fn e6_co_in_mg() {
    assert_eq!(iaqi(rate(HJ633_2012.co_24h, dec("4.5"))), 103);
    assert_eq!(iaqi(rate(HJ633_2012.co_1h, dec("12.3"))), 105);
    assert_eq!(iaqi(rate(HJ633_2012.co_24h, dec("0.8"))), 20);
}

#[test]
fn e7_o3_8h_above_800() {
    let d = DailyInput { o3_mda8: Some(u(820)), o3_max_1h: Some(u(850)), ..Default::default() };
    let r = daily_aqi(Y2012, &d);
    assert_eq!((r.iaqi_of(Indicator::O3_8h), r.iaqi_of(Indicator::O3_1h)), (None, Some(325)));
    assert_eq!((r.aqi, r.category()), (Some(325), Some(AqiCategory::Severe)));
    let r = daily_aqi(Y2026, &d);
    assert_eq!((r.iaqi_of(Indicator::O3_8h), r.aqi, r.category()), (Some(300), Some(300), Some(AqiCategory::Heavy)));
}

fn e8_hour() -> HourlyInput {
    HourlyInput {
        so2: Some(u(120)),
        no2: Some(u(90)),
        co: Some(dec("0.9")),
        o3: Some(u(210)),
        o3_8h: Some(u(170)),
        pm10_24h: Some(u(110)),
        pm2_5_24h: Some(u(80)),
        pm10: Some(u(140)),
        pm2_5: Some(u(130)),
        so2_24h: None,
        not_monitored: 0,
    }
}

#[test]
fn e8_realtime_publisher_vs_literal() {
    for set in [Y2012, Y2026] {
        let r = realtime_aqi(set, RealTimeConvention::Publisher, &e8_hour());
        assert_eq!(r.iaqi_of(Indicator::So2_1h), Some(40));
        assert_eq!(r.iaqi_of(Indicator::No2_1h), Some(45));
        assert_eq!(r.iaqi_of(Indicator::Co_1h), Some(9));
        assert_eq!(r.iaqi_of(Indicator::O3_1h), Some(105));
        assert_eq!(r.iaqi_of(Indicator::O3_8h), None);
        // The spec's "100 + 20×50/130 = 107.69 → 108" for PM10 140 uses the 2026 column (IAQI 100 at
        // 120); on the HJ 633-2012 column (100 at 150) the exact value is 50 + 90×50/100 = 95.
        let pm10 = if set == Y2012 { 95 } else { 108 };
        assert_eq!(r.iaqi_of(Indicator::Pm10_1h), Some(pm10));
        assert_eq!(r.iaqi_of(Indicator::Pm2_5_1h), Some(172));
        assert_eq!((r.aqi, r.primary.codes()), (Some(172), "pm2_5_1h".to_string()));
        assert_eq!(r.category(), Some(AqiCategory::Moderate));
    }
    let r = realtime_aqi(Y2012, RealTimeConvention::LiteralHj633_2012, &e8_hour());
    assert_eq!(r.iaqi_of(Indicator::O3_8h), Some(110));
    assert_eq!(r.iaqi_of(Indicator::Pm10_24h), Some(80));
    assert_eq!(r.iaqi_of(Indicator::Pm2_5_24h), Some(107));
    assert_eq!((r.aqi, r.primary.codes()), (Some(110), "o3_8h".to_string()));
}

#[test]
fn e9_missing_pollutant() {
    let d = DailyInput {
        pm2_5: None,
        so2: Some(u(8)),
        no2: Some(u(30)),
        pm10: Some(u(60)),
        co: Some(dec("0.8")),
        o3_mda8: Some(u(90)),
        o3_max_1h: Some(u(120)),
    };
    let r = daily_aqi(Y2012, &d);
    assert_eq!(r.iaqi_of(Indicator::No2_24h), Some(38));
    assert_eq!(r.iaqi_of(Indicator::Pm10_24h), Some(55));
    assert_eq!(r.iaqi_of(Indicator::O3_8h), Some(45));
    assert_eq!(r.iaqi_of(Indicator::O3_1h), Some(38));
    assert_eq!((r.aqi, r.primary.codes()), (Some(55), "pm10_24h".to_string()));
    assert!(r.missing.contains(Indicator::Pm2_5_24h));
    let r = daily_aqi(Y2026, &d);
    assert_eq!(r.iaqi_of(Indicator::Pm10_24h), Some(58));
    assert_eq!(r.computed_aqi, Some(58));
    assert_eq!((r.aqi, r.category(), r.primary.is_empty()), (None, None, true), "NA when missing and AQI ≤ 100");
}

#[test]
fn e10_no2_realtime() {
    assert_eq!(iaqi(rate(HJ633_2012.no2_1h, u(350))), 115);
}

#[test]
fn e11_above_the_table() {
    assert_eq!(rate(HJ633_2012.pm2_5_24h, u(600)), Rated::AboveTable);
    let r = daily_aqi(Y2012, &DailyInput { pm2_5: Some(u(600)), ..Default::default() });
    assert_eq!((r.aqi, r.beyond_table, r.category().map(|c| c.level())), (Some(500), true, Some(6)));
}

#[test]
fn e12_gbt8170_half_even() {
    for (v, d, want) in [
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
    ] {
        assert_eq!(round_gbt8170(v, d).as_deref(), Ok(want), "{v}");
    }
}

fn day_with(p: Pollutant, hours: &[Option<i64>]) -> StationDayHours {
    let mut h = StationDayHours::default();
    for (i, v) in hours.iter().enumerate() {
        h.get_mut(p)[i] = v.map(Conc::units);
    }
    h
}

#[test]
fn e13_daily_mean_rounding_changes_the_iaqi() {
    // 20 valid hours summing to 1530 (mean 76.5 → 76 → IAQI 102), 4 missing.
    let mut hours: Vec<Option<i64>> = vec![Some(76); 19];
    hours.push(Some(1530 - 76 * 19));
    hours.extend([None; 4]);
    let date = chrono::NaiveDate::from_ymd_opt(2022, 1, 5).expect("date");
    let d = evaluate_day(date, &day_with(Pollutant::Pm2_5, &hours)).rounded();
    assert_eq!(d.pm2_5, Some(u(76)));
    assert_eq!(daily_aqi(Y2012, &d).iaqi_of(Indicator::Pm2_5_24h), Some(102));
    // 19 valid hours: invalid, never 1530/24.
    hours[19] = None;
    let d = evaluate_day(date, &day_with(Pollutant::Pm2_5, &hours)).rounded();
    assert_eq!(d.pm2_5, None);
}

fn o3(v: &[Option<i64>]) -> [Option<Conc>; 24] {
    let mut a = [None; 24];
    for (i, x) in v.iter().enumerate() {
        a[i] = x.map(Conc::units);
    }
    a
}

const N: Option<i64> = None;

#[test]
fn e14_mda8_complete_day() {
    let a: Vec<Option<i64>> =
        [30, 25, 22, 20, 18, 20, 28, 40, 60, 85, 110, 135, 158, 172, 180, 178, 165, 140, 110, 85, 65, 50, 42, 36]
            .into_iter()
            .map(Some)
            .collect();
    let (m, n) = mda8(&o3(&a), 6);
    assert_eq!(n, 17);
    assert_eq!(m, Some(Ratio::new(154_750, 1)));
    let date = chrono::NaiveDate::from_ymd_opt(2022, 7, 5).expect("date");
    let d = evaluate_day(date, &day_with(Pollutant::O3, &a)).rounded();
    assert_eq!(d.o3_mda8, Some(u(155)));
    assert_eq!(daily_aqi(Y2012, &d).iaqi_of(Indicator::O3_8h), Some(96));
}

#[test]
fn e15_gap_but_exceeds_the_limit() {
    let b = [
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
        N,
        N,
        N,
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
    ];
    let (m, n) = mda8(&o3(&b), 6);
    assert_eq!((m, n), (Some(Ratio::new(172_500, 1)), 11));
    let date = chrono::NaiveDate::from_ymd_opt(2022, 7, 5).expect("date");
    let d = evaluate_day(date, &day_with(Pollutant::O3, &b)).rounded();
    assert_eq!(d.o3_mda8, Some(u(172)));
    assert_eq!(daily_aqi(Y2012, &d).iaqi_of(Indicator::O3_8h), Some(111));
}

#[test]
fn e16_gap_below_the_limit_is_invalid() {
    let c = [
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
        N,
        N,
        N,
        Some(150),
        Some(160),
        Some(158),
        Some(150),
        Some(130),
        Some(110),
        Some(85),
        Some(65),
        Some(50),
        Some(42),
        Some(36),
    ];
    let (m, n) = mda8(&o3(&c), 6);
    assert_eq!((m, n), (Some(Ratio::new(143_000, 1)), 11));
    let date = chrono::NaiveDate::from_ymd_opt(2022, 7, 5).expect("date");
    assert_eq!(evaluate_day(date, &day_with(Pollutant::O3, &c)).o3_mda8, None);
}

#[test]
fn e17_percentile_textbook() {
    let v: Vec<Conc> = [3, 4, 8, 2, 5, 4].into_iter().map(u).collect();
    assert_eq!(percentile(&v, 90), Some(Ratio::new(6_500, 1)));
}

#[test]
fn e18_co_p95_of_a_month() {
    let v: Vec<Conc> = [
        "0.8", "0.9", "1.0", "1.1", "0.7", "0.9", "1.2", "1.3", "1.0", "0.9", "0.8", "1.4", "1.6", "1.1", "1.0", "0.9",
        "0.8", "0.7", "1.0", "1.1", "1.2", "1.5", "1.7", "1.3", "1.0", "0.9", "0.8", "1.1", "1.2", "1.0",
    ]
    .into_iter()
    .map(dec)
    .collect();
    let p = percentile(&v, 95).expect("30 values");
    assert_eq!(p, Ratio::new(1_555, 1));
    assert_eq!(p.round(1), dec("1.6"));
}

#[test]
fn e19_o3_p90_of_mda8() {
    let v: Vec<Conc> = [
        88, 95, 102, 110, 121, 130, 99, 87, 140, 152, 161, 158, 149, 133, 120, 118, 125, 137, 142, 150, 163, 171, 155,
        147, 139, 128, 117, 109, 101, 96, 92,
    ]
    .into_iter()
    .map(u)
    .collect();
    assert_eq!(percentile(&v, 90), Some(Ratio::new(158_000, 1)));
}

#[test]
fn e20_monthly_composite_index_and_change_rate() {
    use lantian_core::accountability::ranking::{change_rate_tenths, composite_index_of, fmt_hundredths, fmt_tenths};
    let date = chrono::NaiveDate::from_ymd_opt(2022, 5, 31).expect("date");
    let c = [Some(u(9)), Some(u(32)), Some(u(58)), Some(u(37)), Some(dec("1.6")), Some(u(158))];
    let ci = composite_index_of(c, date).expect("all six");
    assert_eq!(ci.single[0], Some(Ratio::new(15, 100)));
    assert_eq!(ci.single[1], Some(Ratio::new(8, 10)));
    assert_eq!(ci.single[3], Some(Ratio::new(37, 35)));
    assert_eq!(ci.single[5], Some(Ratio::new(9875, 10000)));
    assert_eq!(ci.exact, Ratio::new(473, 112));
    assert_eq!(fmt_hundredths(ci.hundredths), "4.22");
    assert_eq!(ci.main_pollutants, vec![Pollutant::Pm2_5]);
    assert_eq!(change_rate_tenths(ci.hundredths, 461).map(fmt_tenths).as_deref(), Some("-8.5"));
}

#[test]
fn e21_ranking_with_a_tie() {
    use lantian_core::accountability::ranking::competition_ranks;
    // D 3.09, A 3.53, C 3.53, B 3.54, E 3.77 (in the order A, B, C, D, E).
    let r = competition_ranks(&[Some(353), Some(354), Some(353), Some(309), Some(377)]);
    assert_eq!(r, vec![Some(2), Some(4), Some(2), Some(1), Some(5)]);
}

fn pct(s: &str) -> Ratio {
    // A percentage with one decimal as an exact ratio (88.2 → 882/10).
    let c = dec(s);
    Ratio::new(i128::from(c.milli()), 1000)
}

#[test]
fn e22_points_city_x_good_month() {
    use lantian_core::accountability::points::{score, PointsInput, PointsScheme};
    let s = PointsScheme::default_scheme().expect("default scheme");
    let r = score(
        &s,
        &PointsInput {
            ranked: 21,
            rank: Some(5),
            change_ranked: 21,
            change_rank: Some(3),
            good_days: 27,
            good_days_last_year: Some(25),
            heavy_days: 0,
            severe_days: 0,
            pm2_5_ytd: Some(dec("34.6")),
            pm2_5_target: Some(u(36)),
            good_rate_ytd: Some(pct("88.2")),
            good_rate_target: Some(pct("89.0")),
            adjustments: vec![("refused_emergency_measures".into(), "2022-05 执法案卷".into())],
            tasks: Vec::new(),
        },
    );
    let pts: Vec<Ratio> = r.factors.iter().map(|f| f.points).collect();
    assert_eq!(
        pts,
        vec![
            Ratio::new(24, 1),
            Ratio::new(18, 1),
            Ratio::new(12, 1),
            Ratio::new(10, 1),
            Ratio::new(10, 1),
            Ratio::new(84, 10),
            Ratio::new(-2, 1)
        ]
    );
    assert_eq!(r.total_hundredths, 8040);
    assert_eq!(r.grade, "良好");
    assert_eq!(r.factors[0].formula, "30 × (21 − 5) / (21 − 1) = 24");
}

#[test]
fn e23_points_city_y_bad_month() {
    use lantian_core::accountability::points::{score, PointsInput, PointsScheme};
    let s = PointsScheme::default_scheme().expect("default scheme");
    let r = score(
        &s,
        &PointsInput {
            ranked: 21,
            rank: Some(21),
            change_ranked: 21,
            change_rank: Some(15),
            good_days: 22,
            good_days_last_year: Some(26),
            heavy_days: 2,
            severe_days: 1,
            pm2_5_ytd: Some(dec("41.2")),
            pm2_5_target: Some(u(38)),
            good_rate_ytd: Some(pct("80.0")),
            good_rate_target: Some(pct("85.0")),
            adjustments: vec![("yuetan".into(), "2022-05 约谈".into())],
            tasks: Vec::new(),
        },
    );
    let pts: Vec<Ratio> = r.factors.iter().map(|f| f.points).collect();
    assert_eq!(
        pts,
        vec![
            Ratio::new(0, 1),
            Ratio::new(6, 1),
            Ratio::new(6, 1),
            Ratio::new(-5, 1),
            Ratio::new(30, 19),
            Ratio::new(0, 1),
            Ratio::new(-5, 1)
        ]
    );
    assert_eq!(r.exact_total, Ratio::new(68, 19));
    assert_eq!(r.total_hundredths, 358);
    assert_eq!(r.grade, "不合格");
}
