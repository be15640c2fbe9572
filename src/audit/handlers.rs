//! Audit log page.

use super::EventKind;
use super::pages::{AuditPage, EventView};
use super::queries::{EventFilter, actor_choices, list_events, subject_names};
use crate::auth::permissions::Permission;
use crate::db;
use crate::error::AppError;
use crate::web::forms::day_range;
use crate::web::{Ctx, FormErrors, Nav, render_status};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

const PAGE_SIZE: i64 = 50;

/// Actors who are not members, offered in the actor filter beside them:
/// what Veridesk did by itself, what applicants did through their link,
/// and what someone not signed in tried (a sign-in, a reset request).
pub const ACTOR_KINDS: [(&str, &str); 3] = [
    ("system", "Veridesk itself"),
    ("applicant", "Applicants"),
    ("visitor", "Visitors not signed in"),
];

/// The audit log's query string, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    before: String,
}

/// GET /audit
pub async fn audit_log(ctx: Ctx, query: web::Query<AuditQuery>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::AuditView)?;
    let q = query.into_inner();
    let mut errors = FormErrors::new();
    let mut filter = EventFilter::default();
    if let Some((kind, _)) = ACTOR_KINDS.iter().find(|(kind, _)| *kind == q.actor) {
        filter.actor_kind = Some(kind);
    } else if !q.actor.is_empty() {
        filter.actor = errors.check(
            "actor",
            q.actor
                .parse()
                .map_err(|_| "Choose a member from the list.".to_string()),
        );
    }
    if !q.kind.is_empty() {
        filter.kind = errors.check(
            "kind",
            EventKind::from_code(&q.kind)
                .map(|k| k.code().to_string())
                .ok_or_else(|| "Choose an event kind from the list.".to_string()),
        );
    }
    (filter.from, filter.until) = day_range(ctx.member.time_zone, &q.from, &q.to, &mut errors);
    if !q.before.is_empty() {
        filter.before = errors.check(
            "before",
            q.before
                .parse()
                .map_err(|_| "This page address could not be read; start again from the first page.".to_string()),
        );
    }
    let query_filter = filter.clone();
    // A filter that could not be read lists nothing: every event under it
    // would read as its result.
    let readable = errors.is_empty();
    let (rows, more, actors, names) = db::run(ctx.pool(), move |conn| {
        let (rows, more) = if readable {
            list_events(conn, &query_filter, PAGE_SIZE)?
        } else {
            (Vec::new(), false)
        };
        let names = subject_names(conn, &rows)?;
        Ok((rows, more, actor_choices(conn)?, names))
    })
    .await?;
    let next_page = if more {
        rows.last().map(|last| {
            let params = [
                ("actor", q.actor.as_str()),
                ("kind", q.kind.as_str()),
                ("from", q.from.as_str()),
                ("to", q.to.as_str()),
            ];
            let mut query: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params.iter().filter(|(_, v)| !v.is_empty()))
                .finish();
            if !query.is_empty() {
                query.push('&');
            }
            format!("/audit?{query}before={}", last.id)
        })
    } else {
        None
    };
    let events = rows
        .into_iter()
        .map(|row| EventView::from_row(row, &ctx.member).with_subject_name(&names))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AuditPage {
        chrome: ctx.chrome("Audit log", Nav::Audit),
        events,
        actors,
        actor_kinds: &ACTOR_KINDS,
        kinds: EventKind::ALL,
        actor: q.actor.clone(),
        kind: q.kind.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
        errors,
        next_page,
        first_page: !q.before.is_empty(),
    };
    render_status(status, &page)
}
