//! Points scheme as data: changing one parameter of the scheme file changes exactly the factor it
//! governs (issue 4).

use lantian_core::conc::{Conc, Ratio};
use lantian_core::points::{score, PointsInput, PointsScheme, DEFAULT_SCHEME_TOML};

fn input() -> PointsInput {
    // A city that is not at any clamp: every factor responds to its parameters.
    PointsInput {
        ranked: 21,
        rank: Some(8),
        change_ranked: 21,
        change_rank: Some(12),
        good_days: 24,
        good_days_last_year: Some(21),
        heavy_days: 1,
        severe_days: 0,
        pm2_5_ytd: Some(Conc::units(39)),
        pm2_5_target: Some(Conc::units(37)),
        good_rate_ytd: Some(Ratio::new(850, 10)),
        good_rate_target: Some(Ratio::new(880, 10)),
        adjustments: vec![("yuetan".into(), "2022-05 约谈".into())],
    }
}

fn points(text: &str) -> Vec<Ratio> {
    let s = PointsScheme::parse(text).expect("valid scheme");
    score(&s, &input()).factors.iter().map(|f| f.points).collect()
}

#[test]
fn one_parameter_changes_one_factor() {
    let base = points(DEFAULT_SCHEME_TOML);
    let cases: [(&str, &str, &[usize]); 6] = [
        (
            "[factors.good_days]\nmax = 20\nbase = 10\nper_day = 1",
            "[factors.good_days]\nmax = 20\nbase = 10\nper_day = 2",
            &[2],
        ),
        ("per_heavy = 5", "per_heavy = 4", &[3]),
        ("zero_at = \"0.10\"", "zero_at = \"0.20\"", &[4]),
        ("per_point = 2", "per_point = 3", &[5]),
        ("[adjustments]\nmin = -20", "[adjustments]\nmin = -4", &[6]),
        // Maxima must add up to 100: moving 5 points from C1 to C2 changes exactly those two.
        ("[factors.ranking]\nmax = 30", "[factors.ranking]\nmax = 25", &[0, 1]),
    ];
    for (from, to, changed) in cases {
        let mut text = DEFAULT_SCHEME_TOML.replace(from, to);
        if changed == [0, 1] {
            text = text.replace("[factors.change]\nmax = 20", "[factors.change]\nmax = 25");
        }
        assert_ne!(text, DEFAULT_SCHEME_TOML, "{from}");
        let p = points(&text);
        for k in 0..base.len() {
            if changed.contains(&k) {
                assert_ne!(p[k], base[k], "{to}: factor {k} should change");
            } else {
                assert_eq!(p[k], base[k], "{to}: factor {k} should not change");
            }
        }
    }
}

/// Annual points = the mean of the monthly points (`[aggregation] annual = "mean_of_months"`): the E22 and
/// E23 months (80.40 and 3.58) average to 41.99; each factor is the mean of its months.
#[test]
fn annual_points_are_the_mean_of_the_months() {
    use lantian_core::points::mean_of_months;
    let s = PointsScheme::parse(DEFAULT_SCHEME_TOML).expect("scheme");
    assert!(s.annual_mean_of_months);
    let mut a = input();
    a.rank = Some(5);
    let x = score(&s, &a);
    let mut b = input();
    b.rank = Some(21);
    let y = score(&s, &b);
    let m = mean_of_months(&s, &[&x, &y]).expect("two months");
    assert_eq!(
        m.total_hundredths,
        lantian_core::conc::round_half_even(i128::from(x.total_hundredths + y.total_hundredths), 2) as i64
    );
    assert_eq!(m.factors[0].points, Ratio::new(24, 2)); // (24 + 0) / 2
    let other = DEFAULT_SCHEME_TOML.replace("annual = \"mean_of_months\"", "annual = \"recompute\"");
    assert!(!PointsScheme::parse(&other).expect("scheme").annual_mean_of_months);
    let bad = DEFAULT_SCHEME_TOML.replace("annual = \"mean_of_months\"", "annual = \"median\"");
    assert_eq!(PointsScheme::parse(&bad).expect_err("bad").key, "aggregation.annual");
}
