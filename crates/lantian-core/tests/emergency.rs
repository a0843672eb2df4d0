//! Heavy-pollution alerts: worked example G (every row), level scenarios per rule set, the 2016 vs
//! 2022 difference, alert-life replay and regional alerts on the real Sichuan adjacency.

use chrono::{Days, NaiveDate, NaiveDateTime};
use lantian_core::emergency::{
    evaluate_city, regional_alert_days, regional_alerts, replay, rule_set, rule_sets, sichuan_adjacency, state_at,
    AlertEventKind, AlertLevel, AlertRuleSet, AlertScope, CityForecast, ForecastDay, ForecastIssuance, RegionalBasis,
    ResponseLevel, RuleChoice,
};
use lantian_core::regions::cities::RegionId;
use AlertLevel::{Blue, Orange, Red, Yellow};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("test date")
}
fn dt(y: i32, m: u32, day: u32, h: u32) -> NaiveDateTime {
    d(y, m, day).and_hms_opt(h, 0, 0).expect("test time")
}
fn series_from(start: NaiveDate, aqi: &[u32]) -> Vec<ForecastDay> {
    aqi.iter().enumerate().map(|(i, &a)| ForecastDay::new(start + Days::new(i as u64), a)).collect()
}
fn series(aqi: &[u32]) -> Vec<ForecastDay> {
    series_from(d(2022, 12, 1), aqi)
}
fn set(id: &str) -> &'static AlertRuleSet {
    rule_set(id).expect("shipped rule set")
}
/// The highest level of a forecast under a rule set.
fn level(id: &str, aqi: &[u32]) -> Option<AlertLevel> {
    evaluate_city(set(id), &series(aqi)).expect("valid forecast").level
}

/// Worked example G: (series, [(days > 200, days > 300) per episode], level).
#[allow(clippy::type_complexity)]
const G: [(&[u32], &[(u32, u32)], Option<AlertLevel>); 6] = [
    (&[180, 230, 260, 310, 240, 150], &[(4, 1)], Some(Orange)),
    (&[210, 320, 330, 250], &[(4, 2)], Some(Red)),
    (&[205, 215, 150], &[(2, 0)], Some(Yellow)),
    (&[250, 140, 260, 120, 110], &[(2, 0)], Some(Yellow)),
    (&[250, 140, 130, 260], &[(1, 0), (1, 0)], None),
    (&[200, 199, 500], &[(1, 1)], Some(Red)),
];

#[test]
fn worked_example_g_every_row_under_the_national_and_later_sichuan_sets() {
    for id in ["national-2018", "sichuan-2018", "sichuan-2022", "sichuan-2024"] {
        for (aqi, counts, expected) in G {
            let e = evaluate_city(set(id), &series(aqi)).expect("valid");
            let got: Vec<(u32, u32)> = e.episodes.iter().map(|ep| (ep.heavy_days, ep.severe_days)).collect();
            assert_eq!(got, counts, "{id} {aqi:?}");
            assert_eq!(e.level, expected, "{id} {aqi:?}");
        }
    }
    let s = set("sichuan-2022");
    // Row 1: episode from the first to the last day > 200; the 150 at the end is one clean day only.
    let e = evaluate_city(s, &series(G[0].0)).expect("valid");
    let ep = &e.episodes[0];
    assert_eq!((ep.start_date, ep.end_date, ep.lift_from), (d(2022, 12, 2), d(2022, 12, 5), None));
    assert_eq!(ep.response, Some(ResponseLevel::II));
    assert_eq!(ep.trigger_days.iter().map(|t| t.aqi).collect::<Vec<_>>(), vec![230, 260, 310, 240]);
    // Row 4: the 24-h gap does not split; lifting shows from the 120, 110 run.
    let ep = &evaluate_city(s, &series(G[3].0)).expect("valid").episodes[0];
    assert_eq!((ep.start_date, ep.end_date, ep.lift_from), (d(2022, 12, 1), d(2022, 12, 3), Some(d(2022, 12, 4))));
    // Row 5: the 48-h gap splits; the first episode's lifting starts on the 140.
    let eps = evaluate_city(s, &series(G[4].0)).expect("valid").episodes;
    assert_eq!(eps[0].lift_from, Some(d(2022, 12, 2)));
    assert!(eps.iter().all(|e| e.trigger_days.is_empty()));
    // Row 6: 200 is not > 200; the level comes from "AQI reaching 500", its trigger is that day.
    let ep = &evaluate_city(s, &series(G[5].0)).expect("valid").episodes[0];
    assert!(ep.hit_500);
    assert_eq!(ep.trigger_days, vec![ForecastDay::new(d(2022, 12, 3), 500)]);
    assert_eq!(ep.response, Some(ResponseLevel::I));
}

#[test]
fn level_scenarios_for_every_rule_set() {
    for s in rule_sets() {
        let id = s.id.as_str();
        let one_day = if s.level_rule(Blue).is_some() { Some(Blue) } else { None };
        assert_eq!(level(id, &[120, 230, 140, 130]), one_day, "{id}: one day > 200");
        assert_eq!(level(id, &[120, 230, 260, 140, 130]), Some(Yellow), "{id}: two days > 200");
        assert_eq!(level(id, &[230, 260, 310, 140]), Some(Orange), "{id}: three > 200, one > 300");
        assert_eq!(level(id, &[230, 260, 280, 140]), Some(Yellow), "{id}: three > 200, none > 300");
        assert_eq!(level(id, &[230, 320, 310, 240]), Some(Red), "{id}: four > 200, two > 300");
        assert_eq!(level(id, &[230, 320, 290, 240]), Some(Orange), "{id}: four > 200, one > 300");
        assert_eq!(level(id, &[100, 500, 100]), Some(Red), "{id}: one day at 500");
        assert_eq!(level(id, &[100, 499, 100]), one_day, "{id}: 499 is not 500");
        // Merging: a single clean day, or days at 151–200, do not split an episode.
        assert_eq!(level(id, &[230, 150, 240]), Some(Yellow), "{id}: 24-h gap merges");
        assert_eq!(level(id, &[230, 190, 180, 170, 240]), Some(Yellow), "{id}: light-moderate days merge");
        assert_eq!(level(id, &[230, 140, 190, 140, 310, 250]), Some(Orange), "{id}: clean days not consecutive");
        assert_eq!(level(id, &[230, 140, 130, 240]), one_day, "{id}: 48-h gap splits");
        // Lifting needs 36 h at ≤ 150: two clean days.
        let e = evaluate_city(s, &series(&[230, 240, 150, 160, 150, 150])).expect("valid");
        assert_eq!(e.episodes[0].lift_from, Some(d(2022, 12, 5)), "{id}");
    }
}

#[test]
fn the_same_forecast_judged_by_2016_and_2022_rules() {
    let forecast = series(&[140, 235, 150, 120, 100]);
    let old = evaluate_city(set("sichuan-2016"), &forecast).expect("valid");
    let new = evaluate_city(set("sichuan-2022"), &forecast).expect("valid");
    assert_eq!(old.level, Some(Blue));
    assert_eq!(old.episodes[0].response, None, "blue starts no Ⅲ/Ⅱ/Ⅰ response");
    assert_eq!(old.episodes[0].trigger_days, vec![ForecastDay::new(d(2022, 12, 2), 235)]);
    assert_eq!(new.level, None);
    assert_eq!((old.rule_set_id.as_str(), new.rule_set_id.as_str()), ("sichuan-2016", "sichuan-2022"));
    // Two episodes 48 h apart: two blue alerts in 2016, nothing in 2022.
    let forecast = series(&[250, 140, 130, 260]);
    let old = evaluate_city(set("sichuan-2016"), &forecast).expect("valid");
    assert_eq!(old.episodes.iter().map(|e| e.level).collect::<Vec<_>>(), vec![Some(Blue), Some(Blue)]);
    assert_eq!(evaluate_city(set("sichuan-2022"), &forecast).expect("valid").level, None);
}

#[test]
fn forecast_ranges_are_kept_as_evidence_only() {
    let days = vec![
        ForecastDay::with_range(d(2022, 12, 1), 195, 180, 230),
        ForecastDay::with_range(d(2022, 12, 2), 230, 210, 260),
        ForecastDay::with_range(d(2022, 12, 3), 240, 220, 270),
    ];
    let e = evaluate_city(set("sichuan-2022"), &days).expect("valid");
    assert_eq!(e.level, Some(Yellow));
    assert_eq!(e.episodes[0].heavy_days, 2, "the 195 day counts by its aqi, not its 230 upper bound");
    assert_eq!(e.episodes[0].trigger_days[0].aqi_high, Some(260));
}

fn issuance(at: NaiveDateTime, first_day: NaiveDate, aqi: &[u32]) -> ForecastIssuance {
    ForecastIssuance { issued_at: at, days: series_from(first_day, aqi) }
}

/// A winter episode in Chengdu, one issuance a day at 16:00 with D+1 … D+5.
fn winter_issuances() -> Vec<ForecastIssuance> {
    vec![
        // Dec 1: yellow (Dec 3–4 > 200).
        issuance(dt(2022, 12, 1, 16), d(2022, 12, 2), &[180, 230, 250, 190, 170]),
        // Dec 2: worse — orange (3 > 200, one > 300).
        issuance(dt(2022, 12, 2, 16), d(2022, 12, 3), &[240, 310, 260, 180, 160]),
        // Dec 3: better — yellow only (first issuance showing the lower level).
        issuance(dt(2022, 12, 3, 16), d(2022, 12, 4), &[260, 230, 170, 160, 155]),
        // Dec 4 (24 h later): still yellow; 24 h < 36 h, no lowering yet.
        issuance(dt(2022, 12, 4, 16), d(2022, 12, 5), &[230, 210, 170, 160, 155]),
        // Dec 5 (48 h after Dec 3): still yellow → lower to yellow.
        issuance(dt(2022, 12, 5, 16), d(2022, 12, 6), &[215, 205, 180, 160, 150]),
        // Dec 6: one clean day then 160: not 36 h at ≤ 150 → measures stay.
        issuance(dt(2022, 12, 6, 16), d(2022, 12, 7), &[140, 160, 150, 150, 140]),
        // Dec 7: two clean days ahead → lift.
        issuance(dt(2022, 12, 7, 16), d(2022, 12, 8), &[150, 140, 130, 120, 110]),
    ]
}

#[test]
fn alert_life_start_raise_lower_lift() {
    let life = replay(510100, &winter_issuances(), RuleChoice::SichuanByDate).expect("valid");
    let steps: Vec<(AlertEventKind, NaiveDateTime, Option<AlertLevel>, Option<AlertLevel>)> =
        life.events.iter().map(|e| (e.kind, e.at, e.level_before, e.level_after)).collect();
    assert_eq!(
        steps,
        vec![
            (AlertEventKind::Start, dt(2022, 12, 1, 16), None, Some(Yellow)),
            (AlertEventKind::Raise, dt(2022, 12, 2, 16), Some(Yellow), Some(Orange)),
            (AlertEventKind::Lower, dt(2022, 12, 5, 16), Some(Orange), Some(Yellow)),
            (AlertEventKind::Lift, dt(2022, 12, 7, 16), Some(Yellow), None),
        ]
    );
    assert!(life.events.iter().all(|e| e.rule_set_id == "sichuan-2022"));
    let start = &life.events[0];
    assert_eq!(start.response_after, Some(ResponseLevel::III));
    assert_eq!(start.evidence.issued_at, dt(2022, 12, 1, 16));
    assert_eq!(
        start.evidence.trigger_days.iter().map(|t| (t.date, t.aqi)).collect::<Vec<_>>(),
        vec![(d(2022, 12, 3), 230), (d(2022, 12, 4), 250)]
    );
    assert_eq!(start.evidence.episode_start, Some(d(2022, 12, 3)));
    let raise = &life.events[1];
    assert_eq!(raise.response_after, Some(ResponseLevel::II));
    assert!(raise.evidence.trigger_days.iter().any(|t| t.aqi == 310));
    assert_eq!(life.events[2].evidence.lower_pending_since, Some(dt(2022, 12, 3, 16)));
    let lift = &life.events[3];
    assert_eq!(lift.evidence.trigger_days.iter().map(|t| t.aqi).collect::<Vec<_>>(), vec![150, 140]);
    assert_eq!(life.state.level, None);
    assert_eq!(life.state.last_issuance, Some(dt(2022, 12, 7, 16)));
}

#[test]
fn state_at_ignores_later_issuances() {
    let all = winter_issuances();
    let at = |t| state_at(510100, &all, RuleChoice::SichuanByDate, t).expect("valid");
    let s = at(dt(2022, 12, 1, 12));
    assert_eq!((s.level, s.last_issuance), (None, None));
    let s = at(dt(2022, 12, 2, 20));
    assert_eq!((s.level, s.since, s.started_at), (Some(Orange), Some(dt(2022, 12, 2, 16)), Some(dt(2022, 12, 1, 16))));
    assert_eq!(s.based_on, Some(dt(2022, 12, 2, 16)));
    // Dec 4 evening: the Dec 3 and Dec 4 forecasts show yellow but 36 h have not passed: still orange.
    let s = at(dt(2022, 12, 4, 23));
    assert_eq!(
        (s.level, s.based_on, s.last_issuance),
        (Some(Orange), Some(dt(2022, 12, 2, 16)), Some(dt(2022, 12, 4, 16)))
    );
    assert_eq!(s.response, Some(ResponseLevel::II));
    let s = at(dt(2022, 12, 6, 23));
    assert_eq!((s.level, s.since), (Some(Yellow), Some(dt(2022, 12, 5, 16))));
    assert_eq!(at(dt(2022, 12, 8, 0)).level, None);
    // Order of the input does not matter; equal times are refused.
    let mut reversed = all.clone();
    reversed.reverse();
    assert_eq!(replay(510100, &reversed, RuleChoice::SichuanByDate), replay(510100, &all, RuleChoice::SichuanByDate));
    let mut dup = all.clone();
    dup.push(all[0].clone());
    assert!(replay(510100, &dup, RuleChoice::SichuanByDate).is_err());
}

#[test]
fn lowering_waits_for_the_downgrade_hours_and_a_rebound_cancels_it() {
    let issuances = vec![
        issuance(dt(2022, 12, 1, 16), d(2022, 12, 2), &[240, 330, 320, 260, 180]),
        issuance(dt(2022, 12, 2, 16), d(2022, 12, 3), &[230, 250, 180, 170, 160]),
        issuance(dt(2022, 12, 3, 16), d(2022, 12, 4), &[240, 330, 320, 250, 160]),
        issuance(dt(2022, 12, 4, 16), d(2022, 12, 5), &[230, 240, 170, 160, 160]),
    ];
    let life = replay(510300, &issuances, RuleChoice::SichuanByDate).expect("valid");
    let kinds: Vec<_> = life.events.iter().map(|e| (e.kind, e.level_after)).collect();
    assert_eq!(kinds, vec![(AlertEventKind::Start, Some(Red))], "the red rebound cancels the pending lowering");
    assert_eq!(life.state.level, Some(Red));
    // With one more yellow forecast 36 h after Dec 4, it is lowered.
    let mut more = issuances.clone();
    more.push(issuance(dt(2022, 12, 6, 4), d(2022, 12, 6), &[220, 210, 170, 160]));
    let life = replay(510300, &more, RuleChoice::SichuanByDate).expect("valid");
    assert_eq!(life.events.last().map(|e| (e.kind, e.level_after)), Some((AlertEventKind::Lower, Some(Yellow))));
}

#[test]
fn lift_then_a_new_episode_starts_a_new_alert() {
    let issuances = vec![
        issuance(dt(2022, 12, 1, 16), d(2022, 12, 2), &[230, 240, 170]),
        issuance(dt(2022, 12, 3, 16), d(2022, 12, 4), &[140, 130, 250, 330, 310, 240]),
    ];
    let life = replay(511300, &issuances, RuleChoice::SichuanByDate).expect("valid");
    let kinds: Vec<_> = life.events.iter().map(|e| (e.kind, e.at, e.level_after)).collect();
    assert_eq!(
        kinds,
        vec![
            (AlertEventKind::Start, dt(2022, 12, 1, 16), Some(Yellow)),
            (AlertEventKind::Lift, dt(2022, 12, 3, 16), None),
            (AlertEventKind::Start, dt(2022, 12, 3, 16), Some(Red)),
        ]
    );
    assert_eq!(life.state.started_at, Some(dt(2022, 12, 3, 16)));
}

#[test]
fn rule_set_is_chosen_by_each_decision_date() {
    // One day > 200 under the 2016 plan (blue), then under the 2018 plan (no blue): the blue alert
    // stays until lifted, and the set of each decision is recorded.
    let issuances = vec![
        issuance(dt(2018, 2, 4, 16), d(2018, 2, 5), &[180, 230, 190]),
        issuance(dt(2018, 2, 6, 16), d(2018, 2, 7), &[210, 190, 170]),
        issuance(dt(2018, 2, 7, 16), d(2018, 2, 8), &[240, 260, 150]),
        issuance(dt(2018, 2, 9, 16), d(2018, 2, 10), &[140, 120, 100]),
    ];
    let life = replay(510100, &issuances, RuleChoice::SichuanByDate).expect("valid");
    let steps: Vec<_> = life.events.iter().map(|e| (e.kind, e.level_after, e.rule_set_id.as_str())).collect();
    assert_eq!(
        steps,
        vec![
            (AlertEventKind::Start, Some(Blue), "sichuan-2016"),
            (AlertEventKind::Raise, Some(Yellow), "sichuan-2018"),
            (AlertEventKind::Lift, None, "sichuan-2018"),
        ]
    );
    // The national set, chosen by id, never starts a blue alert.
    let national = replay(510100, &issuances, RuleChoice::Fixed(set("national-2018"))).expect("valid");
    assert_eq!(national.events[0].level_after, Some(Yellow));
    assert_eq!(national.events[0].at, dt(2018, 2, 7, 16));
    // Before the first shipped Sichuan set there is no rule to judge by.
    let early = vec![issuance(dt(2015, 1, 1, 16), d(2015, 1, 2), &[300])];
    assert!(replay(510100, &early, RuleChoice::SichuanByDate).is_err());
}

const CHENGDU: u32 = 510100;
const DEYANG: u32 = 510600;
const MIANYANG: u32 = 510700;
const SUINING: u32 = 510900;
const LESHAN: u32 = 511100;
const MEISHAN: u32 = 511400;
const YAAN: u32 = 511800;
const ZIYANG: u32 = 512000;
const ZIGONG: u32 = 510300;
const NEIJIANG: u32 = 511000;
const PANZHIHUA: u32 = 510400;
const LIANGSHAN: u32 = 513400;

fn forecasts(rows: &[(u32, &[u32])]) -> Vec<CityForecast> {
    rows.iter().map(|(c, aqi)| CityForecast { city: *c, days: series(aqi) }).collect()
}

#[test]
fn contiguous_regional_alert_on_the_real_adjacency() {
    let adj = sichuan_adjacency();
    let yellow: &[u32] = &[150, 230, 240, 140, 130];
    let orange: &[u32] = &[150, 230, 310, 240, 140];
    // 成都 + 德阳 + 眉山 + 资阳 + 雅安 (all neighbours of 成都): 5 contiguous cities.
    let rows = [(CHENGDU, orange), (DEYANG, yellow), (MEISHAN, yellow), (ZIYANG, orange), (YAAN, yellow)];
    let s = set("sichuan-2016");
    let days = regional_alert_days(s, adj, &forecasts(&rows), RegionalBasis::Contiguous).expect("valid");
    assert_eq!(days.len(), 2, "Dec 2–3; on Dec 4 only the two orange cities are still on alert");
    assert!(days.iter().all(|r| r.level == Yellow && r.response == Some(ResponseLevel::III)));
    assert_eq!(days[0].members_above_level, 2);
    assert!(!days[0].higher_cap_exceeded);
    let merged = regional_alerts(s, adj, &forecasts(&rows), RegionalBasis::Contiguous).expect("valid");
    assert_eq!(merged.len(), 1);
    let r = &merged[0];
    assert_eq!(r.scope, AlertScope::Cities(vec![CHENGDU, DEYANG, MEISHAN, YAAN, ZIYANG]));
    assert_eq!((r.start_date, r.end_date, r.level), (d(2022, 12, 2), d(2022, 12, 3), Yellow));
    assert_eq!(r.members.iter().find(|m| m.city == CHENGDU).map(|m| m.level), Some(Orange));

    // Replace 雅安 by 攀枝花 (not adjacent to any of them): only 4 contiguous → no regional alert.
    let rows = [(CHENGDU, orange), (DEYANG, yellow), (MEISHAN, yellow), (ZIYANG, orange), (PANZHIHUA, yellow)];
    assert!(regional_alert_days(s, adj, &forecasts(&rows), RegionalBasis::Contiguous).expect("valid").is_empty());

    // 德阳–遂宁–资阳–内江–自贡 is a chain of neighbours without 成都: contiguous.
    let rows = [(DEYANG, yellow), (SUINING, yellow), (ZIYANG, yellow), (NEIJIANG, yellow), (ZIGONG, yellow)];
    let r = regional_alerts(s, adj, &forecasts(&rows), RegionalBasis::Contiguous).expect("valid");
    assert_eq!(r.len(), 1);

    // Four orange and one yellow: the group is yellow and the "at most 3 higher" cap is exceeded —
    // flagged by default, no alert under the literal veto.
    let rows = [(CHENGDU, orange), (DEYANG, orange), (MEISHAN, orange), (ZIYANG, orange), (YAAN, yellow)];
    let days = regional_alert_days(s, adj, &forecasts(&rows), RegionalBasis::Contiguous).expect("valid");
    assert!(days[0].higher_cap_exceeded && days[0].level == Yellow && days[0].members_above_level == 4);
    let mut veto = s.clone();
    if let Some(r) = veto.regional.as_mut() {
        r.higher_cap = lantian_core::emergency::HigherCap::Veto;
    }
    let days = regional_alert_days(&veto, adj, &forecasts(&rows), RegionalBasis::Contiguous).expect("valid");
    assert!(days.is_empty());

    // Five orange: an orange regional alert.
    let rows = [(CHENGDU, orange), (DEYANG, orange), (MEISHAN, orange), (ZIYANG, orange), (YAAN, orange)];
    let days = regional_alert_days(s, adj, &forecasts(&rows), RegionalBasis::Contiguous).expect("valid");
    assert!(days.iter().all(|r| r.level == Orange && r.members_above_level == 0));

    // The national set has no regional rule.
    assert!(regional_alert_days(set("national-2018"), adj, &forecasts(&rows), RegionalBasis::Contiguous).is_err());
}

#[test]
fn the_same_cities_regional_under_2016_and_2022() {
    // One day > 200 in five contiguous cities: a regional blue alert in 2016, none in 2022.
    let adj = sichuan_adjacency();
    let one: &[u32] = &[150, 230, 140, 130];
    let rows = [(CHENGDU, one), (DEYANG, one), (MEISHAN, one), (ZIYANG, one), (YAAN, one)];
    let old = regional_alerts(set("sichuan-2016"), adj, &forecasts(&rows), RegionalBasis::Contiguous).expect("ok");
    assert_eq!(old.iter().map(|r| (r.level, r.response)).collect::<Vec<_>>(), vec![(Blue, None)]);
    let new = regional_alerts(set("sichuan-2022"), adj, &forecasts(&rows), RegionalBasis::Contiguous).expect("ok");
    assert!(new.is_empty());
}

#[test]
fn joint_control_regions_report_their_lead() {
    let adj = sichuan_adjacency();
    let yellow: &[u32] = &[150, 230, 240, 140, 130];
    let orange: &[u32] = &[150, 230, 310, 240, 140];
    let s = set("sichuan-2022");
    // 成都平原 has 8 cities: 5 contiguous on alert is a majority; 4 is not.
    let five = [(CHENGDU, orange), (DEYANG, orange), (MIANYANG, orange), (ZIYANG, yellow), (MEISHAN, yellow)];
    let r = regional_alerts(s, adj, &forecasts(&five), RegionalBasis::JointControl).expect("valid");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].scope, AlertScope::Region(RegionId::ChengduPlain));
    assert_eq!(r[0].lead_city, Some(CHENGDU));
    // Dec 4: only the three orange cities remain, not a majority of 8.
    assert_eq!((r[0].level, r[0].start_date, r[0].end_date), (Yellow, d(2022, 12, 2), d(2022, 12, 3)));
    assert_eq!(r[0].members.len(), 5);
    let four = [(CHENGDU, orange), (DEYANG, orange), (MIANYANG, orange), (ZIYANG, yellow), (LESHAN, yellow)];
    let r = regional_alerts(s, adj, &forecasts(&four), RegionalBasis::JointControl).expect("valid");
    assert!(r.is_empty(), "乐山 does not border the other four: {r:?}");
    // 攀西 (攀枝花 + 凉山): both cities needed; lead 攀枝花. The level is the one both reach.
    let panxi = [(PANZHIHUA, orange), (LIANGSHAN, yellow)];
    let r = regional_alerts(s, adj, &forecasts(&panxi), RegionalBasis::JointControl).expect("valid");
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].scope.clone(), r[0].lead_city, r[0].level),
        (AlertScope::Region(RegionId::Panxi), Some(PANZHIHUA), Yellow)
    );
    // 川西北 has no lead: no joint-control alert even when both its cities are on alert.
    let nw = [(513200, orange), (513300, orange)];
    assert!(regional_alerts(s, adj, &forecasts(&nw), RegionalBasis::JointControl).expect("valid").is_empty());
    // A non-Sichuan code is refused for joint control.
    assert!(regional_alerts(s, adj, &forecasts(&[(500000, orange)]), RegionalBasis::JointControl).is_err());
}

#[test]
fn alert_letter_recommends_start_or_raise_from_midnight() {
    let yellow: &[u32] = &[150, 230, 240, 140, 130];
    let orange: &[u32] = &[190, 150, 230, 310, 240];
    let clean: &[u32] = &[120, 130, 140, 120, 110];
    let rows = [(CHENGDU, orange), (DEYANG, yellow), (MEISHAN, clean), (ZIGONG, orange)];
    let active = std::collections::BTreeMap::from([(ZIGONG, Orange), (DEYANG, Blue)]);
    let letter =
        lantian_core::emergency::alert_letter(set("sichuan-2022"), &forecasts(&rows), &active, dt(2022, 11, 30, 17))
            .expect("valid");
    use lantian_core::emergency::LetterAction;
    let items: Vec<_> = letter.items.iter().map(|i| (i.city, i.action, i.level, i.from)).collect();
    assert_eq!(
        items,
        vec![
            (CHENGDU, LetterAction::Start, Orange, dt(2022, 12, 3, 0)),
            (DEYANG, LetterAction::Raise, Yellow, dt(2022, 12, 2, 0)),
        ]
    );
    assert_eq!(letter.rule_set_id, "sichuan-2022");
}
