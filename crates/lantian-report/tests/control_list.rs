//! The control-list workbook read back: sheets, Chinese headers, the measures and the adequacy
//! figures an official would check (values worked out by hand below).

use calamine::{open_workbook_auto, Data, Reader};
use chrono::NaiveDate;
use lantian_core::emergency::control::{
    check_adequacy, Action, ControlLevel, ControlListEntry, EmissionInventory, Emissions, PlanMeasure, PlantPlan,
    ProductionLine, ReductionTargets, SeasonBasis,
};
use lantian_core::enterprises::credit_code::CreditCode;
use lantian_core::enterprises::enterprise::PerformanceGrade;
use lantian_service::emergency::control::{ControlList, ControlListRow};

#[test]
fn control_list_workbook_reads_back() {
    // One B-grade plant limited to 50 % at orange: 150 kg/day SO2 of a city basis of 1000 kg/day
    // (365 t/yr): 15.0 % against the 20 % required → 不足.
    let reduction = Emissions { so2: 150_000, nox: 500_000, pm: 300_000, vocs: 500_000 };
    let plan = PlantPlan {
        version: "2022版".into(),
        valid_from: NaiveDate::from_ymd_opt(2022, 1, 1).expect("date"),
        lines: vec![ProductionLine { name: "熟料线".into(), weight: None, baseline_daily: Emissions::default() }],
        measures: vec![PlanMeasure {
            level: ControlLevel::Orange,
            line: "熟料线".into(),
            action: Action::LimitLoad { pct: 50 },
            expected_reduction: reduction,
        }],
    };
    let entry = ControlListEntry {
        credit_code: CreditCode::parse("91510100MA61A0001R").expect("code"),
        name: "成都乙水泥有限公司".into(),
        city_code: 510100,
        industry: Some("cement".into()),
        grade: PerformanceGrade::B,
        is_green_benchmark: false,
        is_guarantee: false,
        guarantee_reason: None,
        plan,
    };
    let inventory = EmissionInventory {
        city_code: 510100,
        inventory_year: 2022,
        season_basis: SeasonBasis::AnnualMean,
        annual_kg: Emissions { so2: 365_000, nox: 730_000, pm: 365_000, vocs: 730_000 },
        source: "测试清单".into(),
    };
    let targets = ReductionTargets::default_targets().expect("targets");
    let adequacy =
        check_adequacy(510100, ControlLevel::Orange, std::slice::from_ref(&entry), &[], &inventory, &targets);
    let list = ControlList {
        city: "成都市".into(),
        city_code: 510100,
        level: ControlLevel::Orange,
        year: 2022,
        rows: vec![ControlListRow {
            credit_code: entry.credit_code.as_str().to_string(),
            name: entry.name.clone(),
            county: "彭州市".into(),
            industry: "cement".into(),
            industry_name: "水泥".into(),
            grade: PerformanceGrade::B,
            green_benchmark: false,
            guarantee_reason: String::new(),
            measures: vec![("熟料线".into(), Action::LimitLoad { pct: 50 }.label_zh(), reduction)],
            reduction_g: reduction,
            plan_version: "2022版".into(),
            missing_plan: false,
        }],
        adequacy: Some(adequacy),
        flags: vec![],
        plan_issues: vec![],
        templates_id: "t".into(),
        templates_source: "s".into(),
    };
    let dir = std::env::temp_dir().join(format!("lantian-cl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("list.xlsx");
    lantian_report::emergency::write_control_list(&path, &list).expect("write");
    let mut wb = open_workbook_auto(&path).expect("open");
    assert_eq!(wb.sheet_names(), vec!["管控清单", "减排核算", "一刀切提示", "说明"]);
    let r = wb.worksheet_range("管控清单").expect("sheet");
    assert_eq!(r.get_value((0, 0)), Some(&Data::String("成都市重污染天气橙色预警应急管控清单".into())));
    assert_eq!(r.get_value((1, 1)), Some(&Data::String("统一社会信用代码".into())));
    assert_eq!(r.get_value((2, 2)), Some(&Data::String("成都乙水泥有限公司".into())));
    assert_eq!(r.get_value((2, 7)), Some(&Data::String("限产至50%负荷".into())));
    assert_eq!(r.get_value((2, 8)), Some(&Data::Float(150.0)));
    let a = wb.worksheet_range("减排核算").expect("sheet");
    // SO2 row: 150 / 1000 = 15.0 %, required 20.0 %, 不足.
    assert_eq!(a.get_value((2, 5)), Some(&Data::String("15.0".into())));
    assert_eq!(a.get_value((2, 6)), Some(&Data::String("20".into())));
    assert_eq!(a.get_value((2, 7)), Some(&Data::String("不足".into())));
    // NOx 500 / 2000 = 25.0 % → 达标.
    assert_eq!(a.get_value((3, 5)), Some(&Data::String("25.0".into())));
    assert_eq!(a.get_value((3, 7)), Some(&Data::String("达标".into())));
    let _ = std::fs::remove_dir_all(&dir);
}
