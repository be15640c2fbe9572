//! Outbox and development mailbox pages.

use super::pages::{MessageView, OutboxListPage, OutboxMessagePage};
use super::queries::{find_message, list_messages};
use crate::auth::permissions::Permission;
use crate::db;
use crate::error::AppError;
use crate::web::{Ctx, Nav, render};
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

const PAGE_SIZE: i64 = 50;
const STATUSES: [&str; 5] = ["queued", "retrying", "sent", "failed", "cancelled"];

/// Filters of the outbox list, as typed.
#[derive(Deserialize)]
pub struct OutboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    before: String,
}

/// GET /outbox
pub async fn outbox_list(ctx: Ctx, query: web::Query<OutboxQuery>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::OutboxView)?;
    let q = query.into_inner();
    let status = STATUSES.iter().find(|s| **s == q.status).copied();
    let before = q.before.split_once('_').and_then(|(at, id)| {
        let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
        Some((at, id.parse::<Uuid>().ok()?))
    });
    let rows = db::run(ctx.pool(), move |conn| {
        Ok(list_messages(conn, status, before, PAGE_SIZE)?)
    })
    .await?;
    let next_page = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last())
        .flatten()
        .map(|last| {
            let cursor = format!(
                "{}_{}",
                last.created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                last.id
            );
            format!(
                "/outbox?status={}&before={}",
                status.unwrap_or_default(),
                url::form_urlencoded::byte_serialize(cursor.as_bytes()).collect::<String>()
            )
        });
    let page = OutboxListPage {
        mailbox_mode: ctx.state().settings.smtp_url.is_none(),
        messages: rows.into_iter().map(|m| MessageView::new(m, &ctx.member)).collect(),
        statuses: &STATUSES,
        status: status.unwrap_or_default().to_string(),
        next_page,
        chrome: ctx.chrome("Email outbox", Nav::Outbox),
    };
    render(&page)
}

/// GET /outbox/{id}
pub async fn outbox_message(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::OutboxView)?;
    let id = crate::web::parse_id(&path)?;
    let ((mut message, attempts), carries_a_link) = db::run(ctx.pool(), move |conn| {
        use crate::db::schema::session_links;
        use diesel::prelude::*;
        // Whether a link still counts on this email (not on a copy sent
        // since, nor replaced).
        let carries: bool = diesel::select(diesel::dsl::exists(
            session_links::table.filter(session_links::email_message_id.eq(id)),
        ))
        .get_result(conn)?;
        Ok((find_message(conn, id)?, carries))
    })
    .await?;
    // Links that carry a secret for the recipient (invitations, password
    // resets, verification links) are not shown to whoever reads the
    // outbox: an admin must not be able to take over another account, nor
    // open an applicant's link and start its clock. The development mailbox
    // (no mail server) is where such links are read, so there an Owner, who
    // may do anything anyway, sees them; a role given only "view the
    // outbox" must not turn into a way to reset the Owner's password.
    let secret = matches!(
        message.kind.as_str(),
        "invitation" | "password_reset" | crate::verifications::LINK_EMAIL_KIND
    );
    let mailbox = ctx.state().settings.smtp_url.is_none();
    let redacted = secret && !(mailbox && ctx.member.is_owner());
    if redacted {
        message.body_text = redact_secret_links(&message.body_text);
    }
    let links = if redacted {
        Vec::new()
    } else {
        extract_links(&message.body_text)
    };
    let attempts = attempts
        .into_iter()
        .map(|a| (ctx.member.format_time(a.attempted_at), a.error.unwrap_or_default()))
        .collect();
    let page = OutboxMessagePage {
        owner_only: redacted && mailbox,
        can_send_again: carries_a_link && message.status == "failed",
        links,
        attempts,
        message: MessageView::new(message, &ctx.member),
        chrome: ctx.chrome("Email", Nav::Outbox),
    };
    render(&page)
}

/// Replaces the tokens of links that sign someone in, accept an invitation
/// or open a verification with a note; the rest of the text, other links
/// included, stays as written. A token is the run of URL-safe characters
/// after the path, at least 20 long, as `mark_sent` finds them.
fn redact_secret_links(text: &str) -> String {
    const PATHS: [&str; 3] = ["/invitations/", "/reset-password/", "/v/"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, path)) = PATHS
        .iter()
        .filter_map(|p| rest.find(p).map(|at| (at, *p)))
        .min_by_key(|(at, _)| *at)
    {
        let after = at + path.len();
        let token = rest[after..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len() - after);
        out.push_str(&rest[..after]);
        if token >= 20 {
            out.push_str("[hidden: only the recipient can use it]");
        } else {
            out.push_str(&rest[after..after + token]);
        }
        rest = &rest[after + token..];
    }
    out.push_str(rest);
    out
}

/// The http(s) links in a plain-text body, so the development mailbox can
/// offer them as clickable links without rendering the email's HTML.
fn extract_links(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(|w| w.trim_end_matches(['.', ',', ')', '>']).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hides_secret_links() {
        let (a, b, c) = ("a".repeat(43), "b-_9".repeat(11), "C".repeat(43));
        let text = format!(
            "Accept: http://x.test/invitations/{a}\nOr http://x.test/reset-password/{b} now\nhttp://x.test/v/{c}."
        );
        let hidden = super::redact_secret_links(&text);
        assert!(!hidden.contains(&a) && !hidden.contains(&b) && !hidden.contains(&c));
        assert_eq!(
            hidden,
            "Accept: http://x.test/invitations/[hidden: only the recipient can use it]\n\
             Or http://x.test/reset-password/[hidden: only the recipient can use it] now\n\
             http://x.test/v/[hidden: only the recipient can use it]."
        );
    }

    #[test]
    fn leaves_other_text_and_removed_tokens_alone() {
        let text = "See https://example.test/v/intro and http://x.test/v/[token removed] ok";
        assert_eq!(super::redact_secret_links(text), text);
    }

    #[test]
    fn finds_links() {
        let links = super::extract_links("Open http://x.test/a?b=1. Or https://y.test/c,\nnot ftp://z");
        assert_eq!(links, vec!["http://x.test/a?b=1", "https://y.test/c"]);
    }
}
