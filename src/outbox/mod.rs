//! The email outbox.
//!
//! Every email is a row written in the same transaction as the change that
//! caused it; a background worker delivers due rows with retries, so a mail
//! server outage loses nothing. Without `SMTP_URL` the worker delivers into
//! the development mailbox, which is the outbox page itself.

pub mod emails;
mod handlers;
mod pages;
pub mod queries;
pub mod worker;

use crate::db::schema::{company_settings, outbox_messages};
use actix_web::web;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// Mounts the outbox pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/outbox", web::get().to(handlers::outbox_list))
        .route("/outbox/{id}", web::get().to(handlers::outbox_message));
}

/// An email ready to be queued.
pub struct Email {
    /// What it is for (`invitation`, `password_reset`, …).
    pub kind: &'static str,
    /// The main recipient.
    pub to: String,
    /// Copies.
    pub cc: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// The applicant it goes to, if it goes to one: their purge deletes it.
    pub applicant: Option<Uuid>,
}

/// Queues `email` in the caller's transaction; the From name is the
/// company's sender name at the time of queuing.
pub fn queue(conn: &mut PgConnection, now: DateTime<Utc>, email: Email) -> QueryResult<Uuid> {
    let from_name: String = company_settings::table
        .select(company_settings::sender_name)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| "Veridesk".into());
    queue_from(conn, now, &from_name, email)
}

/// Queues a copy of `message` to `to` (the recipient's address now,
/// perhaps corrected since) with the same subject and body, and the same
/// cc's when `with_cc`. The original stays as it ended, with its attempts:
/// the outbox keeps what happened to each delivery.
pub fn queue_copy(
    conn: &mut PgConnection,
    message: Uuid,
    to: &str,
    with_cc: bool,
    now: DateTime<Utc>,
) -> QueryResult<Uuid> {
    copy_message(conn, message, to, (!with_cc).then_some(&[][..]), None, now)
}

/// Ends the failure of an email whose recipient refused it while its cc's
/// took their copies: "send again" then leaves those cc's out.
pub const CC_GOT_THEIR_COPY: &str = "the copy went to cc";

/// Queues a copy of `message` for cc addresses their server put off (the
/// first as its recipient), to be retried apart from the original, which
/// went to everyone else. The copy names the original (`cc_copy_of`).
pub fn queue_cc_copy(conn: &mut PgConnection, message: Uuid, cc: &[String], now: DateTime<Utc>) -> QueryResult<()> {
    if let Some((to, rest)) = cc.split_first() {
        copy_message(conn, message, to, Some(rest), Some(message), now)?;
    }
    Ok(())
}

fn copy_message(
    conn: &mut PgConnection,
    message: Uuid,
    to: &str,
    cc: Option<&[String]>,
    cc_copy_of: Option<Uuid>,
    now: DateTime<Utc>,
) -> QueryResult<Uuid> {
    let (kind, cc_then, from_name, subject, text, html, applicant): CopiedFields = outbox_messages::table
        .find(message)
        .select((
            outbox_messages::kind,
            outbox_messages::cc_addresses,
            outbox_messages::from_name,
            outbox_messages::subject,
            outbox_messages::body_text,
            outbox_messages::body_html,
            outbox_messages::applicant_id,
        ))
        .first(conn)?;
    let cc_now = cc.map_or(cc_then, <[String]>::to_vec);
    let id = crate::db::new_row_id();
    diesel::insert_into(outbox_messages::table)
        .values((
            outbox_messages::id.eq(id),
            outbox_messages::kind.eq(kind),
            outbox_messages::to_address.eq(to),
            outbox_messages::cc_addresses.eq(cc_now),
            outbox_messages::from_name.eq(from_name),
            outbox_messages::subject.eq(subject),
            outbox_messages::body_text.eq(text),
            outbox_messages::body_html.eq(html),
            outbox_messages::next_attempt_at.eq(now),
            outbox_messages::created_at.eq(now),
            outbox_messages::applicant_id.eq(applicant),
            outbox_messages::cc_copy_of.eq(cc_copy_of),
        ))
        .execute(conn)?;
    Ok(id)
}

type CopiedFields = (String, Vec<String>, String, String, String, String, Option<Uuid>);

/// Queues `email` from `from_name`, for callers that have read the
/// company's settings already.
pub fn queue_from(conn: &mut PgConnection, now: DateTime<Utc>, from_name: &str, email: Email) -> QueryResult<Uuid> {
    let id = crate::db::new_row_id();
    diesel::insert_into(outbox_messages::table)
        .values((
            outbox_messages::id.eq(id),
            outbox_messages::kind.eq(email.kind),
            outbox_messages::to_address.eq(email.to),
            outbox_messages::cc_addresses.eq(email.cc),
            outbox_messages::from_name.eq(from_name),
            outbox_messages::subject.eq(email.subject),
            outbox_messages::body_text.eq(email.text),
            outbox_messages::body_html.eq(email.html),
            outbox_messages::next_attempt_at.eq(now),
            outbox_messages::created_at.eq(now),
            outbox_messages::applicant_id.eq(email.applicant),
        ))
        .execute(conn)?;
    Ok(id)
}
