//! Emergency-response workbooks: the control list (应急管控清单) a city sends with its alert, and the
//! compliance report (应急响应落实情况) with the enforcement leads and the pairing duty. Every number
//! comes from `lantian_service::emergency::control`.

use std::path::Path;

use lantian_core::emergency::compliance::Verdict;
use lantian_core::emergency::control::{AdequacyStatus, ReductionPollutant};
use lantian_core::work::pairing::LeaderReport;
use lantian_core::Ratio;
use lantian_service::emergency::control::{ControlList, EnterpriseCompliance, Response};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::ReportError;

/// Thousandths as a number of the larger unit (g → kg, Wh → kWh), for a numeric cell.
fn milli(v: i64) -> f64 {
    v as f64 / 1000.0
}

struct Styles {
    title: Format,
    head: Format,
    cell: Format,
    left: Format,
    num: Format,
    bad: Format,
    good: Format,
}

fn styles() -> Styles {
    let cell = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_text_wrap();
    Styles {
        title: Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center),
        head: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_align(FormatAlign::Center)
            .set_text_wrap()
            .set_border(FormatBorder::Thin),
        left: Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::Left).set_text_wrap(),
        num: cell.clone().set_num_format("0.000"),
        bad: cell.clone().set_background_color(Color::RGB(0xF4CCCC)).set_bold(),
        good: cell.clone().set_background_color(Color::RGB(0xD9EAD3)),
        cell,
    }
}

fn header(ws: &mut Worksheet, s: &Styles, title: &str, heads: &[&str], widths: &[f64]) -> Result<(), XlsxError> {
    ws.merge_range(0, 0, 0, (heads.len() - 1) as u16, title, &s.title)?;
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &s.head)?;
        ws.set_column_width(c as u16, widths.get(c).copied().unwrap_or(12.0))?;
    }
    ws.set_row_height(1, 30)?;
    ws.set_freeze_panes(2, 0)?;
    Ok(())
}

fn pct(r: &Ratio) -> String {
    Ratio::new(r.num * 1000, r.den).round(1).to_string()
}

/// Writes a control list: the list with each enterprise's measures at the level, the adequacy check
/// against the city's inventory, the one-size-fits-all flags and plan issues, and the rules used.
pub fn write_control_list(path: &Path, list: &ControlList) -> Result<(), ReportError> {
    control_list_workbook(list)?.save(path)?;
    Ok(())
}

/// The control list's workbook as bytes (the web's xlsx download): the same workbook as
/// [`write_control_list`].
pub fn control_list_bytes(list: &ControlList) -> Result<Vec<u8>, ReportError> {
    Ok(control_list_workbook(list)?.save_to_buffer()?)
}

fn control_list_workbook(list: &ControlList) -> Result<Workbook, ReportError> {
    let mut wb = Workbook::new();
    let s = styles();
    let level = list.level.name_zh();

    let ws = wb.add_worksheet();
    ws.set_name("管控清单")?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    let heads = [
        "序号",
        "统一社会信用代码",
        "企业名称",
        "区县",
        "行业",
        "绩效等级",
        "生产线/设备",
        "管控措施",
        "SO2减排(kg/日)",
        "NOx减排(kg/日)",
        "颗粒物减排(kg/日)",
        "VOCs减排(kg/日)",
        "绿色标杆",
        "保障类",
        "方案版本",
    ];
    let widths = [6.0, 22.0, 28.0, 10.0, 14.0, 9.0, 16.0, 22.0, 11.0, 11.0, 11.0, 11.0, 8.0, 10.0, 10.0];
    header(ws, &s, &format!("{}重污染天气{}应急管控清单", list.city, level), &heads, &widths)?;
    let mut row = 2u32;
    for (i, r) in list.rows.iter().enumerate() {
        let lines: Vec<(String, String, [i64; 4])> = if r.missing_plan {
            vec![("—".into(), "无此级别措施".into(), [0; 4])]
        } else {
            r.measures.iter().map(|(l, a, e)| (l.clone(), a.clone(), [e.so2, e.nox, e.pm, e.vocs])).collect()
        };
        for (k, (line, action, e)) in lines.iter().enumerate() {
            if k == 0 {
                ws.write_number_with_format(row, 0, (i + 1) as f64, &s.cell)?;
                ws.write_string_with_format(row, 1, &r.credit_code, &s.cell)?;
                ws.write_string_with_format(row, 2, &r.name, &s.left)?;
                ws.write_string_with_format(row, 3, &r.county, &s.cell)?;
                ws.write_string_with_format(row, 4, &r.industry_name, &s.cell)?;
                ws.write_string_with_format(row, 5, r.grade.label_zh(), &s.cell)?;
                ws.write_string_with_format(row, 12, if r.green_benchmark { "是" } else { "" }, &s.cell)?;
                ws.write_string_with_format(row, 13, &r.guarantee_reason, &s.cell)?;
                ws.write_string_with_format(row, 14, &r.plan_version, &s.cell)?;
            }
            ws.write_string_with_format(row, 6, line, &s.cell)?;
            ws.write_string_with_format(row, 7, action, if r.missing_plan { &s.bad } else { &s.left })?;
            for (c, v) in e.iter().enumerate() {
                ws.write_number_with_format(row, 8 + c as u16, milli(*v), &s.num)?;
            }
            row += 1;
        }
    }
    ws.write_string_with_format(row, 7, "合计", &s.head)?;
    let total = list.rows.iter().fold([0i64; 4], |mut t, r| {
        t[0] += r.reduction_g.so2;
        t[1] += r.reduction_g.nox;
        t[2] += r.reduction_g.pm;
        t[3] += r.reduction_g.vocs;
        t
    });
    for (c, v) in total.iter().enumerate() {
        ws.write_number_with_format(row, 8 + c as u16, milli(*v), &s.num)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name("减排核算")?;
    let heads = [
        "污染物",
        "企业减排(kg/日)",
        "其他措施减排(kg/日)",
        "合计(kg/日)",
        "日均排放基数(kg/日)",
        "减排比例(%)",
        "要求比例(%)",
        "结论",
    ];
    header(
        ws,
        &s,
        &format!("{}{}预警减排比例核算", list.city, level),
        &heads,
        &[10.0, 14.0, 16.0, 12.0, 18.0, 12.0, 12.0, 10.0],
    )?;
    match &list.adequacy {
        None => {
            ws.merge_range(2, 0, 2, 7, "无排放清单，无法核算（请导入城市排放清单）", &s.bad)?;
        }
        Some(ad) => {
            for (i, r) in ad.rows.iter().enumerate() {
                let row = (i + 2) as u32;
                let name = match r.pollutant {
                    ReductionPollutant::So2 => "二氧化硫 SO2",
                    ReductionPollutant::Nox => "氮氧化物 NOx",
                    ReductionPollutant::Pm => "颗粒物 PM",
                    ReductionPollutant::Vocs => "挥发性有机物 VOCs",
                };
                ws.write_string_with_format(row, 0, name, &s.cell)?;
                ws.write_number_with_format(row, 1, milli(r.industrial_g), &s.num)?;
                ws.write_number_with_format(row, 2, milli(r.non_industrial_g), &s.num)?;
                ws.write_number_with_format(row, 3, milli(r.total_g), &s.num)?;
                ws.write_string_with_format(row, 4, r.daily_basis_g.round(0).to_string(), &s.cell)?;
                ws.write_string_with_format(row, 5, r.ratio_pct.as_deref().unwrap_or("—"), &s.cell)?;
                ws.write_string_with_format(row, 6, pct(&r.target_pct), &s.cell)?;
                let (text, f) = match r.status {
                    AdequacyStatus::Pass => ("达标", &s.good),
                    AdequacyStatus::Fail => ("不足", &s.bad),
                    AdequacyStatus::NoInventory => ("无清单", &s.cell),
                };
                ws.write_string_with_format(row, 7, text, f)?;
            }
            let n = ad.rows.len() as u32 + 3;
            ws.write_string(n, 0, format!("排放清单：{}年，{}", ad.inventory_year, ad.inventory_source))?;
            ws.write_string(n + 1, 0, format!("减排比例要求：{}（{}）", ad.targets_id, ad.targets_source))?;
            ws.write_string(n + 2, 0, &ad.basis_note)?;
            ws.write_string(n + 3, 0, if ad.pass { "结论：达标" } else { "结论：减排比例不足，须补充管控措施" })?;
        }
    }

    let ws = wb.add_worksheet();
    ws.set_name("一刀切提示")?;
    header(ws, &s, "不搞“一刀切”核查与方案问题", &["企业", "类型", "说明", "English"], &[22.0, 18.0, 60.0, 60.0])?;
    let mut row = 2u32;
    for f in &list.flags {
        ws.write_string_with_format(row, 0, f.credit_code.as_ref().map_or("全市清单", |c| c.as_str()), &s.cell)?;
        ws.write_string_with_format(row, 1, "一刀切", &s.bad)?;
        ws.write_string_with_format(row, 2, &f.reason_zh, &s.left)?;
        ws.write_string_with_format(row, 3, &f.reason_en, &s.left)?;
        row += 1;
    }
    for (code, i) in &list.plan_issues {
        ws.write_string_with_format(row, 0, code, &s.cell)?;
        ws.write_string_with_format(row, 1, "方案问题", &s.cell)?;
        ws.write_string_with_format(row, 2, &i.message_zh, &s.left)?;
        ws.write_string_with_format(row, 3, &i.message_en, &s.left)?;
        row += 1;
    }
    if row == 2 {
        ws.write_string_with_format(2, 2, "无", &s.left)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name("说明")?;
    ws.set_column_width(0, 100)?;
    let notes = [
        format!("城市：{}（{}）；预警级别：{}；年度：{}", list.city, list.city_code, level, list.year),
        format!("绩效分级默认措施：{}（{}）", list.templates_id, list.templates_source),
        "减排量为各企业“一厂一策”中该级别各生产线的预计日减排量（kg/日）之和。".to_string(),
        "A级、引领性及省级绿色标杆企业自主采取减排措施；超出其等级要求的限制列入“一刀切”提示。".to_string(),
        "由 lantian 生成；数据来自企业名录、一厂一策方案、城市排放清单的导入文件。".to_string(),
    ];
    for (i, n) in notes.iter().enumerate() {
        ws.write_string(i as u32, 0, n)?;
    }
    Ok(wb)
}

fn verdict_zh(v: &Verdict) -> String {
    match v {
        Verdict::Compliant => "落实".into(),
        Verdict::SuspectedNonCompliance => "疑似未落实".into(),
        Verdict::NotRestricted => "自主减排".into(),
        Verdict::CannotJudge { reason } => format!("无法判断：{reason}"),
    }
}

/// Writes the compliance report: the enforcement leads, every series checked, and the pairing duty.
pub fn write_compliance(
    path: &Path,
    responses: &[Response],
    results: &[EnterpriseCompliance],
    duty: &LeaderReport,
) -> Result<(), ReportError> {
    let mut wb = Workbook::new();
    let s = styles();

    let ws = wb.add_worksheet();
    ws.set_name("疑似未落实")?;
    ws.set_landscape();
    let heads = [
        "城市",
        "响应级别",
        "响应起",
        "响应止",
        "统一社会信用代码",
        "企业",
        "数据",
        "基线",
        "上限",
        "超限时段数",
        "超出合计",
        "线索说明",
    ];
    header(
        ws,
        &s,
        "重污染天气应急响应疑似未落实管控措施线索",
        &heads,
        &[8.0, 9.0, 16.0, 16.0, 22.0, 26.0, 18.0, 12.0, 12.0, 10.0, 12.0, 60.0],
    )?;
    let mut row = 2u32;
    for e in results {
        for r in &e.reports {
            let Some(lead) = &r.lead else { continue };
            ws.write_string_with_format(row, 0, &e.city, &s.cell)?;
            ws.write_string_with_format(row, 1, e.response.level.name_zh(), &s.cell)?;
            ws.write_string_with_format(row, 2, e.response.from.format("%Y-%m-%d %H:%M").to_string(), &s.cell)?;
            ws.write_string_with_format(row, 3, e.response.to.format("%Y-%m-%d %H:%M").to_string(), &s.cell)?;
            ws.write_string_with_format(row, 4, &e.credit_code, &s.cell)?;
            ws.write_string_with_format(row, 5, &e.name, &s.left)?;
            ws.write_string_with_format(row, 6, lead.evidence.unit, &s.cell)?;
            ws.write_string_with_format(row, 7, lead.evidence.baseline.round(1).to_string(), &s.cell)?;
            ws.write_string_with_format(row, 8, lead.evidence.ceiling.round(1).to_string(), &s.cell)?;
            ws.write_number_with_format(row, 9, lead.evidence.series.len() as f64, &s.bad)?;
            ws.write_string_with_format(row, 10, lead.evidence.total_shortfall.round(1).to_string(), &s.cell)?;
            ws.write_string_with_format(row, 11, &lead.summary_zh, &s.left)?;
            row += 1;
        }
    }
    if row == 2 {
        ws.merge_range(2, 0, 2, 11, "无疑似未落实线索", &s.good)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name("核查明细")?;
    let heads = [
        "城市",
        "响应级别",
        "统一社会信用代码",
        "企业",
        "绩效等级",
        "数据",
        "基线天数",
        "基线",
        "允许比例(%)",
        "上限",
        "结论",
    ];
    header(
        ws,
        &s,
        "应急响应期间企业用电与在线监测核查明细",
        &heads,
        &[8.0, 9.0, 22.0, 26.0, 9.0, 18.0, 9.0, 12.0, 11.0, 12.0, 30.0],
    )?;
    let mut row = 2u32;
    for e in results {
        for r in &e.reports {
            ws.write_string_with_format(row, 0, &e.city, &s.cell)?;
            ws.write_string_with_format(row, 1, e.response.level.name_zh(), &s.cell)?;
            ws.write_string_with_format(row, 2, &e.credit_code, &s.cell)?;
            ws.write_string_with_format(row, 3, &e.name, &s.left)?;
            ws.write_string_with_format(row, 4, e.grade.label_zh(), &s.cell)?;
            let unit = r.kind.unit().to_string();
            ws.write_string_with_format(row, 5, &unit, &s.cell)?;
            ws.write_number_with_format(row, 6, r.baseline_days.len() as f64, &s.cell)?;
            ws.write_string_with_format(
                row,
                7,
                r.baseline.map(|b| b.round(1).to_string()).unwrap_or_default(),
                &s.cell,
            )?;
            ws.write_string_with_format(row, 8, r.allowed_share.map(|a| pct(&a)).unwrap_or_default(), &s.cell)?;
            ws.write_string_with_format(
                row,
                9,
                r.ceiling.map(|c| c.round(1).to_string()).unwrap_or_default(),
                &s.cell,
            )?;
            let f = match r.verdict {
                Verdict::SuspectedNonCompliance => &s.bad,
                Verdict::Compliant => &s.good,
                _ => &s.cell,
            };
            ws.write_string_with_format(row, 10, verdict_zh(&r.verdict), f)?;
            row += 1;
        }
    }

    let ws = wb.add_worksheet();
    ws.set_name("结对帮扶")?;
    let heads = ["城市", "响应级别", "起", "止", "结对部门", "情况", "说明"];
    header(ws, &s, "应急响应期间结对帮扶厅级领导现场督导", &heads, &[10.0, 9.0, 12.0, 12.0, 16.0, 12.0, 70.0])?;
    let mut row = 2u32;
    for m in &duty.missing {
        let city = lantian_core::regions::cities::SICHUAN_CITIES
            .iter()
            .find(|c| c.code == m.response.city)
            .map_or_else(|| m.response.city.to_string(), |c| c.name.to_string());
        ws.write_string_with_format(row, 0, &city, &s.cell)?;
        ws.write_string_with_format(row, 1, m.response.level.name_zh(), &s.cell)?;
        ws.write_string_with_format(row, 2, m.response.date_from.to_string(), &s.cell)?;
        ws.write_string_with_format(row, 3, m.response.date_to.to_string(), &s.cell)?;
        ws.write_string_with_format(row, 4, &m.department_zh, &s.cell)?;
        ws.write_string_with_format(row, 5, "未见厅级领导现场督导", &s.bad)?;
        ws.write_string_with_format(row, 6, &m.message_zh, &s.left)?;
        row += 1;
    }
    ws.write_string(
        row + 1,
        0,
        format!(
            "核查 {} 次结对城市应急响应，{} 次未见厅级领导现场督导；非结对城市响应 {} 次。依据：{}",
            duty.checked,
            duty.missing.len(),
            duty.unpaired,
            duty.table_id
        ),
    )?;
    let n = row + 3;
    ws.write_string(n, 0, "本报告涉及的应急响应（来自预警台账）：")?;
    for (i, r) in responses.iter().enumerate() {
        ws.write_string(
            n + 1 + i as u32,
            0,
            format!(
                "{} {} {} — {}",
                r.city,
                r.level.name_zh(),
                r.from.format("%Y-%m-%d %H:%M"),
                r.to.format("%Y-%m-%d %H:%M")
            ),
        )?;
    }
    wb.save(path)?;
    Ok(())
}
