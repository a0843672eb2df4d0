//! The charts of the pages, drawn on the server as SVG by a maintained charting library (plotters,
//! through cargo — nothing fetched by the browser, nothing third-party copied into the repository; issue
//! 14 item 3). Each chart comes with a hover layer of our own: one transparent cell per day or per bar
//! carrying the exact value the API gives (`data-value`) and a tooltip (`<title>`, and the richer one of
//! `/assets/charts.js`). The browser test reads these cells and compares them with the API.
//!
//! Texts handed to plotters are escaped by it (`<`, `>`, `&`, `"`, `'`); the SVG it returns is placed in
//! the page unescaped, everything else through the templates.

use chrono::{Datelike, NaiveDate};
use plotters::prelude::*;

use crate::pages::Lang;
use crate::views::{ChartView, HoverCell, LegendEntry};

/// Plotters' error, as the pages' internal error.
fn drawn<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, crate::error::ApiError> {
    r.map_err(|e| crate::error::ApiError::internal(format!("drawing a chart: {e}")))
}

/// `#RRGGBB` as plotters' colour (grey for anything else).
pub(crate) fn rgb(hex: &str) -> RGBColor {
    let h = hex.trim_start_matches('#');
    let byte = |i: usize| h.get(i..i + 2).and_then(|s| u8::from_str_radix(s, 16).ok()).unwrap_or(128);
    RGBColor(byte(0), byte(2), byte(4))
}

/// The text style of the charts' labels (the page's style sheet sets the font family of `.chart text`).
fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&RGBColor(0x33, 0x33, 0x33))
}

/// One daily line: its name and `(day, value for drawing, the exact value as the API writes it)`.
pub struct DailyLine {
    pub label: String,
    pub colour: &'static str,
    pub points: Vec<(NaiveDate, f64, String)>,
}

/// A chart of daily values from `from` to `to` (inclusive) over bands, e.g. the AQI levels of a
/// breakpoint column: `(low, high, colour)`.
pub struct DailyChart {
    pub id: &'static str,
    pub title: String,
    pub unit: &'static str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub bands: Vec<(f64, f64, &'static str)>,
    /// The lowest top of the value axis (so that charts of the same kind read alike).
    pub floor: f64,
    pub lines: Vec<DailyLine>,
}

/// The months' short English names.
pub(crate) const MONTHS_EN: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The ticks of a time axis: the first of each month on a long span, else every seventh day.
fn day_ticks(lang: Lang, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, String)> {
    let days = (to - from).num_days();
    if days > 62 {
        from.iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| d.day() == 1)
            .map(|d| {
                let m = d.month0() as usize;
                (d, if lang == Lang::En { MONTHS_EN[m].to_string() } else { format!("{}月", m + 1) })
            })
            .collect()
    } else {
        from.iter_days()
            .take_while(|d| *d <= to)
            .step_by(7)
            .map(|d| {
                (
                    d,
                    if lang == Lang::En {
                        format!("{} {}", MONTHS_EN[d.month0() as usize], d.day())
                    } else {
                        format!("{}月{}日", d.month(), d.day())
                    },
                )
            })
            .collect()
    }
}

/// Draws a daily chart: the bands, the lines with a legend, a time axis of months (or weeks on a short
/// span) and a value axis with its unit; returns it with its hover layer.
pub fn daily(lang: Lang, spec: &DailyChart) -> Result<ChartView, crate::error::ApiError> {
    let (w, h) = (720u32, 240u32);
    let span = ((spec.to - spec.from).num_days() + 1).max(1) as f64;
    let top = spec.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(spec.floor, f64::max) * 1.05;
    let mut svg = String::new();
    let mut cells = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        drawn(root.fill(&WHITE))?;
        let mut chart = drawn(
            ChartBuilder::on(&root)
                .margin_top(10)
                .margin_right(12)
                .x_label_area_size(24)
                .y_label_area_size(52)
                .build_cartesian_2d(0f64..span, 0f64..top),
        )?;
        drawn(
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(0)
                .y_labels(6)
                .y_label_formatter(&|v| format!("{v:.0}"))
                .y_desc(spec.unit)
                .label_style(font(15))
                .axis_desc_style(font(15))
                .light_line_style(WHITE.mix(0.0))
                .bold_line_style(BLACK.mix(0.08))
                .draw(),
        )?;
        // The bands, each labelled with its upper bound at the right (when the top does not cut it).
        for &(lo, hi, colour) in &spec.bands {
            if lo >= top {
                break;
            }
            drawn(
                chart.draw_series([Rectangle::new([(0.0, lo), (span, hi.min(top))], rgb(colour).mix(0.22).filled())]),
            )?;
            if hi <= top {
                let (px, py) = chart.backend_coord(&(span, hi));
                drawn(root.draw(&Text::new(
                    format!("{hi}"),
                    (px - 2, py + 1),
                    font(13).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Right,
                        plotters::style::text_anchor::VPos::Top,
                    )),
                )))?;
            }
        }
        // The time axis: a light rule and a label at each tick.
        for (d, label) in day_ticks(lang, spec.from, spec.to) {
            let x = (d - spec.from).num_days() as f64;
            drawn(chart.draw_series([PathElement::new(vec![(x, 0.0), (x, top)], BLACK.mix(0.12))]))?;
            let (px, py) = chart.backend_coord(&(x, 0.0));
            drawn(root.draw(&Text::new(label, (px + 2, py + 4), font(14))))?;
        }
        for line in &spec.lines {
            let colour = rgb(line.colour);
            let pts: Vec<(f64, f64)> =
                line.points.iter().map(|(d, v, _)| ((*d - spec.from).num_days() as f64 + 0.5, *v)).collect();
            // On a short span each day's value is also a dot.
            if span <= 63.0 {
                drawn(chart.draw_series(pts.iter().map(|p| Circle::new(*p, 3, colour.filled()))))?;
            }
            drawn(chart.draw_series(LineSeries::new(pts, colour.stroke_width(2))))?
                .label(line.label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2)));
        }
        drawn(
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .label_font(font(15))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .draw(),
        )?;
        // One hover cell a day with a value of the first line.
        if let Some(first) = spec.lines.first() {
            let (_, y_top) = chart.backend_coord(&(0.0, top));
            let (_, y_bottom) = chart.backend_coord(&(0.0, 0.0));
            for (d, v, exact) in &first.points {
                let x = (*d - spec.from).num_days() as f64;
                let (x0, _) = chart.backend_coord(&(x, 0.0));
                let (x1, _) = chart.backend_coord(&(x + 1.0, 0.0));
                let (_, py) = chart.backend_coord(&(x + 0.5, *v));
                let others: Vec<String> = spec.lines[1..]
                    .iter()
                    .filter_map(|l| l.points.iter().find(|p| p.0 == *d).map(|p| format!("{} {}", l.label, p.2)))
                    .collect();
                let mut text = format!("{d} {} {exact} {}", first.label, spec.unit);
                for o in others {
                    text.push_str(&format!("; {o}"));
                }
                cells.push(HoverCell {
                    x: x0,
                    y: y_top,
                    width: (x1 - x0).max(1),
                    height: y_bottom - y_top,
                    point_y: py,
                    key: d.to_string(),
                    value: exact.clone(),
                    text,
                });
            }
        }
        drawn(root.present())?;
    }
    Ok(ChartView {
        id: spec.id,
        title: spec.title.clone(),
        width: w,
        height: h,
        svg,
        cells,
        legend: Vec::new(),
        link: None,
    })
}

/// One bar: its category (a city), its value as drawn and as the API writes it, its colour, and up to
/// two marks on it (e.g. the target and last year's value).
pub struct Bar {
    pub key: String,
    pub label: String,
    pub value: f64,
    pub exact: String,
    pub colour: &'static str,
    pub marks: Vec<Option<f64>>,
}

/// A horizontal bar chart, bars in the order given, each mark kind drawn and named in the legend:
/// `(name, colour)`.
pub struct BarChart {
    pub id: &'static str,
    pub title: String,
    pub unit: &'static str,
    pub bars: Vec<Bar>,
    pub marks: Vec<(String, &'static str)>,
    /// Where a bar leads: this prefix and the bar's key.
    pub link: Option<&'static str>,
}

/// Draws a horizontal bar chart with its hover layer (one cell per bar).
pub fn bars(spec: &BarChart) -> Result<ChartView, crate::error::ApiError> {
    let n = spec.bars.len().max(1);
    let (w, h) = (720u32, 40 + 22 * n as u32);
    let top = spec
        .bars
        .iter()
        .flat_map(|b| std::iter::once(b.value).chain(b.marks.iter().flatten().copied()))
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.08;
    let mut svg = String::new();
    let mut cells = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        drawn(root.fill(&WHITE))?;
        let mut chart = drawn(
            ChartBuilder::on(&root)
                .margin_top(6)
                .margin_right(16)
                .x_label_area_size(30)
                .y_label_area_size(110)
                .build_cartesian_2d(0f64..top, 0f64..n as f64),
        )?;
        drawn(
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(6)
                .x_label_formatter(&|v| format!("{v:.0}"))
                .x_desc(spec.unit)
                .label_style(font(15))
                .axis_desc_style(font(15))
                .light_line_style(WHITE.mix(0.0))
                .bold_line_style(BLACK.mix(0.08))
                .draw(),
        )?;
        let row = |k: usize| (n - 1 - k) as f64;
        let (right, centre) = (plotters::style::text_anchor::HPos::Right, plotters::style::text_anchor::VPos::Center);
        for (k, b) in spec.bars.iter().enumerate() {
            let y = row(k);
            drawn(chart.draw_series([Rectangle::new([(0.0, y + 0.18), (b.value, y + 0.82)], rgb(b.colour).filled())]))?;
            let (px, py) = chart.backend_coord(&(0.0, y + 0.5));
            drawn(root.draw(&Text::new(
                b.label.clone(),
                (px - 6, py),
                font(15).pos(plotters::style::text_anchor::Pos::new(right, centre)),
            )))?;
            // The value after the bar and after its marks, clear of both.
            let end = b.marks.iter().flatten().copied().fold(b.value, f64::max);
            let (vx, _) = chart.backend_coord(&(end, y + 0.5));
            drawn(root.draw(&Text::new(
                b.exact.clone(),
                (vx + 6, py),
                font(14).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Left, centre)),
            )))?;
            for (m, mark) in b.marks.iter().enumerate() {
                let (Some(v), Some((_, colour))) = (mark, spec.marks.get(m)) else { continue };
                let c = rgb(colour);
                if m == 0 {
                    drawn(
                        chart.draw_series([PathElement::new(vec![(*v, y + 0.05), (*v, y + 0.95)], c.stroke_width(3))]),
                    )?;
                } else {
                    drawn(chart.draw_series([Circle::new((*v, y + 0.5), 4, c.filled())]))?;
                }
            }
            let (x0, y0) = chart.backend_coord(&(0.0, y + 1.0));
            let (x1, y1) = chart.backend_coord(&(top, y));
            cells.push(HoverCell {
                x: x0,
                y: y0,
                width: x1 - x0,
                height: y1 - y0,
                point_y: py,
                key: b.key.clone(),
                value: b.exact.clone(),
                text: format!("{} {} {}", b.label, b.exact, spec.unit),
            });
        }
        drawn(root.present())?;
    }
    Ok(ChartView {
        id: spec.id,
        title: spec.title.clone(),
        width: w,
        height: h,
        svg,
        cells,
        legend: spec.marks.iter().map(|(name, colour)| LegendEntry { name: name.clone(), colour }).collect(),
        link: spec.link,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts reach the SVG escaped (plotters escapes them; the page places its SVG unescaped).
    #[test]
    fn labels_are_escaped() {
        let chart = bars(&BarChart {
            id: "t",
            title: "t".into(),
            unit: "μg/m³",
            bars: vec![Bar {
                key: "1".into(),
                label: "<script>alert(1)</script>\"><img onerror=x>'&".into(),
                value: 3.0,
                exact: "3".into(),
                colour: "#5c7cba",
                marks: vec![Some(2.0), None],
            }],
            marks: vec![("target".into(), "#111111")],
            link: None,
        })
        .expect("drawn");
        assert!(!chart.svg.contains("<script") && !chart.svg.contains("<img"), "{}", chart.svg);
        assert!(chart.svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img onerror=x&gt;&apos;&amp;"));
        assert_eq!((chart.cells.len(), chart.cells[0].value.as_str()), (1, "3"));
    }

    /// A year's time axis is labelled by month; a few weeks' by day.
    #[test]
    fn time_axis_ticks() {
        let d = |m, day| NaiveDate::from_ymd_opt(2022, m, day).expect("date");
        let year: Vec<String> = day_ticks(Lang::Zh, d(1, 1), d(12, 31)).into_iter().map(|t| t.1).collect();
        assert_eq!(year.len(), 12);
        assert_eq!((year[0].as_str(), year[11].as_str()), ("1月", "12月"));
        let en: Vec<String> = day_ticks(Lang::En, d(3, 5), d(3, 20)).into_iter().map(|t| t.1).collect();
        assert_eq!(en, ["Mar 5", "Mar 12", "Mar 19"]);
    }
}
