//! The dashboard every member lands on.

use crate::audit::queries::{EventFilter, list_events};
use crate::auth::permissions::Permission;
use crate::db;
use crate::db::schema::{applicants, members, outbox_messages};
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
    /// The officer's queue, for members who see applicants.
    pub queue: Vec<QueueCard>,
}

/// One count of applicants waiting on an officer, with the list view that
/// shows them.
pub struct QueueCard {
    pub count: String,
    pub label: &'static str,
    pub href: String,
}

/// Counts stop here: "999+" says enough, and a count never walks a
/// million rows on the page everyone lands on.
const QUEUE_CAP: i64 = 999;

/// The applicants matching `filter`, counted up to the cap.
fn capped_count(
    conn: &mut PgConnection,
    filter: Box<dyn BoxableExpression<applicants::table, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>>,
) -> QueryResult<String> {
    // An applicant scheduled for deletion waits on no one.
    let ids: Vec<uuid::Uuid> = applicants::table
        .filter(filter)
        .filter(applicants::deletion_scheduled_at.is_null())
        .select(applicants::id)
        .limit(QUEUE_CAP + 1)
        .load(conn)?;
    let n = ids.len() as i64;
    Ok(if n > QUEUE_CAP {
        format!("{QUEUE_CAP}+")
    } else {
        n.to_string()
    })
}

/// What waits on an officer: cases to decide, cases a check flagged, and
/// the cases they review.
fn queue(conn: &mut PgConnection, me: uuid::Uuid, reviews: bool) -> QueryResult<Vec<QueueCard>> {
    use crate::applicants::models::Status;
    let mut cards = Vec::new();
    for (status, label) in [
        (Status::Completed, "waiting for a decision"),
        (Status::OnHold, "on hold"),
        (Status::InReview, "in review"),
    ] {
        cards.push(QueueCard {
            count: capped_count(conn, Box::new(applicants::status.eq(status.code())))?,
            label,
            href: format!("/applicants?status={}", status.code()),
        });
    }
    if !reviews {
        return Ok(cards);
    }
    cards.push(QueueCard {
        count: capped_count(
            conn,
            Box::new(
                applicants::reviewer_id
                    .eq(me)
                    .assume_not_null()
                    .and(applicants::status.eq(Status::InReview.code())),
            ),
        )?,
        label: "in review by you",
        href: format!("/applicants?reviewer={me}&status={}", Status::InReview.code()),
    });
    Ok(cards)
}

async fn dashboard(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let can_audit = ctx.can(Permission::AuditView);
    let sees_applicants = ctx.can(Permission::ApplicantsView);
    let me = ctx.member.id.0;
    let reviews = ctx.can(Permission::ApplicantsReview);
    let (counts, outbox, events, queue, names) = db::run(ctx.pool(), move |conn| {
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
        let names: std::collections::BTreeMap<uuid::Uuid, String> = if can_audit {
            members::table
                .select((members::id, members::name))
                .load(conn)?
                .into_iter()
                .collect()
        } else {
            Default::default()
        };
        let queue = if sees_applicants {
            queue(conn, me, reviews)?
        } else {
            Vec::new()
        };
        Ok((counts, outbox, events, queue, names))
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
            .map(|e| crate::audit::pages_export::EventView::from_row(e, &ctx.member).by_name(&names))
            .collect(),
        can_team: ctx.can(Permission::TeamView),
        can_audit,
        can_outbox: ctx.can(Permission::OutboxView),
        queue,
        chrome: ctx.chrome("Dashboard", Nav::Home),
    };
    render(&page)
}
