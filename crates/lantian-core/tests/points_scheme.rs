//! Points scheme as data: changing one parameter of the scheme file changes exactly the factor it
//! governs (issue 4).

use lantian_core::accountability::points::{score, PointsInput, PointsScheme, TaskScoreInput, DEFAULT_SCHEME_TOML};
use lantian_core::air::conc::{Conc, Ratio};

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
        tasks: Vec::new(),
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
    use lantian_core::accountability::points::mean_of_months;
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
        lantian_core::air::conc::round_half_even(i128::from(x.total_hundredths + y.total_hundredths), 2) as i64
    );
    assert_eq!(m.factors[0].points, Ratio::new(24, 2)); // (24 + 0) / 2
    let other = DEFAULT_SCHEME_TOML.replace("annual = \"mean_of_months\"", "annual = \"recompute\"");
    assert!(!PointsScheme::parse(&other).expect("scheme").annual_mean_of_months);
    let bad = DEFAULT_SCHEME_TOML.replace("annual = \"mean_of_months\"", "annual = \"median\"");
    assert_eq!(PointsScheme::parse(&bad).expect_err("bad").key, "aggregation.annual");
}

/// C5c 目标任务完成情况 (optional factor): a scheme that moves 6 of C5a's and C5b's 20 points to the
/// completion of target tasks. Hand-computed: task A 45 % done at 49.7 % of its time (181/364) scores
/// 0.45 / (181/364) = 0.9050 (= 163.8/181); task B on schedule scores 1; task C unreported scores 0;
/// C5c = 6 × (0.9050 + 1 + 0) / 3, exactly 2 × (163.8 + 181) / 181 = 689.6 / 181 ≈ 3.8099.
#[test]
fn task_completion_factor_scores_against_the_schedule() {
    let text = DEFAULT_SCHEME_TOML
        .replace("[factors.pm2_5_target]\nmax = 10", "[factors.pm2_5_target]\nmax = 7")
        .replace("[factors.good_rate_target]\nmax = 10", "[factors.good_rate_target]\nmax = 7")
        .replace("# 加减分", "[factors.task_completion]\nmax = 6\n\n# 加减分");
    let s = PointsScheme::parse(&text).expect("scheme with C5c");
    assert_eq!(s.task_max, Some(Ratio::new(6, 1)));
    let mut x = input();
    x.tasks = vec![
        TaskScoreInput { code: "A".into(), completion: Some(Ratio::new(9, 20)), elapsed: Ratio::new(181, 364) },
        TaskScoreInput { code: "B".into(), completion: Some(Ratio::new(3, 5)), elapsed: Ratio::new(1, 2) },
        TaskScoreInput { code: "C".into(), completion: None, elapsed: Ratio::new(1, 2) },
    ];
    let r = score(&s, &x);
    let c5c = r.factors.iter().find(|f| f.code == "C5c").expect("C5c present");
    // 6 × (0.45 × 364/181 + 1 + 0) / 3 = 2 × (163.8 + 181) / 181 = 689.6 / 181.
    assert_eq!(c5c.points, Ratio::new(6896, 1810).reduced());
    assert!(c5c.inputs.contains("C: —"), "{}", c5c.inputs);
    // No tasks: nothing outstanding → the maximum.
    x.tasks.clear();
    let r = score(&s, &x);
    assert_eq!(r.factors.iter().find(|f| f.code == "C5c").map(|f| f.points), Some(Ratio::new(6, 1)));
    // The default scheme has no C5c; a C5c that breaks the 100 total is an error naming the maxima.
    assert!(!score(&PointsScheme::parse(DEFAULT_SCHEME_TOML).expect("default"), &x)
        .factors
        .iter()
        .any(|f| f.code == "C5c"));
    let over = DEFAULT_SCHEME_TOML.replace("# 加减分", "[factors.task_completion]\nmax = 6\n\n# 加减分");
    let e = PointsScheme::parse(&over).expect_err("106 points");
    assert!(e.to_string().contains("factors.*.max"), "{e}");
}

/// Issue 11 §3.4, the lead's decision ([D], default scheme `[targets] missing = "not_assessed"`): a
/// target the city was not given is not assessed, and the total is converted over the assessed
/// factors. By hand, with the city of `input()`: C1 = 30 × (21 − 8) / 20 = 19.5; C2 = 20 × (21 − 12) /
/// 20 = 9; C3 = 10 + (24 − 21) = 13; C4 = 10 − 5 × 1 = 5; C5b = 10 − 2 × (88 − 85) = 4; ADJ = −5.
/// - No PM2.5 target: assessed maxima 30 + 20 + 20 + 10 + 10 = 90; (19.5 + 9 + 13 + 5 + 4) × 100 / 90
///   = 50.5 × 100 / 90 = 56.111…; − 5 → 51.111… → 51.11 (不合格).
/// - No target at all: maxima 80; 46.5 × 100 / 80 = 58.125; − 5 → 53.125 → 53.12 (half-even).
/// - The same scheme without the `[targets]` table (as schemes were before it existed) scores a missing
///   target 0: 50.5 + 0 − 5 = 45.5.
#[test]
fn a_missing_target_is_not_assessed_and_the_total_converted() {
    use lantian_core::accountability::points::{MissingTarget, NOT_ASSESSED};
    let s = PointsScheme::parse(DEFAULT_SCHEME_TOML).expect("scheme");
    assert_eq!(s.missing_target, MissingTarget::NotAssessed);
    let full = score(&s, &input());
    assert!(full.factors.iter().all(|f| f.assessed) && full.converted.is_none());
    // A fully assessed result is written as before the policy existed (published results reproduce).
    let json = serde_json::to_string(&full).expect("json");
    assert!(!json.contains("assessed") && !json.contains("converted"), "{json}");

    let mut x = input();
    x.pm2_5_target = None;
    let r = score(&s, &x);
    let c5a = r.factors.iter().find(|f| f.code == "C5a").expect("C5a");
    assert!(!c5a.assessed);
    assert_eq!(c5a.points, Ratio::new(0, 1));
    assert_eq!(c5a.formula, NOT_ASSESSED);
    assert_eq!(c5a.formula, "未下达目标，不考核；总分按考核项折算");
    assert!(r.factors.iter().filter(|f| f.code != "C5a").all(|f| f.assessed));
    // 50.5 × 100 / 90 − 5 = 505/9 − 5 = 460/9.
    assert_eq!(r.exact_total.reduced(), Ratio::new(460, 9));
    assert_eq!((r.total_hundredths, r.grade.as_str()), (5111, "不合格"));
    assert!(r.converted.as_deref().is_some_and(|c| c.contains("50.5") && c.contains("/ 90")), "{:?}", r.converted);
    assert!(serde_json::to_string(&r).expect("json").contains("\"assessed\":false"));

    x.good_rate_target = None;
    let r = score(&s, &x);
    assert_eq!(r.factors.iter().filter(|f| !f.assessed).map(|f| f.code).collect::<Vec<_>>(), vec!["C5a", "C5b"]);
    assert_eq!(r.exact_total.reduced(), Ratio::new(425, 8));
    assert_eq!(r.total_hundredths, 5312);

    let legacy = PointsScheme::parse(&DEFAULT_SCHEME_TOML.replace("[targets]\nmissing = \"not_assessed\"\n", ""))
        .expect("scheme without [targets]");
    assert_eq!(legacy.missing_target, MissingTarget::Zero);
    let mut x = input();
    x.pm2_5_target = None;
    let r = score(&legacy, &x);
    assert!(r.factors.iter().all(|f| f.assessed));
    assert_eq!(r.total_hundredths, 4550);
    let bad = DEFAULT_SCHEME_TOML.replace("missing = \"not_assessed\"", "missing = \"skip\"");
    assert_eq!(PointsScheme::parse(&bad).expect_err("bad value").key, "targets.missing");
}

/// What `points --publish` stores: a year scored as the mean of its months keeps every month's input
/// and scores the same after a JSON round trip; an input stored before (one period) still reads.
#[test]
fn stored_inputs_score_the_same_after_a_round_trip() {
    use lantian_core::accountability::points::{mean_of_months, score_input, MonthInput, ScoreInput};
    let s = PointsScheme::parse(DEFAULT_SCHEME_TOML).expect("scheme");
    let mut may = input();
    may.rank = Some(3);
    let year = ScoreInput::MeanOfMonths {
        months: vec![
            MonthInput { month: "2022-04".into(), input: input() },
            MonthInput { month: "2022-05".into(), input: may.clone() },
        ],
    };
    let want = mean_of_months(&s, &[&score(&s, &input()), &score(&s, &may)]).expect("two months");
    let text = serde_json::to_string(&year).expect("json");
    let back: ScoreInput = serde_json::from_str(&text).expect("read back");
    assert_eq!(back, year);
    assert_eq!(score_input(&s, &back), Some(want));
    let old = serde_json::to_string(&input()).expect("json");
    let back: ScoreInput = serde_json::from_str(&old).expect("a period input");
    assert_eq!(back, ScoreInput::Period(input()));
    assert_eq!(score_input(&s, &back), Some(score(&s, &input())));
    assert_eq!(score_input(&s, &ScoreInput::MeanOfMonths { months: Vec::new() }), None);
}
