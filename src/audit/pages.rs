//! Audit log templates.

use super::EventKind;
use super::queries::EventRow;
use crate::web::{Chrome, CurrentMember, FormErrors};
use askama::Template;
use uuid::Uuid;

/// One event, ready to show.
pub struct EventView {
    /// When, in the viewer's zone.
    pub at: String,
    /// What happened, in words.
    pub what: String,
    /// Who.
    pub actor: String,
    /// member / visitor / system …
    pub actor_kind: String,
    /// The member who acted, if a member did.
    pub actor_member_id: Option<Uuid>,
    /// What about: the kind of subject ("applicant", "flow" …).
    pub subject: String,
    /// The subject's name, when it still has one; else its id is shown.
    pub subject_name: String,
    /// The subject's id.
    pub subject_id: String,
    /// The page that shows the subject, when there is one.
    pub subject_link: Option<String>,
    /// From where.
    pub ip: String,
    /// The raw user-agent string, kept for the element's title.
    pub user_agent: String,
    /// The browser and system in a few words ([`super::device::describe`]).
    pub device: String,
    /// Extra facts as `key: value` pairs.
    pub details: Vec<(String, String)>,
}

impl EventView {
    /// Formats a row for `viewer`.
    pub fn from_row(row: EventRow, viewer: &CurrentMember) -> Self {
        let details = match row.details {
            serde_json::Value::Object(map) => map
                .into_iter()
                .filter_map(|(k, v)| Some((k.replace('_', " "), in_words(&k, v, viewer)?)))
                .collect(),
            _ => Vec::new(),
        };
        Self {
            at: viewer.format_time_seconds(row.occurred_at),
            what: EventKind::from_code(&row.kind).map_or(row.kind.clone(), |k| k.label().to_string()),
            actor: row.actor_label,
            actor_kind: row.actor_kind,
            actor_member_id: row.actor_member_id,
            subject_link: match (row.subject_type.as_deref(), row.subject_id.as_deref()) {
                (Some("applicant"), Some(id)) => Some(format!("/applicants/{id}")),
                (Some("flow"), Some(id)) => Some(format!("/flows/{id}")),
                (Some("questionnaire"), Some(id)) => Some(format!("/questionnaires/{id}")),
                (Some("email"), Some(id)) => Some(format!("/outbox/{id}")),
                (Some("role"), Some(id)) => Some(format!("/roles/{id}")),
                (Some("member"), Some(id)) => Some(format!("/team/members/{id}")),
                (Some("email_template"), Some(id)) => Some(format!("/email-templates/{id}")),
                _ => None,
            },
            subject: row.subject_type.unwrap_or_default().replace('_', " "),
            subject_name: String::new(),
            subject_id: row.subject_id.unwrap_or_default(),
            ip: row.ip.unwrap_or_default(),
            device: super::device::describe(row.user_agent.as_deref().unwrap_or_default()),
            user_agent: row.user_agent.unwrap_or_default(),
            details,
        }
    }
}

impl EventView {
    /// The event with its subject named, from [`super::queries::subject_names`].
    pub fn with_subject_name(mut self, names: &std::collections::HashMap<(String, String), String>) -> Self {
        let key = (self.subject.replace(' ', "_"), self.subject_id.clone());
        match names.get(&key) {
            Some(name) => self.subject_name.clone_from(name),
            // Named kinds not found are gone: no page to link to.
            None if super::queries::NAMED_SUBJECTS.contains(&key.0.as_str()) => self.subject_link = None,
            None => {}
        }
        self
    }

    /// The event with its member named as colleagues know them; the stored
    /// label (their email at the time) stays for the audit log.
    pub fn by_name(mut self, names: &std::collections::BTreeMap<Uuid, String>) -> Self {
        if let Some(name) = self.actor_member_id.and_then(|m| names.get(&m)) {
            self.actor = name.clone();
        }
        self
    }
}

/// A detail's value as a person reads it: times in the viewer's zone,
/// codes by their labels, yes and no; `None` for nothing worth a line.
/// Only the details that hold times or codes are translated, by their key:
/// a comment that happens to read "REJECTED" stays as it was written.
fn in_words(key: &str, value: serde_json::Value, viewer: &CurrentMember) -> Option<String> {
    use crate::applicants::models::Status;
    let text = match value {
        serde_json::Value::Null => return None,
        serde_json::Value::Bool(b) => return Some(if b { "yes" } else { "no" }.to_string()),
        serde_json::Value::String(s) => s,
        serde_json::Value::Array(items) if items.is_empty() => return None,
        other => other.to_string(),
    };
    if text.is_empty() {
        return None;
    }
    let translated = match key {
        "expires_at" | "purge_after" => chrono::DateTime::parse_from_rfc3339(&text)
            .ok()
            .map(|at| viewer.format_time(at.with_timezone(&chrono::Utc))),
        "reasons" => Some(
            text.split(", ")
                .map(crate::applicants::profile::reason_label)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        "refused" => Some(crate::verifications::links::describe(&text).0.to_string()),
        "status_now" => Status::from_code(&text).map(|s| s.label().to_string()),
        // A step result's status (a step completed, resolved, deactivated, reactivated).
        "status" | "from" | "result" => Some(crate::applicants::profile::result_label(&text))
            .filter(|label| *label != "Unknown")
            .map(str::to_string),
        // Steps by their kind's key.
        "step" | "retry_steps" => Some(
            text.split(", ")
                .map(|k| crate::flows::definition::StepKind::from_key(k).map_or(k, |kind| kind.label()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    };
    Some(translated.unwrap_or(text))
}

/// GET /audit
#[derive(Template)]
#[template(path = "admin/audit/index.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub events: Vec<EventView>,
    pub actors: Vec<(Uuid, String, String)>,
    /// Actors who are not members: (value, label).
    pub actor_kinds: &'static [(&'static str, &'static str)],
    pub kinds: &'static [EventKind],
    pub actor: String,
    pub kind: String,
    pub from: String,
    pub to: String,
    pub errors: FormErrors,
    pub next_page: Option<String>,
    pub first_page: bool,
}
