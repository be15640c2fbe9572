//! The applicant profile: header with decision buttons, flow tracker with
//! step results and link status, review, comments, timeline, deletion.

use super::models::{Applicant, KINDS, LANGUAGES, Status};
use super::pages::LinkRow;
use super::queries;
use crate::audit::pages_export::EventView;
use crate::auth::permissions::Permission;
use crate::db;
use crate::db::schema::{events, members, reviews};
use crate::error::AppError;
use crate::flows::definition::{FlowDefinition, StepKind};
use crate::verifications::links::{self, status as link_status};
use crate::verifications::queries as verifications;
use crate::web::{Chrome, Ctx, FormErrors, Nav, render_status};
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

/// How long a scheduled deletion waits before the purge.
pub const DELETION_GRACE_DAYS: i64 = 20;

/// When the personal data of an applicant scheduled for deletion at
/// `scheduled` is purged.
pub fn purge_time(scheduled: DateTime<Utc>) -> DateTime<Utc> {
    scheduled + chrono::Duration::days(DELETION_GRACE_DAYS)
}

/// Reasons an officer can give for a rejection.
pub const REJECTION_REASONS: [(&str, &str); 7] = [
    ("document_unreadable", "Document unreadable"),
    ("document_expired", "Document expired"),
    ("face_mismatch", "Face does not match"),
    ("suspected_fraud", "Suspected fraud"),
    ("sanctions_match", "Sanctions or PEP match"),
    ("incomplete_information", "Incomplete information"),
    ("other", "Other"),
];

/// A rejection reason's label; an unknown key reads as itself.
pub fn reason_label(key: &str) -> &str {
    REJECTION_REASONS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, label)| label)
}

/// Every form on the profile, as typed (each action reads its own
/// fields). When an action is refused or loses a race the page is shown
/// again with this, so nothing typed is lost.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct ProfileForm {
    #[serde(default)]
    pub lock_version: String,
    #[serde(default)]
    pub flow_id: String,
    /// The reviewer chosen: absent when another form was sent, empty for
    /// "Nobody", so a page shown again selects what the officer chose.
    #[serde(default)]
    pub reviewer_id: Option<String>,
    #[serde(default)]
    pub send_email: Option<String>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub rejection_type: String,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub comment_applicant: String,
    #[serde(default)]
    pub comment_internal: String,
    /// The approval's internal note (its own field: the reject form on the
    /// same page has an internal comment too).
    #[serde(default)]
    pub approve_note: String,
    #[serde(default)]
    pub retry_steps: Vec<String>,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub resolve_comment: String,
    /// The step result whose "resolve by hand" form was sent (from the
    /// path, never the body): a page shown again opens that step alone
    /// with what was typed.
    #[serde(skip)]
    pub resolving: Option<Uuid>,
}

impl ProfileForm {
    /// Whether reason `key` is ticked.
    pub fn has_reason(&self, key: &&str) -> bool {
        self.reasons.iter().any(|r| r == key)
    }

    /// Whether step `key` is ticked for a retry.
    pub fn has_retry_step(&self, key: &str) -> bool {
        self.retry_steps.iter().any(|r| r == key)
    }
}

/// One step of the tracker.
pub struct StepRow {
    pub step_key: &'static str,
    pub label: &'static str,
    pub result_id: String,
    pub status: String,
    pub badge: &'static str,
    pub started: String,
    pub completed: String,
    pub comment: String,
    /// What a check found for the officer to look at (empty when nothing).
    pub findings: String,
    /// Whether there is a result to move to the history (the step has started).
    pub can_deactivate: bool,
    /// Whether an officer may settle the step by hand: not when it is settled
    /// so already, whose reason a second resolve would silently replace.
    pub can_resolve: bool,
    /// Offered among a retry's steps: those the applicant does again (see
    /// `StepKind::can_be_redone`) and the checks that run again on what
    /// they give.
    pub retry_choice: bool,
    /// The applicant does this step (a retry must name at least one such).
    pub applicant_does: bool,
    /// Earlier results of this step: (id, status, when it was moved to history).
    pub history: Vec<(String, String, String)>,
}

/// The current verification as the tracker shows it.
pub struct Tracker {
    pub flow_name: String,
    pub version: i32,
    pub steps: Vec<StepRow>,
    /// Set when the flow is not for the applicant's type (their type was
    /// edited since): what to do about it.
    pub wrong_type: Option<String>,
}

/// A decision, as listed.
pub struct ReviewRow {
    pub decision: String,
    pub by: String,
    pub at: String,
    pub reasons: String,
    pub comment_applicant: String,
    pub comment_internal: String,
}

/// GET /applicants/{id}
#[derive(Template)]
#[template(path = "admin/applicants/show.html")]
pub struct ShowPage {
    pub chrome: Chrome,
    pub id: String,
    pub kind: &'static str,
    pub external_user_id: String,
    pub status_code: &'static str,
    pub status: &'static str,
    pub status_badge: &'static str,
    pub reviewer: String,
    pub reviewer_id: String,
    pub details: Vec<(&'static str, String)>,
    pub supplied_info: Vec<(String, String)>,
    pub flow: String,
    pub timeline: Vec<EventView>,
    /// Where the older events are, when the page does not show them all.
    pub timeline_older: String,
    pub comments: Vec<EventView>,
    pub reviews: Vec<ReviewRow>,
    pub links: Vec<LinkRow>,
    pub tracker: Option<Tracker>,
    /// The current flow is for the applicant's type (see [`Tracker::wrong_type`]):
    /// links may go out on it.
    pub flow_fits: bool,
    pub lock_version: i32,
    pub members: Vec<(String, String)>,
    pub regular_flows: Vec<(String, String)>,
    pub on_demand_flows: Vec<(String, String)>,
    pub reasons: &'static [(&'static str, &'static str)],
    pub typed: ProfileForm,
    pub notice: Option<String>,
    /// Messages next to the fields of the form that was refused.
    pub errors: FormErrors,
    /// The step result whose "resolve by hand" form was refused, opened.
    pub resolving: String,
    pub deletion_at: Option<String>,
    /// The purge's day has passed and it has not run (it is retried every
    /// ten minutes; a failure is in the server's log): too late to restore.
    pub deletion_overdue: bool,
    pub purged: bool,
    /// Rejected as final: only a reset reopens the case.
    pub final_rejection: bool,
    /// Neither purged nor scheduled for deletion: its parts can be settled.
    pub case_active: bool,
    /// Active and not rejected as final: links can be sent and decisions made.
    pub open_case: bool,
    /// Open and not approved: the verification itself may still change
    /// (restart, change flow, settle step results).
    pub undecided: bool,
    pub can_send_links: bool,
    pub can_review: bool,
    pub can_delete: bool,
    pub can_edit: bool,
    /// Where a failed link email goes when sent again.
    pub applicant_email: String,
    /// Why Approve would be refused now (empty when it would not): said
    /// next to a disabled button rather than after a click.
    pub approve_blocker: String,
}

/// A step result's status in words, as applicant statuses are shown.
pub fn result_label(status: &str) -> &'static str {
    match status {
        "NOT_STARTED" => "Not started",
        "OPEN" => "Open",
        "PASSED" => "Passed",
        "FAILED" => "Failed",
        "NEEDS_REVIEW" => "Needs review",
        "RESOLVED" => "Resolved by hand",
        _ => "Unknown",
    }
}

fn result_badge(status: &str) -> &'static str {
    match status {
        "PASSED" | "RESOLVED" => "badge-active",
        "FAILED" => "badge-failed",
        "NEEDS_REVIEW" => "badge-warning",
        "OPEN" => "badge-queued",
        _ => "badge-deactivated",
    }
}

fn kind_label(kind: &str) -> &'static str {
    KINDS.iter().find(|(k, _)| *k == kind).map_or("", |(_, l)| l)
}

/// A decision as stored: decision, rejection type, reasons, comment for
/// the applicant, internal comment, member, time.
type StoredReview = (
    String,
    Option<String>,
    Vec<String>,
    Option<String>,
    Option<String>,
    Option<Uuid>,
    DateTime<Utc>,
);

struct Loaded {
    applicant: Applicant,
    flow: Option<String>,
    reviewer: Option<String>,
    timeline: (Vec<crate::audit::queries::EventRow>, bool),
    comments: Vec<crate::audit::queries::EventRow>,
    links: Vec<verifications::LinkWithEmail>,
    tracker: Option<(String, i32, FlowDefinition, Vec<verifications::StepResult>)>,
    members: Vec<(Uuid, String)>,
    /// Every member's id and name, for the authors of reviews and comments.
    authors: Vec<(Uuid, String)>,
    final_rejection: bool,
    reviews: Vec<StoredReview>,
    regular: Vec<verifications::PublishedFlow>,
    on_demand: Vec<verifications::PublishedFlow>,
}

fn load(conn: &mut PgConnection, id: Uuid) -> Result<Loaded, AppError> {
    let (applicant, flow, reviewer) = queries::find(conn, id)?;
    let tracker = match applicant.current_verification_id {
        Some(v) => {
            let verification = verifications::find_verification(conn, v)?;
            let (name, number, def) = verifications::version_definition(conn, verification.flow_version_id)?;
            Some((name, number, def, verifications::results_of(conn, v)?))
        }
        None => None,
    };
    let reviews = reviews::table
        .filter(reviews::applicant_id.eq(id))
        .order(reviews::created_at.desc())
        .select((
            reviews::decision,
            reviews::rejection_type,
            reviews::reasons,
            reviews::comment_applicant,
            reviews::comment_internal,
            reviews::member_id,
            reviews::created_at,
        ))
        .load(conn)?;
    Ok(Loaded {
        timeline: queries::timeline(conn, id, None, None, TIMELINE_PAGE)?,
        comments: queries::timeline(
            conn,
            id,
            None,
            Some(crate::audit::EventKind::ApplicantCommented.code()),
            500,
        )?
        .0,
        links: verifications::links_of(conn, id)?,
        members: queries::reviewers(conn)?,
        authors: {
            use crate::db::schema::members;
            members::table.select((members::id, members::name)).load(conn)?
        },
        final_rejection: queries::rejected_as_final(conn, &applicant)?,
        regular: verifications::flow_choices(conn, "regular")?,
        on_demand: verifications::flow_choices(conn, "on_demand")?,
        tracker,
        reviews,
        applicant,
        flow,
        reviewer,
    })
}

/// Renders the profile, with what the officer typed and a notice.
pub async fn profile_page(
    ctx: &Ctx,
    id: Uuid,
    typed: ProfileForm,
    notice: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    render_profile(ctx, id, typed, notice, FormErrors::new(), status).await
}

/// Renders the profile for a form whose input was refused (422): the
/// messages next to their fields, everything typed kept.
pub async fn invalid_profile_page(
    ctx: &Ctx,
    id: Uuid,
    typed: ProfileForm,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsView)?;
    let notice = Some(String::from(if errors.len() > 1 {
        "Nothing was changed: see the messages by the fields below."
    } else {
        "Nothing was changed: see the message by the field below."
    }));
    render_profile(ctx, id, typed, notice, errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

async fn render_profile(
    ctx: &Ctx,
    id: Uuid,
    typed: ProfileForm,
    notice: Option<String>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let l = db::run(ctx.pool(), move |conn| load(conn, id)).await?;
    let resolving = typed.resolving;
    let now = ctx.now();
    let a = &l.applicant;
    let current_status = Status::from_code(&a.status).unwrap_or(Status::Init);
    let language = LANGUAGES
        .iter()
        .find(|(k, _)| *k == a.language)
        .map_or(a.language.clone(), |(_, n)| n.to_string());
    let mut details = vec![
        ("Type", kind_label(&a.kind).to_string()),
        ("Email", a.email.clone().unwrap_or_default()),
        ("Phone", a.phone.clone().unwrap_or_default()),
        ("Language", language),
    ];
    if let Some(d) = a.date_of_birth {
        details.push(("Date of birth", d.to_string()));
    }
    if let Some(c) = &a.country {
        details.push((
            "Country",
            crate::domain::country_name(c).map_or(c.clone(), str::to_string),
        ));
    }
    details.push(("Created", ctx.member.format_time(a.created_at)));
    let supplied_info = match &a.supplied_info {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), str::to_string)))
            .collect(),
        _ => Vec::new(),
    };
    let links = l
        .links
        .iter()
        .map(|x| {
            let current = x.link.status_at(now);
            let (label, badge) = links::describe(current);
            let session = match (x.link.first_opened_at, x.link.session_ends_at) {
                (Some(_), Some(end)) if current == link_status::OPENED => {
                    format!(
                        "{} min left (ends {})",
                        (end - now).num_minutes().max(0),
                        ctx.member.format_time(end)
                    )
                }
                (Some(first), _) => format!("opened {}", ctx.member.format_time(first)),
                _ => format!("{} min from the applicant's start", x.link.session_minutes),
            };
            let (email, email_status, email_error) = match &x.email {
                Some((to, status, attempts, error)) => (
                    to.clone(),
                    match status.as_str() {
                        "retrying" => format!("retrying (attempt {attempts})"),
                        "failed" if *attempts == 1 => "failed after 1 attempt".to_string(),
                        "failed" => format!("failed after {attempts} attempts"),
                        other => other.to_string(),
                    },
                    error.clone().unwrap_or_default(),
                ),
                None => (String::new(), String::new(), String::new()),
            };
            // Failed, or waiting for or delivered to an address corrected since.
            let can_send_again = matches!(current, link_status::ACTIVE | link_status::OPENED)
                && x.email.as_ref().is_some_and(|(to, status, _, _)| {
                    status == "failed"
                        || (matches!(status.as_str(), "queued" | "retrying" | "sent")
                            && a.email.as_deref().is_some_and(|now| now != to))
                });
            let sends_new_link = can_send_again && x.email.as_ref().is_some_and(|(_, status, _, _)| status == "sent");
            LinkRow {
                id: x.link.id.to_string(),
                can_send_again,
                sends_new_link,
                flow: x.flow_name.clone(),
                kind: x.verification_kind.clone(),
                status: label,
                badge,
                why: if current == link_status::REVOKED {
                    x.link.revoked_reason.clone().unwrap_or_default()
                } else {
                    String::new()
                },
                created: ctx.member.format_time(x.link.created_at),
                expires: ctx.member.format_time(x.link.expires_at),
                session,
                opens: x.link.open_count,
                email,
                email_status,
                email_error,
            }
        })
        .collect();
    let tracker = l.tracker.as_ref().map(|(name, version, def, results)| Tracker {
        flow_name: name.clone(),
        version: *version,
        // Their type was edited since they were put on the flow.
        wrong_type: def
            .settings
            .audience
            .misfit(name, &a.kind)
            .map(|misfit| format!("{misfit} Change the flow before sending a new link.")),
        steps: def
            .steps
            .iter()
            .map(|step| {
                let kind: StepKind = step.config.kind();
                let mine: Vec<&verifications::StepResult> = results.iter().filter(|r| r.step_id == step.id).collect();
                let active = mine.iter().find(|r| r.active);
                StepRow {
                    step_key: kind.key(),
                    label: kind.label(),
                    result_id: active.map(|r| r.id.to_string()).unwrap_or_default(),
                    status: result_label(active.map_or("NOT_STARTED", |r| r.status.as_str())).to_string(),
                    can_deactivate: active.is_some_and(|r| r.status != "NOT_STARTED"),
                    can_resolve: active.is_some_and(|r| r.status != "RESOLVED"),
                    retry_choice: kind.can_be_retried(),
                    applicant_does: kind.can_be_redone(),
                    badge: result_badge(active.map_or("NOT_STARTED", |r| r.status.as_str())),
                    started: active
                        .and_then(|r| r.started_at)
                        .map(|t| ctx.member.format_time(t))
                        .unwrap_or_default(),
                    completed: active
                        .and_then(|r| r.completed_at)
                        .map(|t| ctx.member.format_time(t))
                        .unwrap_or_default(),
                    comment: active.and_then(|r| r.comment.clone()).unwrap_or_default(),
                    findings: active.and_then(|r| r.findings()).unwrap_or_default().to_string(),
                    history: mine
                        .iter()
                        .filter(|r| !r.active)
                        .map(|r| {
                            (
                                r.id.to_string(),
                                result_label(&r.status).to_string(),
                                r.deactivated_at.map(|t| ctx.member.format_time(t)).unwrap_or_default(),
                            )
                        })
                        .collect(),
                }
            })
            .collect(),
    });
    let names: std::collections::BTreeMap<Uuid, String> = l.authors.iter().cloned().collect();
    let reviews = l
        .reviews
        .iter()
        .map(
            |(decision, rejection_type, reasons, applicant_comment, internal, member, at)| ReviewRow {
                decision: match rejection_type {
                    Some(t) => format!("{decision} ({t})"),
                    None => decision.clone(),
                },
                by: member.and_then(|m| names.get(&m).cloned()).unwrap_or_default(),
                at: ctx.member.format_time(*at),
                reasons: reasons.iter().map(|r| reason_label(r)).collect::<Vec<_>>().join(", "),
                comment_applicant: applicant_comment.clone().unwrap_or_default(),
                comment_internal: internal.clone().unwrap_or_default(),
            },
        )
        .collect();
    let (timeline, more) = l.timeline;
    let timeline_older = older_events(a.id, &timeline, more);
    let purge_at = a.deletion_scheduled_at.map(purge_time);
    let deletion_at = purge_at.map(|t| ctx.member.format_time(t));
    let deletion_overdue = a.purged_at.is_none() && purge_at.is_some_and(|t| t <= ctx.now());
    let purged = a.purged_at.is_some();
    let case_active = !purged && a.deletion_scheduled_at.is_none();
    let page = ShowPage {
        chrome: ctx.chrome(a.name.clone(), Nav::Applicants),
        id: a.id.to_string(),
        kind: kind_label(&a.kind),
        external_user_id: a.external_user_id.clone(),
        status_code: current_status.code(),
        status: current_status.label(),
        status_badge: current_status.badge(),
        // As the reviewer choice names them (told apart from a namesake).
        reviewer: l
            .members
            .iter()
            .find(|(m, _)| Some(*m) == a.reviewer_id)
            .map(|(_, label)| label.clone())
            .or_else(|| l.reviewer.clone())
            .unwrap_or_default(),
        reviewer_id: typed
            .reviewer_id
            .clone()
            .unwrap_or_else(|| a.reviewer_id.map(|r| r.to_string()).unwrap_or_default()),
        details,
        supplied_info,
        flow: l.flow.clone().unwrap_or_default(),
        timeline: timeline
            .into_iter()
            .map(|e| EventView::from_row(e, &ctx.member).by_name(&names))
            .collect(),
        timeline_older,
        comments: l
            .comments
            .into_iter()
            .map(|e| EventView::from_row(e, &ctx.member).by_name(&names))
            .collect(),
        reviews,
        links,
        flow_fits: tracker.as_ref().is_none_or(|t| t.wrong_type.is_none()),
        tracker,
        lock_version: a.lock_version,
        applicant_email: a.email.clone().unwrap_or_default(),
        members: l.members.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(),
        // Only the flows for the applicant's type (a person, a company).
        regular_flows: l
            .regular
            .iter()
            .filter(|f| Some(f.id) != a.flow_id && f.audience.admits(&a.kind))
            .map(|f| (f.id.to_string(), f.name.clone()))
            .collect(),
        on_demand_flows: l
            .on_demand
            .iter()
            .filter(|f| f.audience.admits(&a.kind))
            .map(|f| (f.id.to_string(), f.name.clone()))
            .collect(),
        reasons: &REJECTION_REASONS,
        typed,
        notice,
        errors,
        resolving: resolving.map(|r| r.to_string()).unwrap_or_default(),
        deletion_at,
        deletion_overdue,
        purged,
        final_rejection: l.final_rejection,
        case_active,
        open_case: case_active && !l.final_rejection,
        undecided: case_active && !l.final_rejection && current_status != Status::Approved,
        can_send_links: ctx.can(Permission::ApplicantsSendLinks),
        can_review: ctx.can(Permission::ApplicantsReview),
        can_delete: ctx.can(Permission::ApplicantsDelete),
        approve_blocker: super::actions::approval_blocker(l.tracker.as_ref().map(|t| t.3.as_slice()), "Approval waits")
            .unwrap_or_default(),
        can_edit: ctx.can(Permission::ApplicantsCreate),
    };
    render_status(status, &page)
}

/// GET /applicants/{id}
pub async fn show_applicant(ctx: Ctx, path: actix_web::web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsView)?;
    let id = crate::web::parse_id(&path)?;
    profile_page(&ctx, id, ProfileForm::default(), None, StatusCode::OK).await
}

/// Events per page of the timeline.
const TIMELINE_PAGE: i64 = 100;

/// The older events of an applicant's timeline.
#[derive(Template)]
#[template(path = "admin/applicants/timeline.html")]
pub struct TimelinePage {
    pub chrome: Chrome,
    pub id: String,
    pub name: String,
    pub heading: &'static str,
    pub timeline: Vec<EventView>,
    pub older: String,
}

/// `?before=` on the timeline page: an event number; anything else starts
/// from the newest event.
#[derive(Deserialize)]
pub struct TimelineQuery {
    #[serde(default)]
    before: String,
}

/// GET /applicants/{id}/timeline?before=N: the timeline, a page at a time,
/// past what the profile shows.
pub async fn show_timeline(
    ctx: Ctx,
    path: actix_web::web::Path<String>,
    query: actix_web::web::Query<TimelineQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsView)?;
    let id = crate::web::parse_id(&path)?;
    let before: Option<i64> = query.before.trim().parse().ok();
    let ((applicant, _, _), (events, more), names) = db::run(ctx.pool(), move |conn| {
        use crate::db::schema::members;
        Ok((
            queries::find(conn, id)?,
            queries::timeline(conn, id, before, None, TIMELINE_PAGE)?,
            members::table
                .select((members::id, members::name))
                .load::<(Uuid, String)>(conn)?
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        ))
    })
    .await?;
    let older = older_events(id, &events, more);
    render_status(
        StatusCode::OK,
        &TimelinePage {
            chrome: ctx.chrome(format!("Timeline · {}", applicant.name), Nav::Applicants),
            id: id.to_string(),
            name: applicant.name,
            heading: if before.is_some() { "Older events" } else { "Timeline" },
            timeline: events
                .into_iter()
                .map(|e| EventView::from_row(e, &ctx.member).by_name(&names))
                .collect(),
            older,
        },
    )
}

/// The link to the events before `page`, when `more` follow; empty otherwise.
fn older_events(id: Uuid, page: &[crate::audit::queries::EventRow], more: bool) -> String {
    match (more, page.last()) {
        (true, Some(last)) => format!("/applicants/{id}/timeline?before={}", last.id),
        _ => String::new(),
    }
}

/// Says who changed the applicant last, and how, since a form was shown:
/// "This applicant was changed by Ana Lima meanwhile. Last change: approved.", a
/// sentence the caller follows with what became of the form. When it
/// was `me`, the form was most likely sent twice (a reload of a page that
/// answered a form, a second tab), and the message says so rather than
/// blame someone else.
pub fn changed_meanwhile(conn: &mut PgConnection, id: Uuid, me: Uuid) -> QueryResult<String> {
    let last: Option<(Option<Uuid>, String, String)> = events::table
        .filter(events::subject_type.eq("applicant"))
        .filter(events::subject_id.eq(id.to_string()))
        .filter(events::actor_kind.eq("member"))
        .order(events::id.desc())
        .select((events::actor_member_id, events::actor_label, events::kind))
        .first(conn)
        .optional()?;
    let Some((member, label, kind)) = last else {
        return Ok("This applicant was changed by someone else meanwhile.".into());
    };
    let what = crate::audit::EventKind::from_code(&kind).map_or(kind.clone(), |k| k.label().to_lowercase());
    if member == Some(me) {
        return Ok(format!(
            "You changed this applicant after this form was shown (in another tab, or by sending a form again with a reload). Last change: {what}."
        ));
    }
    let name = match member {
        Some(m) => members::table
            .find(m)
            .select(members::name)
            .first::<String>(conn)
            .optional()?
            .unwrap_or(label),
        None => label,
    };
    // The change in a sentence of its own: an event's label may hold
    // brackets, and the caller's sentence follows.
    Ok(format!(
        "This applicant was changed by {name} meanwhile. Last change: {what}."
    ))
}
