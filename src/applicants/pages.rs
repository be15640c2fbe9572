//! Applicant templates.

use super::forms::ApplicantForm;
use crate::web::{Chrome, DayAndTime, FormErrors};
use askama::Template;
use uuid::Uuid;

/// One applicant in the list. It borrows flow and reviewer names from the
/// page's [`super::names::Names`]: a list page builds fifty.
pub struct Row<'a> {
    pub id: IdText,
    pub name: String,
    pub kind: &'static str,
    pub external_user_id: String,
    pub email: String,
    pub flow: &'a str,
    pub status: &'static str,
    pub status_badge: &'static str,
    pub reviewer: &'a str,
    /// Shown day over time, so the column stays narrow.
    pub created: DayAndTime,
    pub updated: DayAndTime,
    /// Scheduled for deletion: when its data is purged.
    pub deletion: Option<DayAndTime>,
    /// Its personal data was deleted.
    pub purged: bool,
    /// A new session is offered: the case is open and not decided (a
    /// decided one is sent a session from its profile, which says what
    /// that undoes).
    pub new_session: bool,
    /// Finished, waiting for a decision, and nobody reviews it: an officer
    /// may take it.
    pub can_take: bool,
}

/// An id as text, written once into a buffer of its own: a row links to
/// its applicant two or three times, and this writes each link without an
/// allocation or a trip through `Display`.
pub struct IdText([u8; uuid::fmt::Hyphenated::LENGTH]);

impl IdText {
    pub fn new(id: Uuid) -> Self {
        let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
        id.hyphenated().encode_lower(&mut text);
        IdText(text)
    }

    /// The id, hyphenated and lower case: hex digits and `-`, safe in HTML
    /// as it is.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// GET /applicants
#[derive(Template)]
#[template(path = "admin/applicants/index.html")]
pub struct ListPage<'a> {
    pub chrome: Chrome,
    pub rows: Vec<Row<'a>>,
    pub q: String,
    pub status: String,
    pub flow: String,
    pub reviewer: String,
    pub from: String,
    pub to: String,
    pub sort: String,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub flows: Vec<(String, String)>,
    pub reviewers: Vec<(String, String)>,
    pub sorts: Vec<(&'static str, &'static str)>,
    pub errors: FormErrors,
    pub next_page: Option<String>,
    pub previous_page: Option<String>,
    pub first_page: Option<String>,
    /// The shortest search the server accepts, so the browser asks no more.
    pub min_term_chars: usize,
    pub can_create: bool,
    pub can_send_links: bool,
    /// The signed-in member may review: "Take" assigns the case to them.
    pub can_review: bool,
}

/// GET /applicants/new and GET /applicants/{id}/edit
#[derive(Template)]
#[template(path = "admin/applicants/new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub form: ApplicantForm,
    pub errors: FormErrors,
    pub kinds: &'static [(&'static str, &'static str)],
    pub languages: &'static [(&'static str, &'static str)],
    pub countries: Vec<(&'static str, &'static str)>,
    /// The flows one may choose, grouped by who they are for: (group, [(id, name)]).
    pub flows: Vec<(&'static str, Vec<(String, String)>)>,
    /// The applicant's id when editing: the form then posts to the
    /// applicant and has no flow, which the profile's "Change flow" moves.
    pub editing: Option<String>,
    /// Why the form came back, besides its fields' errors.
    pub notice: Option<String>,
}

/// A session link on the profile.
pub struct LinkRow {
    pub flow: String,
    pub kind: String,
    pub status: &'static str,
    pub badge: &'static str,
    /// Why a revoked link was revoked ("replaced by a new link"); empty
    /// for the others.
    pub why: String,
    pub created: String,
    pub expires: String,
    pub session: String,
    pub opens: i32,
    pub email: String,
    pub email_status: String,
    pub email_error: String,
    pub id: String,
    /// The link still works and its email failed: it can be sent again.
    pub can_send_again: bool,
    /// It was delivered to an address corrected since: sending again
    /// withdraws it and sends a new one.
    pub sends_new_link: bool,
}
