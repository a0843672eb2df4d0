//! The working-day calendar of the work-item clocks (`work.md` §1: a clock runs on natural or working
//! days): Monday to Friday, less the public holidays of the State Council's notice for the year
//! (国务院办公厅关于部分节假日安排的通知), plus the weekend days that notice makes working days (调休上班).
//! Rules are data: one table per year, naming its notice, chosen by the date asked about — never by
//! today's date. A date in a year without a notice is an error naming the year, not a guess.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

/// A date as written in the tables: `(year, month, day)`.
pub type Ymd = (i32, u32, u32);

/// One year's notice: the holidays (inclusive ranges of dates, `(year, month, day)`; a range may start in
/// the year before, as 2023's New Year did) and the adjusted working days.
#[derive(Debug)]
pub struct HolidayNotice {
    pub year: i32,
    /// The notice and where its text was read.
    pub source: &'static str,
    pub holidays: &'static [(Ymd, Ymd)],
    pub working_weekends: &'static [Ymd],
}

/// The notices of 2022–2026 [V: the notices' text as published by Xinhua; addresses below].
pub const NOTICES: &[HolidayNotice] = &[
    HolidayNotice {
        year: 2022,
        source: "国务院办公厅关于2022年部分节假日安排的通知 (国办发明电〔2021〕11号, 2021-10-25)",
        holidays: &[
            ((2022, 1, 1), (2022, 1, 3)),
            ((2022, 1, 31), (2022, 2, 6)),
            ((2022, 4, 3), (2022, 4, 5)),
            ((2022, 4, 30), (2022, 5, 4)),
            ((2022, 6, 3), (2022, 6, 5)),
            ((2022, 9, 10), (2022, 9, 12)),
            ((2022, 10, 1), (2022, 10, 7)),
        ],
        working_weekends: &[
            (2022, 1, 29),
            (2022, 1, 30),
            (2022, 4, 2),
            (2022, 4, 24),
            (2022, 5, 7),
            (2022, 10, 8),
            (2022, 10, 9),
        ],
    },
    HolidayNotice {
        year: 2023,
        source: "国务院办公厅关于2023年部分节假日安排的通知 (国办发明电〔2022〕16号, 2022-12-08; \
                 http://news.china.com.cn/2022-12/09/content_85004315.htm)",
        holidays: &[
            ((2022, 12, 31), (2023, 1, 2)),
            ((2023, 1, 21), (2023, 1, 27)),
            ((2023, 4, 5), (2023, 4, 5)),
            ((2023, 4, 29), (2023, 5, 3)),
            ((2023, 6, 22), (2023, 6, 24)),
            ((2023, 9, 29), (2023, 10, 6)),
        ],
        working_weekends: &[
            (2023, 1, 28),
            (2023, 1, 29),
            (2023, 4, 23),
            (2023, 5, 6),
            (2023, 6, 25),
            (2023, 10, 7),
            (2023, 10, 8),
        ],
    },
    HolidayNotice {
        year: 2024,
        source: "国务院办公厅关于2024年部分节假日安排的通知 (国办发明电〔2023〕7号, 2023-10-25)",
        holidays: &[
            ((2024, 1, 1), (2024, 1, 1)),
            ((2024, 2, 10), (2024, 2, 17)),
            ((2024, 4, 4), (2024, 4, 6)),
            ((2024, 5, 1), (2024, 5, 5)),
            ((2024, 6, 10), (2024, 6, 10)),
            ((2024, 9, 15), (2024, 9, 17)),
            ((2024, 10, 1), (2024, 10, 7)),
        ],
        working_weekends: &[
            (2024, 2, 4),
            (2024, 2, 18),
            (2024, 4, 7),
            (2024, 4, 28),
            (2024, 5, 11),
            (2024, 9, 14),
            (2024, 9, 29),
            (2024, 10, 12),
        ],
    },
    HolidayNotice {
        year: 2025,
        source: "国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12)",
        holidays: &[
            ((2025, 1, 1), (2025, 1, 1)),
            ((2025, 1, 28), (2025, 2, 4)),
            ((2025, 4, 4), (2025, 4, 6)),
            ((2025, 5, 1), (2025, 5, 5)),
            ((2025, 5, 31), (2025, 6, 2)),
            ((2025, 10, 1), (2025, 10, 8)),
        ],
        working_weekends: &[(2025, 1, 26), (2025, 2, 8), (2025, 4, 27), (2025, 9, 28), (2025, 10, 11)],
    },
    HolidayNotice {
        year: 2026,
        source: "国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04; Xinhua, \
                 https://politics.gmw.cn/2025-11/04/content_38391083.htm)",
        holidays: &[
            ((2026, 1, 1), (2026, 1, 3)),
            ((2026, 2, 15), (2026, 2, 23)),
            ((2026, 4, 4), (2026, 4, 6)),
            ((2026, 5, 1), (2026, 5, 5)),
            ((2026, 6, 19), (2026, 6, 21)),
            ((2026, 9, 25), (2026, 9, 27)),
            ((2026, 10, 1), (2026, 10, 7)),
        ],
        working_weekends: &[(2026, 1, 4), (2026, 2, 14), (2026, 2, 28), (2026, 5, 9), (2026, 9, 20), (2026, 10, 10)],
    },
];

/// What a day is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayKind {
    Working,
    Weekend,
    Holiday,
    /// A weekend day the notice makes a working day (调休上班).
    AdjustedWorking,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Working | DayKind::AdjustedWorking)
    }
}

/// A date the calendar has no notice for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no holiday notice for {year} in the working-day calendar: working days of {year} cannot be counted (add the State Council's notice for {year} to work::calendar::NOTICES)")]
pub struct NotCovered {
    pub year: i32,
}

fn date(t: Ymd) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(t.0, t.1, t.2)
}

/// What `d` is. A date is covered by the notice of its own year; the New Year holiday that a notice
/// starts on 31 December of the year before is found there too.
pub fn day_kind(d: NaiveDate) -> Result<DayKind, NotCovered> {
    let notice = NOTICES.iter().find(|n| n.year == d.year()).ok_or(NotCovered { year: d.year() })?;
    let next = NOTICES.iter().find(|n| n.year == d.year() + 1);
    let in_range = |n: &HolidayNotice| {
        n.holidays.iter().any(|(a, b)| matches!((date(*a), date(*b)), (Some(a), Some(b)) if a <= d && d <= b))
    };
    if in_range(notice) || next.is_some_and(in_range) {
        return Ok(DayKind::Holiday);
    }
    if notice.working_weekends.iter().any(|w| date(*w) == Some(d)) {
        return Ok(DayKind::AdjustedWorking);
    }
    Ok(match d.weekday() {
        Weekday::Sat | Weekday::Sun => DayKind::Weekend,
        _ => DayKind::Working,
    })
}

/// The end of the `n`-th working day after the day of `from` (the day of `from` is not counted; `n` ≥ 1):
/// 24:00 of that day, i.e. 00:00 of the next. `work.md` §1 [D]: a window of N working days ends with
/// the N-th working day after the item is issued.
pub fn add_working_days(from: NaiveDateTime, n: u32) -> Result<NaiveDateTime, NotCovered> {
    let mut d = from.date();
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().ok_or(NotCovered { year: d.year() })?;
        if day_kind(d)?.is_working() {
            left -= 1;
        }
    }
    Ok((d + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or(from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn every_notice_is_sound() {
        for n in NOTICES {
            for (a, b) in n.holidays {
                let (a, b) = (date(*a).expect("a date"), date(*b).expect("a date"));
                assert!(a <= b && (b.year() == n.year) && (b - a).num_days() < 10, "{} {a}..{b}", n.year);
            }
            for w in n.working_weekends {
                let w = date(*w).expect("a date");
                assert!(matches!(w.weekday(), Weekday::Sat | Weekday::Sun), "{w} is a weekend day made a working day");
                assert_eq!(w.year(), n.year);
            }
        }
    }

    #[test]
    fn days_are_what_the_notices_say() {
        assert_eq!(day_kind(d(2023, 10, 6)), Ok(DayKind::Holiday));
        assert_eq!(day_kind(d(2023, 10, 7)), Ok(DayKind::AdjustedWorking), "a Saturday, 调休上班");
        assert_eq!(day_kind(d(2023, 10, 9)), Ok(DayKind::Working));
        assert_eq!(day_kind(d(2022, 12, 31)), Ok(DayKind::Holiday), "2023's New Year starts in 2022");
        assert_eq!(day_kind(d(2026, 2, 14)), Ok(DayKind::AdjustedWorking));
        assert_eq!(day_kind(d(2026, 2, 21)), Ok(DayKind::Holiday), "a Saturday inside the Spring Festival");
        assert_eq!(day_kind(d(2026, 12, 5)), Ok(DayKind::Weekend));
        assert_eq!(day_kind(d(2027, 1, 4)), Err(NotCovered { year: 2027 }));
        assert!(NotCovered { year: 2027 }.to_string().contains("no holiday notice for 2027"));
    }

    #[test]
    fn working_days_skip_holidays_and_count_adjusted_weekends() {
        let t = |y, m, day, h| d(y, m, day).and_hms_opt(h, 0, 0).expect("time");
        // Issued on Thursday 28 September 2023 at 16:00: the National Day holiday runs 29 Sep – 6 Oct; the
        // Saturday and Sunday after it are working days.
        assert_eq!(add_working_days(t(2023, 9, 28, 16), 1), Ok(t(2023, 10, 8, 0)));
        assert_eq!(add_working_days(t(2023, 9, 28, 16), 2), Ok(t(2023, 10, 9, 0)));
        assert_eq!(add_working_days(t(2023, 9, 28, 16), 5), Ok(t(2023, 10, 12, 0)));
        // A Friday before an ordinary weekend: Monday ends the first working day.
        assert_eq!(add_working_days(t(2026, 12, 4, 9), 1), Ok(t(2026, 12, 8, 0)));
        // Friday 13 February 2026: Saturday the 14th is a working day, then nine days of Spring Festival.
        assert_eq!(add_working_days(t(2026, 2, 13, 9), 1), Ok(t(2026, 2, 15, 0)));
        assert_eq!(add_working_days(t(2026, 2, 13, 9), 2), Ok(t(2026, 2, 25, 0)));
        // Into a year without a notice: an error, not a guess.
        assert_eq!(add_working_days(t(2026, 12, 30, 9), 5), Err(NotCovered { year: 2027 }));
    }
}
