//! Field-level validation messages for re-rendered forms.

use crate::error::AppError;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A form with nothing but its CSRF token (buttons that only act).
#[derive(Deserialize)]
pub struct EmptyForm {}

/// The values a form first showed, by field, as the hidden `shown` field
/// carries them (JSON), so that a save refused because someone else saved
/// meanwhile can be merged (see [`merge_after_conflict`]).
pub fn shown_values<'a>(fields: impl IntoIterator<Item = (&'static str, &'a String)>) -> String {
    let map: BTreeMap<&str, &String> = fields.into_iter().collect();
    serde_json::to_string(&map).unwrap_or_default()
}

/// Merges a refused save with what someone else saved meanwhile (`now`):
/// the fields left as `shown` take the new values, those changed keep what
/// was typed, and those both changed differently get a message by the
/// field, which `readable` words. Without the values as shown (a hand-made
/// request) every typed value is kept.
pub fn merge_after_conflict<'a>(
    typed: impl IntoIterator<Item = (&'static str, &'a mut String)>,
    shown: &str,
    now: &BTreeMap<&str, String>,
    errors: &mut FormErrors,
    readable: impl Fn(&str, &str) -> String,
) {
    let shown: BTreeMap<String, String> = serde_json::from_str(shown).unwrap_or_default();
    for (field, typed) in typed {
        let (Some(was), Some(theirs)) = (shown.get(field), now.get(field)) else {
            continue;
        };
        if typed.trim() == was.trim() {
            typed.clone_from(theirs);
        } else if theirs != was && typed.trim() != theirs.trim() {
            errors.add(
                field,
                format!(
                    "Changed meanwhile to {}; what you typed is kept. Check it before saving again.",
                    readable(field, theirs)
                ),
            );
        }
    }
}

/// An id from the path; anything that is not one is a 404.
pub fn parse_id(raw: &str) -> Result<Uuid, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// Messages keyed by field name, shown next to their fields.
#[derive(Clone, Debug, Default)]
pub struct FormErrors(BTreeMap<&'static str, String>);

impl FormErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a message for `field`; the first message for a field wins.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    /// Records a message for `field` after any it has already: for fields
    /// that can be wrong in several ways at once (a list of addresses, a
    /// text with placeholders), so one submission tells everything.
    pub fn also(&mut self, field: &'static str, message: impl Into<String>) {
        let message = message.into();
        match self.0.get_mut(field) {
            Some(existing) if !existing.contains(&message) => {
                existing.push(' ');
                existing.push_str(&message);
            }
            Some(_) => {}
            None => {
                self.0.insert(field, message);
            }
        }
    }

    /// Parses with `parse`, recording its error under `field`.
    pub fn check<T>(&mut self, field: &'static str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// The message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Whether any message was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many fields have a message.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// The first instant of `day` in `zone`. Where the clocks spring forward at
/// midnight (America/Havana on 2027-03-14) there is no local midnight, and
/// the day starts at the change, with its first local time that exists; where
/// midnight happens twice, at the first. A day a zone skipped altogether
/// (Pacific/Apia's 2011-12-30) starts when the next one does: it is empty.
pub fn start_of_day(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    if let Some(start) = zone.from_local_datetime(&midnight).earliest() {
        return start.with_timezone(&Utc);
    }
    // The first whole minute after the gap; gaps last an hour or so, a
    // skipped day a day: two days is ample.
    let Some(after_gap) = (1..=2 * 24 * 60)
        .find_map(|m| zone.from_local_datetime(&(midnight + Duration::minutes(m))).earliest())
        .map(|t| t.with_timezone(&Utc))
    else {
        // No time zone has such a gap; read midnight as UTC rather than fail.
        return Utc.from_utc_datetime(&midnight);
    };
    // The change itself may fall between whole minutes (old zones changed
    // from local mean time to the second): the day starts at the earliest
    // instant of that last minute that is already on it.
    (1..60)
        .rev()
        .map(|s| after_gap - Duration::seconds(s))
        .find(|t| t.with_timezone(&zone).date_naive() == day)
        .unwrap_or(after_gap)
}

/// A date filter's `from` and `to` fields, days in the member's `zone`, as
/// the instants it covers: from the start of `from` until (excluding) the
/// start of the day after `to`. Either may be empty. A value that is not a
/// date, or a start after the end, gets a message next to its field and
/// filters nothing.
pub fn day_range(
    zone: Tz,
    from: &str,
    to: &str,
    errors: &mut FormErrors,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let from = parse_filter_day(from, "from", errors);
    let to = parse_filter_day(to, "to", errors);
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        errors.add("from", "The start date is after the end date.");
        return (None, None);
    }
    (
        from.map(|d| start_of_day(zone, d)),
        to.and_then(|d| d.succ_opt()).map(|d| start_of_day(zone, d)),
    )
}

fn parse_filter_day(raw: &str, field: &'static str, errors: &mut FormErrors) -> Option<NaiveDate> {
    if raw.trim().is_empty() {
        return None;
    }
    errors.check(
        field,
        match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
            Ok(day) if (1900..=9999).contains(&chrono::Datelike::year(&day)) => Ok(day),
            Ok(day) if (1..1900).contains(&chrono::Datelike::year(&day)) => {
                Err(format!("“{raw}” is before 1900; choose a later date."))
            }
            Ok(day) if chrono::Datelike::year(&day) > 9999 => {
                Err(format!("“{raw}” is too far ahead; choose an earlier date."))
            }
            // A negative year is a stray minus sign, not a date.
            _ => Err(format!("“{raw}” is not a date like 2026-11-22.")),
        },
    )
}

/// What is wrong with an address's query string, for the error page: in
/// plain words for the mistake people make by hand (a parameter twice,
/// from an edited or merged address), serde's words otherwise.
pub fn query_problem(error: &str) -> String {
    let detail = error.trim_start_matches("Query deserialize error: ");
    if let Some(name) = detail
        .strip_prefix("duplicate field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return format!(
            "The address gives \u{201c}{name}\u{201d} more than once, and a page takes one value for it. \
             Remove the extra one and try again."
        );
    }
    format!("The address has an invalid parameter ({detail}).")
}

#[cfg(test)]
mod tests {
    use super::query_problem;

    #[test]
    fn a_parameter_given_twice_is_named_in_plain_words() {
        assert_eq!(
            query_problem("Query deserialize error: duplicate field `status`"),
            "The address gives \u{201c}status\u{201d} more than once, and a page takes one value for it. \
             Remove the extra one and try again."
        );
        assert_eq!(
            query_problem("Query deserialize error: invalid digit found in string"),
            "The address has an invalid parameter (invalid digit found in string)."
        );
    }

    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        assert_eq!(
            start_of_day(chrono_tz::Europe::Paris, day("2026-11-22")),
            utc("2026-11-21T23:00:00Z")
        );
        assert_eq!(
            start_of_day(chrono_tz::UTC, day("2026-11-22")),
            utc("2026-11-22T00:00:00Z")
        );
    }

    #[test]
    fn a_day_without_midnight_starts_when_the_clocks_change() {
        let havana = chrono_tz::America::Havana;
        // 00:00 CST (UTC-5) becomes 01:00 CDT (UTC-4).
        assert_eq!(start_of_day(havana, day("2027-03-14")), utc("2027-03-14T05:00:00Z"));
        assert_eq!(start_of_day(havana, day("2027-03-15")), utc("2027-03-15T04:00:00Z"));
        // Back at 01:00 CDT to 00:00 CST: midnight happens twice, the first counts.
        assert_eq!(start_of_day(havana, day("2027-11-07")), utc("2027-11-07T04:00:00Z"));
        // Samoa skipped 2011-12-30: the day is empty.
        let apia = chrono_tz::Pacific::Apia;
        assert_eq!(start_of_day(apia, day("2011-12-30")), utc("2011-12-30T10:00:00Z"));
        assert_eq!(start_of_day(apia, day("2011-12-31")), utc("2011-12-30T10:00:00Z"));
    }

    #[test]
    fn a_range_covers_whole_local_days() {
        let havana = chrono_tz::America::Havana;
        let mut errors = FormErrors::new();
        assert_eq!(
            day_range(havana, "2027-03-14", "2027-03-14", &mut errors),
            (Some(utc("2027-03-14T05:00:00Z")), Some(utc("2027-03-15T04:00:00Z")))
        );
        // Ending on the day before the change: 23 hours after the 13th began.
        assert_eq!(
            day_range(havana, "", "2027-03-13", &mut errors),
            (None, Some(utc("2027-03-14T05:00:00Z")))
        );
        // The autumn day is 25 hours long, all of it included.
        assert_eq!(
            day_range(havana, "2027-11-07", "2027-11-07", &mut errors).1,
            Some(utc("2027-11-08T05:00:00Z"))
        );
        assert!(errors.is_empty());
    }

    #[test]
    fn a_range_refuses_a_start_after_its_end_and_what_is_no_date() {
        let mut errors = FormErrors::new();
        assert_eq!(
            day_range(chrono_tz::UTC, "2026-11-22", "2026-11-01", &mut errors),
            (None, None)
        );
        assert_eq!(errors.get("from"), Some("The start date is after the end date."));
        let mut errors = FormErrors::new();
        assert_eq!(
            day_range(chrono_tz::UTC, "22/11/2026", "-2026-11-01", &mut errors),
            (None, None)
        );
        assert_eq!(errors.get("from"), Some("“22/11/2026” is not a date like 2026-11-22."));
        assert_eq!(errors.get("to"), Some("“-2026-11-01” is not a date like 2026-11-22."));
        let mut errors = FormErrors::new();
        assert_eq!(parse_filter_day("0001-01-01", "from", &mut errors), None);
        assert_eq!(
            errors.get("from"),
            Some("“0001-01-01” is before 1900; choose a later date.")
        );
    }
}
