//! One machine spelling per code (issue 11 output conventions): every code enum's JSON form is its
//! `code()`, a lowercase snake_case word, and reads back; the expected spellings are the
//! conventions' list, written out here.

use lantian_core::emergency::control::{ControlLevel, ReductionPollutant};
use lantian_core::emergency::{AlertEventKind, AlertLevel, AlertScope, LetterAction, ResponseLevel};
use lantian_core::regions::cities::RegionId;
use lantian_core::{AqiCategory, Indicator, Pollutant};

fn json<T: serde::Serialize>(v: T) -> serde_json::Value {
    serde_json::to_value(v).expect("serializes")
}

#[test]
fn pollutants_and_indicators_have_the_convention_spelling() {
    let p: Vec<&str> = Pollutant::ALL.iter().map(|p| p.code()).collect();
    assert_eq!(p, ["so2", "no2", "co", "o3", "pm10", "pm2_5"]);
    let i: Vec<&str> = Indicator::ALL.iter().map(|i| i.code()).collect();
    assert_eq!(
        i,
        [
            "so2_1h",
            "so2_24h",
            "no2_1h",
            "no2_24h",
            "co_1h",
            "co_24h",
            "o3_1h",
            "o3_8h",
            "pm10_1h",
            "pm10_24h",
            "pm2_5_1h",
            "pm2_5_24h"
        ]
    );
    for p in Pollutant::ALL {
        assert_eq!(json(p), p.code());
        assert_eq!(serde_json::from_value::<Pollutant>(json(p)).expect("reads back"), p);
    }
    for i in Indicator::ALL {
        assert_eq!(json(i), i.code());
        assert_eq!(serde_json::from_value::<Indicator>(json(i)).expect("reads back"), i);
    }
    let c: Vec<&str> = AqiCategory::ALL.iter().map(|c| c.code()).collect();
    assert_eq!(c, ["excellent", "good", "light", "moderate", "heavy", "severe"]);
}

#[test]
fn alert_codes_have_the_convention_spelling() {
    let l: Vec<serde_json::Value> = AlertLevel::ALL.iter().map(json).collect();
    assert_eq!(l, ["blue", "yellow", "orange", "red"]);
    for l in AlertLevel::ALL {
        assert_eq!(json(l), l.code());
    }
    let k: Vec<serde_json::Value> = AlertEventKind::ALL.iter().map(json).collect();
    assert_eq!(k, ["start", "raise", "lower", "lift"]);
    let zh: Vec<&str> = AlertEventKind::ALL.iter().map(|k| k.name_zh()).collect();
    assert_eq!(zh, ["启动", "升级", "降级", "解除"]);
    assert_eq!(json(LetterAction::Raise), "raise");
    let r: Vec<serde_json::Value> = ResponseLevel::ALL.iter().map(json).collect();
    assert_eq!(r, ["iii", "ii", "i"]);
    assert_eq!(ResponseLevel::from_code("III"), Some(ResponseLevel::III));
    let c: Vec<serde_json::Value> = ControlLevel::ALL.iter().map(json).collect();
    assert_eq!(c, ["yellow", "orange", "red"]);
    assert_eq!(json(ReductionPollutant::Vocs), "vocs");
    assert_eq!(json(RegionId::ChengduPlain), "chengdu_plain");
    assert_eq!(json(AlertScope::City(510100)), serde_json::json!({"kind": "city", "city": 510100}));
    assert_eq!(json(AlertScope::Region(RegionId::Panxi)), serde_json::json!({"kind": "region", "region": "panxi"}));
    assert_eq!(
        json(AlertScope::Cities(vec![510100, 510300])),
        serde_json::json!({"kind": "cities", "cities": [510100, 510300]})
    );
}
