//! Applicant handlers: list, create, profile.

use super::forms::ApplicantForm;
use super::models::{KINDS, LANGUAGES, Status, normalise_search};
use super::pages::{IdText, ListPage, NewPage, Row};
use super::queries::{self, Cursor, ListFilter, Sort};
use super::search::MIN_TERM_CHARS;
use crate::audit::{self, EventKind};
use crate::auth::permissions::Permission;
use crate::db;
use crate::error::AppError;
use crate::flows::definition::Audience;
use crate::web::forms::day_range;
use crate::web::{CsrfForm, Ctx, FlashKind, FormErrors, Nav, redirect, render_status};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

const PAGE_SIZE: u32 = 50;

/// The list's query string, as typed. The URL holds the whole view, so it
/// can be bookmarked and shared.
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    flow: String,
    #[serde(default)]
    reviewer: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    after: String,
    /// The first row of the page after the one wanted (Previous page).
    #[serde(default)]
    before: String,
}

impl ListQuery {
    /// The query string without the cursor, for links that keep the view.
    fn view_params(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("status", &self.status),
            ("flow", &self.flow),
            ("reviewer", &self.reviewer),
            ("from", &self.from),
            ("to", &self.to),
            ("sort", &self.sort),
        ];
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                pairs
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (*k, v.as_str())),
            )
            .finish()
    }
}

fn encode_cursor(sort: Sort, row: &queries::ListRow) -> String {
    let value = match sort {
        // The id alone: a name in the address would reach access logs.
        Sort::NameAsc | Sort::NameDesc => return row.id.to_string(),
        Sort::UpdatedDesc | Sort::UpdatedAsc => row.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        _ => row.created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    };
    format!("{value}|{}", row.id)
}

fn decode_cursor(sort: Sort, raw: &str) -> Option<Cursor> {
    if matches!(sort, Sort::NameAsc | Sort::NameDesc) {
        // An id; an older bookmark's "name|id" is read by its id.
        let id = raw.rsplit_once('|').map_or(raw, |(_, id)| id);
        return id.parse().ok().map(Cursor::NameOf);
    }
    let (value, id) = raw.rsplit_once('|')?;
    let id: Uuid = id.parse().ok()?;
    // PostgreSQL text holds no NUL; such a cursor is not one we wrote.
    if value.contains('\0') {
        return None;
    }
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| Cursor::At(t.with_timezone(&Utc), id))
}

/// GET /applicants
pub async fn list_applicants(ctx: Ctx, query: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsView)?;
    let q = query.into_inner();
    let mut errors = FormErrors::new();
    let mut filter = ListFilter::default();
    if !q.q.trim().is_empty() {
        // One character matches nearly everyone and finds no one in particular.
        filter.search = errors.check(
            "q",
            Some(q.q.trim())
                .filter(|t| normalise_search(t).chars().count() >= MIN_TERM_CHARS)
                .map(|t| t.chars().take(100).collect())
                .ok_or_else(|| format!("Type at least {MIN_TERM_CHARS} characters to search.")),
        );
    }
    if !q.status.is_empty() {
        filter.status = errors.check(
            "status",
            // `approved` as well as `APPROVED`: a hand-typed or shared URL.
            Status::from_code(&q.status.trim().to_ascii_uppercase())
                .map(|s| s.code().to_string())
                .ok_or_else(|| "Choose a status from the list.".to_string()),
        );
    }
    if !q.flow.is_empty() {
        filter.flow = errors.check(
            "flow",
            q.flow.parse().map_err(|_| "Choose a flow from the list.".to_string()),
        );
    }
    if q.reviewer == "none" {
        filter.reviewer = Some(None);
    } else if !q.reviewer.is_empty() {
        filter.reviewer = errors.check(
            "reviewer",
            q.reviewer
                .parse()
                .map(Some)
                .map_err(|_| "Choose a reviewer from the list.".to_string()),
        );
    }
    (filter.created_from, filter.created_until) = day_range(ctx.member.time_zone, &q.from, &q.to, &mut errors);
    filter.sort = if q.sort.is_empty() {
        Sort::default()
    } else {
        errors
            .check(
                "sort",
                Sort::from_key(&q.sort).ok_or_else(|| "Choose a sort order from the list.".to_string()),
            )
            .unwrap_or_default()
    };
    if !q.after.is_empty() {
        filter.after = decode_cursor(filter.sort, &q.after);
    }
    // The page before a row: the page after it in the reversed order.
    let shown_sort = filter.sort;
    let before = (q.after.is_empty() && !q.before.is_empty())
        .then(|| decode_cursor(filter.sort, &q.before))
        .flatten();
    let backwards = before.is_some();
    if backwards {
        filter.after = before;
        filter.sort = filter.sort.reversed();
    }
    let list_filter = filter.clone();
    let cache = ctx.state().names.clone();
    // A filter that could not be read shows no rows: the whole list under
    // it would read as its result.
    let readable = errors.is_empty();
    let (mut rows, more, names) = db::read(ctx.pool(), move |conn| {
        let mut list_filter = list_filter;
        if let Some(Cursor::NameOf(id)) = list_filter.after {
            list_filter.after = queries::name_cursor(conn, id)?;
        }
        let (rows, more) = if readable {
            queries::list(conn, &list_filter, PAGE_SIZE)?
        } else {
            (Vec::new(), false)
        };
        let names = cache.get_or_load(conn, |names| {
            rows.iter().all(|r| {
                (r.flow_id.is_none() || names.flow(r.flow_id).is_some())
                    && (r.reviewer_id.is_none() || names.member(r.reviewer_id).is_some())
            })
        })?;
        Ok((rows, more, names))
    })
    .await?;
    let params = q.view_params();
    let view = |extra: String| match (params.is_empty(), extra.is_empty()) {
        (true, true) => "/applicants".to_string(),
        (true, false) => format!("/applicants?{extra}"),
        (false, true) => format!("/applicants?{params}"),
        (false, false) => format!("/applicants?{params}&{extra}"),
    };
    if backwards {
        // Back at the start: the first page, whole, even if rows moved
        // since (a sort by last change reorders them).
        if !more {
            return Ok(redirect(&view(String::new())));
        }
        rows.reverse();
    }
    let cursor = |row: &queries::ListRow| -> String {
        url::form_urlencoded::byte_serialize(encode_cursor(shown_sort, row).as_bytes()).collect()
    };
    // Going forward, `more` says a later page exists and the cursor that
    // brought us says an earlier one does; going back, the other way round.
    let (later, earlier) = if backwards {
        (true, more)
    } else {
        (more, filter.after.is_some())
    };
    let next_page = later
        .then(|| rows.last().map(|r| view(format!("after={}", cursor(r)))))
        .flatten();
    let previous_page = earlier
        .then(|| rows.first().map(|r| view(format!("before={}", cursor(r)))))
        .flatten();
    let first_page = earlier.then(|| view(String::new()));
    let rows = rows
        .into_iter()
        .map(|r| {
            let status = r.status;
            Row {
                id: IdText::new(r.id),
                name: r.name,
                kind: r.kind.0,
                external_user_id: r.external_user_id,
                email: r.email.unwrap_or_default(),
                flow: names.flow(r.flow_id).unwrap_or_default(),
                status: status.label(),
                status_badge: status.badge(),
                reviewer: names.member(r.reviewer_id).unwrap_or_default(),
                created: ctx.member.day_and_time(r.created_at),
                updated: ctx.member.day_and_time(r.updated_at),
                deletion: r
                    .deletion_scheduled_at
                    .map(|t| ctx.member.day_and_time(super::profile::purge_time(t))),
                purged: r.purged_at.is_some(),
                // As the profile offers it: whenever the server takes one
                // (an approved applicant may be verified again).
                new_session: r.open_case && r.deletion_scheduled_at.is_none() && r.purged_at.is_none(),
                can_take: r.reviewer_id.is_none()
                    && r.deletion_scheduled_at.is_none()
                    && matches!(status, Status::Completed | Status::OnHold | Status::InProgress),
            }
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &ListPage {
            chrome: ctx.chrome("Applicants", Nav::Applicants),
            rows,
            statuses: Status::ALL.iter().map(|s| (s.code(), s.label())).collect(),
            flows: names.flows.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(),
            reviewers: names
                .reviewers()
                .map(|(id, n)| (id.to_string(), n.to_string()))
                .collect(),
            sorts: Sort::ALL.iter().map(|(_, k, l)| (*k, *l)).collect(),
            errors,
            next_page,
            previous_page,
            first_page,
            min_term_chars: MIN_TERM_CHARS,
            can_create: ctx.can(Permission::ApplicantsCreate),
            can_send_links: ctx.can(Permission::ApplicantsSendLinks),
            can_review: ctx.can(Permission::ApplicantsReview),
            q: q.q,
            status: filter.status.clone().unwrap_or(q.status),
            flow: q.flow,
            reviewer: q.reviewer,
            from: q.from,
            to: q.to,
            sort: if q.sort.is_empty() {
                Sort::default().key().to_string()
            } else {
                q.sort
            },
        },
    )
}

async fn new_page(
    ctx: &Ctx,
    form: ApplicantForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let flows = db::run(ctx.pool(), |conn| {
        crate::verifications::queries::flow_choices(conn, "regular")
    })
    .await?;
    render_status(
        status,
        &NewPage {
            chrome: ctx.chrome("New applicant", Nav::Applicants),
            form,
            errors,
            kinds: &KINDS,
            languages: &LANGUAGES,
            countries: crate::domain::countries().collect(),
            // Grouped by who they are for.
            flows: Audience::ALL
                .iter()
                .map(|a| {
                    let named: Vec<(String, String)> = flows
                        .iter()
                        .filter(|f| f.audience == *a)
                        .map(|f| (f.id.to_string(), f.name.clone()))
                        .collect();
                    (a.label(), named)
                })
                .filter(|(_, named)| !named.is_empty())
                .collect(),
            editing: None,
            notice: None,
        },
    )
}

/// GET /applicants/new
pub async fn new_applicant_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsCreate)?;
    let form = ApplicantForm {
        kind: "natural_person".into(),
        language: "en".into(),
        ..ApplicantForm::default()
    };
    new_page(&ctx, form, FormErrors::new(), StatusCode::OK).await
}

/// POST /applicants
pub async fn create_applicant(ctx: Ctx, CsrfForm(form): CsrfForm<ApplicantForm>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsCreate)?;
    let flows = db::run(ctx.pool(), |conn| {
        crate::verifications::queries::flow_choices(conn, "regular")
    })
    .await?;
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let applicant = match form.parse(&flows, by, now) {
        Ok(applicant) => applicant,
        Err(errors) => return new_page(&ctx, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let id = applicant.id;
    let created = db::run(ctx.pool(), move |conn| {
        if !queries::create(conn, &applicant)? {
            return Ok(false);
        }
        audit::record(
            conn,
            now,
            &actor,
            EventKind::ApplicantCreated,
            Some(("applicant", id.to_string())),
            json!({ "name": applicant.name, "external_user_id": applicant.external_user_id }),
        )?;
        Ok(true)
    })
    .await?;
    if !created {
        let mut errors = FormErrors::new();
        errors.add(
            "external_user_id",
            "Another applicant already has this external user id.",
        );
        return new_page(&ctx, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    ctx.flash(FlashKind::Success, "Applicant created.");
    Ok(redirect(&format!("/applicants/{id}")))
}
