//! Audit log page.

use super::EventKind;
use super::pages::{AuditPage, EventView};
use super::queries::{EventFilter, actor_choices, list_events};
use crate::auth::permissions::Permission;
use crate::db;
use crate::error::AppError;
use crate::web::{Ctx, FormErrors, Nav, render};
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, TimeZone};
use serde::Deserialize;

const PAGE_SIZE: i64 = 50;

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

fn parse_day(
    ctx: &Ctx,
    raw: &str,
    errors: &mut FormErrors,
    field: &'static str,
) -> Option<chrono::DateTime<chrono::Utc>> {
    if raw.trim().is_empty() {
        return None;
    }
    let day = errors.check(
        field,
        NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| (1900..=9999).contains(&chrono::Datelike::year(d)))
            .ok_or_else(|| format!("“{raw}” is not a date like 2026-11-22.")),
    )?;
    let midnight = day.and_hms_opt(0, 0, 0)?;
    ctx.member
        .time_zone
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// GET /audit
pub async fn audit_log(ctx: Ctx, query: web::Query<AuditQuery>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::AuditView)?;
    let q = query.into_inner();
    let mut errors = FormErrors::new();
    let mut filter = EventFilter::default();
    if !q.actor.is_empty() {
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
    filter.from = parse_day(&ctx, &q.from, &mut errors, "from");
    filter.until =
        parse_day(&ctx, &q.to, &mut errors, "to").and_then(|d| d.checked_add_signed(chrono::Duration::days(1)));
    if !q.before.is_empty() {
        filter.before = errors.check("before", q.before.parse().map_err(|_| "Invalid page.".to_string()));
    }
    let query_filter = filter.clone();
    let (rows, more, actors) = db::run(ctx.pool(), move |conn| {
        let (rows, more) = list_events(conn, &query_filter, PAGE_SIZE)?;
        Ok((rows, more, actor_choices(conn)?))
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
        .map(|row| EventView::from_row(row, &ctx.member))
        .collect();
    let page = AuditPage {
        chrome: ctx.chrome("Audit log", Nav::Audit),
        events,
        actors,
        kinds: EventKind::ALL,
        actor: q.actor.clone(),
        kind: q.kind.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
        errors,
        next_page,
        first_page: !q.before.is_empty(),
    };
    render(&page)
}
