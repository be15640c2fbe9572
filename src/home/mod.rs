//! The dashboard every member lands on.

use crate::audit::queries::{EventFilter, list_events};
use crate::auth::permissions::Permission;
use crate::db;
use crate::db::schema::{members, outbox_messages};
use crate::error::AppError;
use crate::web::{Chrome, Ctx, Nav, render};
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

/// Mounts the dashboard.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(dashboard));
}

/// GET /
#[derive(Template)]
#[template(path = "admin/home/dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub first_name: String,
    pub active_members: i64,
    pub invited_members: i64,
    pub emails_waiting: i64,
    pub emails_failed: i64,
    pub recent: Vec<crate::audit::pages_export::EventView>,
    pub can_team: bool,
    pub can_audit: bool,
    pub can_outbox: bool,
}

async fn dashboard(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let can_audit = ctx.can(Permission::AuditView);
    let (counts, outbox, events) = db::run(ctx.pool(), move |conn| {
        let counts: Vec<(String, i64)> = members::table
            .group_by(members::status)
            .select((members::status, diesel::dsl::count_star()))
            .load(conn)?;
        let outbox: Vec<(String, i64)> = outbox_messages::table
            .filter(outbox_messages::status.ne_all(["sent", "cancelled"]))
            .group_by(outbox_messages::status)
            .select((outbox_messages::status, diesel::dsl::count_star()))
            .load(conn)?;
        let events = if can_audit {
            list_events(conn, &EventFilter::default(), 8)?.0
        } else {
            Vec::new()
        };
        Ok((counts, outbox, events))
    })
    .await?;
    let count = |rows: &[(String, i64)], key: &str| rows.iter().filter(|(k, _)| k == key).map(|(_, n)| *n).sum::<i64>();
    let page = DashboardPage {
        first_name: ctx
            .member
            .name
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string(),
        active_members: count(&counts, "active"),
        invited_members: count(&counts, "invited"),
        emails_waiting: count(&outbox, "queued") + count(&outbox, "retrying"),
        emails_failed: count(&outbox, "failed"),
        recent: events
            .into_iter()
            .map(|e| crate::audit::pages_export::EventView::from_row(e, &ctx.member))
            .collect(),
        can_team: ctx.can(Permission::TeamView),
        can_audit,
        can_outbox: ctx.can(Permission::OutboxView),
        chrome: ctx.chrome("Dashboard", Nav::Home),
    };
    render(&page)
}
