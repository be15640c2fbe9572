//! Applicant rows and the applicant status.

use crate::db::schema::applicants;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::prelude::*;
use diesel::sql_types::Text;
use uuid::Uuid;

/// An applicant as stored.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = applicants)]
pub struct Applicant {
    pub id: Uuid,
    pub kind: String,
    pub external_user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: String,
    pub date_of_birth: Option<NaiveDate>,
    pub country: Option<String>,
    pub supplied_info: serde_json::Value,
    pub flow_id: Option<Uuid>,
    pub status: String,
    pub reviewer_id: Option<Uuid>,
    pub lock_version: i32,
    pub deletion_scheduled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The regular verification the status belongs to.
    pub current_verification_id: Option<Uuid>,
    /// Set once the purge removed the personal data.
    pub purged_at: Option<DateTime<Utc>>,
}

/// An applicant to insert.
#[derive(Insertable, Debug)]
#[diesel(table_name = applicants)]
pub struct NewApplicant {
    pub id: Uuid,
    pub kind: String,
    pub external_user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: String,
    pub date_of_birth: Option<NaiveDate>,
    pub country: Option<String>,
    pub supplied_info: serde_json::Value,
    pub flow_id: Option<Uuid>,
    /// `INIT` for a new applicant; imports and demo data may start elsewhere.
    pub status: String,
    /// Stored beside the applicant, in `applicant_search` (see [`search_text`]).
    #[diesel(skip_insertion)]
    pub search_text: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The text search matches: name, email and external id, lower-cased and
/// without accents, so "Zoe" finds "Zoë". It lives in its own table with the
/// trigram index, so status changes do not rewrite index entries for it.
pub fn search_text(name: &str, email: Option<&str>, external_user_id: &str) -> String {
    let mut text = normalise_search(&format!("{name} {} {external_user_id}", email.unwrap_or_default()));
    if text.len() > MAX_SEARCH_TEXT {
        let mut end = MAX_SEARCH_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// The most bytes of search text kept. The window index carries the text,
/// and an index entry holds at most 2,704 bytes; spelling out symbols can
/// make 200 characters of name several kilobytes. Real names, addresses and
/// ids come nowhere near.
pub const MAX_SEARCH_TEXT: usize = 1000;

/// Lower-case, accent-free form of a search term, without control
/// characters (a NUL cannot even be sent to PostgreSQL).
pub fn normalise_search(text: &str) -> String {
    deunicode::deunicode(text)
        .to_lowercase()
        .replace(|c: char| c.is_control(), "")
}

/// The applicant status (names match the public API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromSqlRow)]
pub enum Status {
    Init,
    Incomplete,
    InProgress,
    OnHold,
    Completed,
    InReview,
    Approved,
    Rejected,
}

impl Status {
    /// Every status, in the order an applicant usually moves through them.
    pub const ALL: [Status; 8] = [
        Self::Init,
        Self::Incomplete,
        Self::InProgress,
        Self::OnHold,
        Self::Completed,
        Self::InReview,
        Self::Approved,
        Self::Rejected,
    ];

    /// The stored and API code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Init => "INIT",
            Self::Incomplete => "INCOMPLETE",
            Self::InProgress => "IN_PROGRESS",
            Self::OnHold => "ON_HOLD",
            Self::Completed => "COMPLETED",
            Self::InReview => "IN_REVIEW",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
        }
    }

    /// What the back-office shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Init => "Not initiated",
            Self::Incomplete => "Incomplete",
            Self::InProgress => "In progress",
            Self::OnHold => "On hold",
            Self::Completed => "Completed",
            Self::InReview => "In review",
            Self::Approved => "Approved",
            Self::Rejected => "Rejected",
        }
    }

    /// The badge style.
    pub fn badge(self) -> &'static str {
        match self {
            Self::Init => "badge-deactivated",
            Self::Incomplete => "badge-applicant",
            Self::InProgress => "badge-queued",
            Self::OnHold => "badge-warning",
            Self::Completed => "badge-decision",
            Self::InReview => "badge-reviewing",
            Self::Approved => "badge-active",
            Self::Rejected => "badge-failed",
        }
    }

    /// Whether the applicant has done their part and the case waits for
    /// an officer (checks running, a flag to look at, or a decision), not
    /// yet in anyone's review.
    pub fn awaits_review(self) -> bool {
        matches!(self, Self::InProgress | Self::OnHold | Self::Completed)
    }

    /// Looks a status up by code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Applicant kinds: (code, label).
pub const KINDS: [(&str, &str); 2] = [("natural_person", "Person"), ("legal_person", "Company")];

/// Read straight from the `status` column, without a `String` in between:
/// a list reads fifty rows, and each string was an allocation on the
/// database thread freed on another. The column's CHECK allows only codes
/// this enum has.
impl FromSql<Text, Pg> for Status {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let code = std::str::from_utf8(value.as_bytes())?;
        Status::from_code(code).ok_or_else(|| format!("unknown applicant status {code:?}").into())
    }
}

/// An applicant's type as lists show it ("Person", "Company"), read straight
/// from the `kind` column (see [`Status`]'s reading).
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromSqlRow)]
pub struct KindLabel(pub &'static str);

impl FromSql<Text, Pg> for KindLabel {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let code = std::str::from_utf8(value.as_bytes())?;
        KINDS
            .iter()
            .find(|(k, _)| *k == code)
            .map(|(_, label)| KindLabel(label))
            .ok_or_else(|| format!("unknown applicant kind {code:?}").into())
    }
}

/// Languages applicants can be addressed in: (code, name).
pub const LANGUAGES: [(&str, &str); 8] = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("pt", "Português"),
    ("pl", "Polski"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
        }
        assert_eq!(Status::Init.label(), "Not initiated");
    }

    #[test]
    fn search_text_ignores_case_and_accents() {
        assert_eq!(
            search_text("Zoë Ångström", Some("Zoe@X.io"), "EXT-1"),
            "zoe angstrom zoe@x.io ext-1"
        );
    }

    #[test]
    fn search_text_fits_an_index_entry_however_its_name_spells_out() {
        let symbols = "🤞".repeat(200);
        let text = search_text(&symbols, None, &symbols);
        assert!(text.len() <= MAX_SEARCH_TEXT && !text.is_empty());
    }
}
