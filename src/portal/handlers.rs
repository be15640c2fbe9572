//! The landing page behind a session link, with the link's clock rules:
//! the link expires at its expiry time; the session clock starts at the
//! first open and runs for the session time; reopening within it resumes;
//! revoked, blocked and expired links say so plainly (HTTP 410).

use crate::audit::{self, Actor, EventKind};
use crate::db;
use crate::domain::SecretToken;
use crate::error::AppError;
use crate::flows::definition::{FlowDefinition, StepKind};
use crate::verifications::links::{Revocation, status};
use crate::verifications::queries;
use crate::web::{Visitor, render_status};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::json;

/// The look shared by every portal page.
pub struct Look {
    pub company: String,
    pub colour: String,
    pub logo: Option<String>,
    /// Where applicants can ask questions (company settings), if set: a
    /// page that says "ask for a new link" says where.
    pub contact: Option<String>,
}

/// An open session.
#[derive(Template)]
#[template(path = "portal/landing.html")]
struct LandingPage {
    look: Look,
    flow_name: String,
    intro_text: String,
    /// What the officer says with this link.
    note: Option<String>,
    /// Each step: label, what to do, and whether it is done.
    steps: Vec<(&'static str, &'static str, bool)>,
    seconds_left: i64,
    time_left: String,
    resumed: bool,
}

/// A link that cannot be used (or is done).
#[derive(Template)]
#[template(path = "portal/closed.html")]
struct ClosedPage {
    look: Look,
    title: &'static str,
    message: String,
    /// The page tells the applicant to ask for a new link (and where);
    /// not when they are done, or their verification is decided.
    ask_for_link: bool,
}

fn closed(status_code: StatusCode, look: Look, title: &'static str, message: String) -> Result<HttpResponse, AppError> {
    render_status(
        status_code,
        &ClosedPage {
            look,
            title,
            message,
            ask_for_link: true,
        },
    )
}

enum Outcome {
    NotFound(Look),
    /// A link that no longer works: its status, and why it was revoked.
    Closed(Look, &'static str, Option<Revocation>),
    Open {
        look: Look,
        flow_name: String,
        definition: Box<FlowDefinition>,
        /// The steps whose result is done (passed or settled by hand).
        done: Vec<uuid::Uuid>,
        note: Option<String>,
        ends_at: chrono::DateTime<chrono::Utc>,
        resumed: bool,
    },
}

/// How often opens of dead links from one address are recorded.
const REFUSED_OPENS_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// GET /v/{token}
pub async fn landing(v: Visitor, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let hash = SecretToken::hash(&token);
    let now = v.now();
    let client = v.client.clone();
    let outcome = db::run(&v.state.pool, move |conn| {
        let settings = crate::settings::queries::load(conn)?;
        let company_look = Look {
            company: settings.name.clone(),
            colour: settings.brand_colour.trim_start_matches('#').to_string(),
            logo: settings.logo_content_type.as_ref().map(|_| "/brand/logo".to_string()),
            contact: Some(settings.contact_email.clone()).filter(|c| !c.is_empty()),
        };
        let Some((link, verification)) = queries::find_link_for_update(conn, &hash)? else {
            return Ok(Outcome::NotFound(company_look));
        };
        let (flow_name, _, definition) = queries::version_definition(conn, verification.flow_version_id)?;
        let look = Look {
            company: settings.name,
            colour: definition
                .settings
                .brand_colour
                .clone()
                .unwrap_or(settings.brand_colour)
                .trim_start_matches('#')
                .to_string(),
            logo: definition
                .settings
                .logo
                .as_ref()
                .map(|a| format!("/assets/{a}"))
                .or(company_look.logo),
            contact: company_look.contact,
        };
        let current = link.status_at(now);
        if current != link.status {
            queries::set_link_status(conn, link.id, current)?;
        }
        let (applicant_name, applicant_status): (String, String) = {
            use crate::db::schema::applicants;
            use diesel::prelude::*;
            applicants::table
                .find(verification.applicant_id)
                .select((applicants::name, applicants::status))
                .first(conn)?
        };
        let actor = Actor {
            kind: "applicant",
            member_id: None,
            label: applicant_name,
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
        };
        // Every open is recorded, also of a link that no longer works.
        let (details, open) = if current == status::ACTIVE || current == status::OPENED {
            let resumed = link.first_opened_at.is_some();
            let opened = queries::record_open(conn, &link, now)?;
            let started = queries::mark_started(conn, &verification, now)?;
            let status_now = if started { "INCOMPLETE" } else { "unchanged" };
            (
                json!({ "resumed": resumed, "status_now": status_now }),
                Some((opened, resumed)),
            )
        } else {
            (json!({ "refused": current }), None)
        };
        let subject = Some(("applicant", verification.applicant_id.to_string()));
        // A dead link opened again and again (a reload, a mail scanner, a
        // script) is recorded once a minute per address, so it cannot crowd
        // the timeline.
        let repeated = open.is_none()
            && queries::refused_open_since(
                conn,
                verification.applicant_id,
                client.ip.as_deref(),
                now - REFUSED_OPENS_EVERY,
            )?;
        if !repeated {
            audit::record(conn, now, &actor, EventKind::LinkOpened, subject, details)?;
        }
        let Some((opened, resumed)) = open else {
            // Closed by a decision that a reset has undone since: for the
            // applicant, a newer link replaced this one.
            let decided = matches!(applicant_status.as_str(), "APPROVED" | "REJECTED");
            let revocation = match link.revocation() {
                Some(Revocation::Decided) if !decided => Some(Revocation::Replaced),
                other => other,
            };
            return Ok(Outcome::Closed(look, current, revocation));
        };
        let done = queries::results_of(conn, verification.id)?
            .into_iter()
            .filter(|r| r.active && r.is_finished())
            .map(|r| r.step_id)
            .collect();
        Ok(Outcome::Open {
            look,
            flow_name,
            definition: Box::new(definition),
            done,
            note: link.note.clone(),
            // The link's expiry ends the session too, if it comes first.
            ends_at: opened
                .session_ends_at
                .map_or(link.expires_at, |end| end.min(link.expires_at)),
            resumed,
        })
    })
    .await?;
    match outcome {
        Outcome::NotFound(look) => closed(
            StatusCode::NOT_FOUND,
            look,
            "This link is not valid",
            "Check that you opened the whole link from your email, or ask for a new one.".into(),
        ),
        Outcome::Closed(look, state, revocation) => {
            let company = look.company.clone();
            let (code, title, message) = match state {
                status::COMPLETED => (
                    StatusCode::OK,
                    "You are done",
                    "You have completed this verification. You can close this page.".to_string(),
                ),
                status::REVOKED if revocation == Some(Revocation::Replaced) => (
                    StatusCode::GONE,
                    "This link was replaced",
                    format!(
                        "A newer link replaced this one. Use the most recent link {company} gave you, or ask {company} for a new one."
                    ),
                ),
                // Which decision is not the page's to say.
                status::REVOKED if revocation == Some(Revocation::Decided) => (
                    StatusCode::GONE,
                    "This verification is closed",
                    format!("{company} has finished reviewing your verification; there is nothing more to do here."),
                ),
                status::REVOKED => (
                    StatusCode::GONE,
                    "This link was withdrawn",
                    format!("{company} withdrew this link. If you still need to verify, ask {company} for a new link."),
                ),
                status::BLOCKED => (
                    StatusCode::GONE,
                    "This link is blocked",
                    format!("There were too many failed attempts. Ask {company} for a new link."),
                ),
                status::SESSION_EXPIRED => (
                    StatusCode::GONE,
                    "Your session time ran out",
                    format!("The time to complete this verification has passed. Ask {company} for a new link."),
                ),
                _ => (
                    StatusCode::GONE,
                    "This link has expired",
                    format!("The link is no longer valid. Ask {company} for a new link."),
                ),
            };
            // Done, or decided: nothing to ask for.
            let ask_for_link =
                !(state == status::COMPLETED || (state == status::REVOKED && revocation == Some(Revocation::Decided)));
            render_status(
                code,
                &ClosedPage {
                    look,
                    title,
                    message,
                    ask_for_link,
                },
            )
        }
        Outcome::Open {
            look,
            flow_name,
            definition,
            done,
            note,
            ends_at,
            resumed,
        } => {
            // Round up: a session that just started shows its full time.
            let seconds_left = ((ends_at - now).num_milliseconds().max(0) + 999) / 1000;
            let page = LandingPage {
                look,
                flow_name,
                intro_text: definition.settings.intro_text.clone(),
                note,
                steps: definition
                    .steps
                    .iter()
                    .filter(|s| !matches!(s.config.kind(), StepKind::FaceMatch | StepKind::Aml))
                    .map(|s| {
                        let kind = s.config.kind();
                        // The final screen is where the applicant ends: it
                        // is never behind them while they are on this page.
                        let is_done = kind != StepKind::FinalScreen && done.contains(&s.id);
                        (kind.applicant_label(), kind.to_the_applicant(), is_done)
                    })
                    .collect(),
                seconds_left,
                time_left: format!("{}:{:02}", seconds_left / 60, seconds_left % 60),
                resumed,
            };
            render_status(StatusCode::OK, &page)
        }
    }
}

/// GET /brand/colour/{hex}.css: the brand colour as a CSS variable, so
/// pages can use it without inline styles (the CSP forbids them).
pub async fn brand_css(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let hex = path.into_inner();
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(format!(":root {{ --accent: #{hex}; --brand: #{hex}; }}\n")))
}
