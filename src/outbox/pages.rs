//! Outbox templates.

use super::queries::OutboxMessage;
use crate::web::{Chrome, CurrentMember};
use askama::Template;

/// A message ready to show.
pub struct MessageView {
    pub id: String,
    pub kind: String,
    pub to: String,
    pub cc: String,
    pub from_name: String,
    pub subject: String,
    pub body_text: String,
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: String,
    pub created: String,
    pub sent: String,
    pub next_attempt: String,
    pub transport: String,
    /// The applicant's profile, for an email sent to one.
    pub applicant: String,
}

impl MessageView {
    /// Formats `m` for `viewer`.
    pub fn new(m: OutboxMessage, viewer: &CurrentMember) -> Self {
        Self {
            id: m.id.to_string(),
            kind: m.kind.replace('_', " "),
            to: m.to_address,
            cc: m.cc_addresses.join(", "),
            from_name: m.from_name,
            subject: m.subject,
            body_text: m.body_text,
            next_attempt: if m.status == "retrying" {
                viewer.format_time(m.next_attempt_at)
            } else {
                String::new()
            },
            status: m.status,
            attempts: m.attempts,
            max_attempts: m.max_attempts,
            last_error: m.last_error.unwrap_or_default(),
            created: viewer.format_time(m.created_at),
            sent: m.sent_at.map(|t| viewer.format_time(t)).unwrap_or_default(),
            transport: m.transport.unwrap_or_default(),
            applicant: m.applicant_id.map(|a| a.to_string()).unwrap_or_default(),
        }
    }
}

/// GET /outbox
#[derive(Template)]
#[template(path = "admin/outbox/index.html")]
pub struct OutboxListPage {
    pub chrome: Chrome,
    pub mailbox_mode: bool,
    pub messages: Vec<MessageView>,
    pub statuses: &'static [&'static str],
    pub status: String,
    pub next_page: Option<String>,
}

/// GET /outbox/{id}
#[derive(Template)]
#[template(path = "admin/outbox/show.html")]
pub struct OutboxMessagePage {
    /// A secret link hidden in the development mailbox, where an Owner
    /// would see it.
    pub owner_only: bool,
    /// A failed email a link still counts on: the profile can send it again.
    pub can_send_again: bool,
    pub chrome: Chrome,
    pub message: MessageView,
    pub links: Vec<String>,
    pub attempts: Vec<(String, String)>,
}
