//! The landing page behind a session link, with the link's clock rules:
//! the link expires at its expiry time; the session clock starts when the
//! applicant first opens the session (the Start button) and runs for the
//! session time; reopening within it resumes; revoked, blocked and expired
//! links say so plainly (HTTP 410).
//!
//! Viewing the page (a GET) changes nothing but the record of opens: mail
//! filters and chat previews fetch links before the applicant clicks, and
//! a GET that started the clock let them use up the applicant's session
//! time and put a false "started" on the timeline.

use super::words::{self, PortalWords};
use crate::audit::{self, Actor, EventKind};
use crate::db;
use crate::domain::SecretToken;
use crate::error::AppError;
use crate::flows::definition::{FlowDefinition, StepKind};
use crate::verifications::links::{Revocation, status};
use crate::verifications::queries::{self, Verification};
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
    /// The applicant's language: every portal page speaks it.
    pub words: &'static PortalWords,
}

impl Look {
    /// `text` with the company's name for `{company}`.
    fn say(&self, text: &str) -> String {
        text.replace("{company}", &self.company)
    }

    /// The footer's sentence.
    pub fn footer(&self) -> String {
        self.say(self.words.footer)
    }
}

/// A usable link: before the start, the steps and a Start button; once
/// started, the steps and the countdown.
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
    clock: Clock,
}

impl LandingPage {
    /// Above an officer's message.
    fn message_from(&self) -> String {
        self.look.say(self.look.words.message_from)
    }
}

/// Where the link's clock stands, as the page shows it.
enum Clock {
    /// Not started: the time a start now gives ("20 minutes"), shown in
    /// bold, and the words of the sentence before and after it (which say
    /// until when the link works).
    Ready {
        before_time: String,
        time_to_finish: String,
        after_time: String,
    },
    /// Running.
    Running {
        seconds_left: i64,
        time_left: String,
        /// Started a while ago: the page welcomes them back.
        resumed: bool,
        /// What the countdown says to screen readers at one minute and at
        /// five ("{n}" for the minutes).
        one_minute_left: &'static str,
        minutes_left: &'static str,
    },
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
        clock: OpenClock,
    },
}

enum OpenClock {
    Ready {
        minutes: i64,
        expires_at: chrono::DateTime<chrono::Utc>,
    },
    Running {
        ends_at: chrono::DateTime<chrono::Utc>,
        resumed: bool,
    },
}

/// The Start button's answer leads to the page again. That page is the
/// start itself (recorded as such), not an open, when it is the browser's
/// first look after starting: the start leaves the link's id in that
/// browser's session, and the page takes it out. Nothing in the address
/// says so, so no other browser or copied address can pass for it; any
/// other page of a running session resumes it, and is recorded.
const STARTED_HERE: &str = "portal_started_link";

/// How long after its start the page still counts as the start's answer.
const JUST_STARTED: chrono::Duration = chrono::Duration::minutes(1);

/// How often opens of dead links from one address and browser are recorded.
const REFUSED_OPENS_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// How many browsers' opens of dead links one address has recorded in that
/// time: a script that changes its user agent each time stops there.
const REFUSED_BROWSERS_AN_ADDRESS: i64 = 3;

/// GET /v/{token}
pub async fn landing(v: Visitor, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let hash = SecretToken::hash(&token);
    let now = v.now();
    // Used once: a reload of the page after it is an open like any other.
    let started_here: Option<uuid::Uuid> = v.session.remove_as(STARTED_HERE).and_then(Result::ok);
    let client = v.client.clone();
    let outcome = db::run(&v.state.pool, move |conn| {
        let settings = crate::settings::queries::load(conn)?;
        // A link we cannot find has no applicant, so no language.
        let company_look = Look {
            company: settings.name.clone(),
            colour: settings.brand_colour.trim_start_matches('#').to_string(),
            logo: settings.logo_content_type.as_ref().map(|_| "/brand/logo".to_string()),
            contact: Some(settings.contact_email.clone()).filter(|c| !c.is_empty()),
            words: words::english(),
        };
        let Some((link, verification)) = queries::find_link_for_update(conn, &hash)? else {
            return Ok(Outcome::NotFound(company_look));
        };
        let (flow_name, _, definition) = queries::version_definition(conn, verification.flow_version_id)?;
        let (applicant_name, applicant_status, language): (String, String, String) = {
            use crate::db::schema::applicants;
            use diesel::prelude::*;
            applicants::table
                .find(verification.applicant_id)
                .select((applicants::name, applicants::status, applicants::language))
                .first(conn)?
        };
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
            words: words::for_language(&language),
        };
        let current = link.status_at(now);
        if current != link.status {
            queries::set_link_status(conn, link.id, current)?;
            // Ran out since the sweep last looked: said once, as it would.
            let ran_out_at = match current {
                status::EXPIRED => Some(link.expires_at),
                status::SESSION_EXPIRED => link.session_ends_at,
                _ => None,
            };
            if let Some(at) = ran_out_at {
                queries::record_lapse(conn, verification.applicant_id, current, at)?;
            }
        }
        let actor = Actor {
            kind: "applicant",
            member_id: None,
            label: applicant_name,
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
        };
        // Every open is recorded, also of a link that no longer works.
        let (details, open) = match current {
            status::ACTIVE => {
                queries::record_view(conn, link.id, now)?;
                (
                    json!({ "session": "not started" }),
                    Some(OpenClock::Ready {
                        // What starting now would give: the session time,
                        // or less when the link expires sooner.
                        // Whole minutes, never more than there is (stored
                        // times have microseconds, the clock more: 19:59.9999
                        // of a 20-minute session is 20).
                        minutes: ((link.session_end_if_opened(now) - now).num_seconds() + 1) / 60,
                        expires_at: link.expires_at,
                    }),
                )
            }
            status::OPENED => {
                let started_at = link.first_opened_at.unwrap_or(now);
                let resumed = !(started_here == Some(link.id) && now - started_at < JUST_STARTED);
                if resumed {
                    queries::record_view(conn, link.id, now)?;
                }
                (
                    json!({ "resumed": resumed }),
                    Some(OpenClock::Running {
                        // The link's expiry ends the session too, if it comes first.
                        ends_at: link
                            .session_ends_at
                            .map_or(link.expires_at, |end| end.min(link.expires_at)),
                        resumed,
                    }),
                )
            }
            _ => (json!({ "refused": current }), None),
        };
        let just_started = matches!(open, Some(OpenClock::Running { resumed: false, .. }));
        let details = with_purpose(details, &verification, &flow_name);
        let subject = Some(("applicant", verification.applicant_id.to_string()));
        // A dead link opened again and again (a reload, a mail scanner, a
        // script) is recorded once a minute per address and browser, and
        // for at most a few browsers an address, so it cannot crowd the
        // timeline; the applicant's phone beside a mail scanner is seen.
        let repeated = open.is_none() && {
            let seen = queries::refused_opens_since(
                conn,
                verification.applicant_id,
                client.ip.as_deref(),
                now - REFUSED_OPENS_EVERY,
                REFUSED_BROWSERS_AN_ADDRESS,
            )?;
            seen.len() as i64 >= REFUSED_BROWSERS_AN_ADDRESS || seen.contains(&client.user_agent)
        };
        if !repeated && !just_started {
            audit::record(conn, now, &actor, EventKind::LinkOpened, subject, details)?;
        }
        let Some(clock) = open else {
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
            clock,
        })
    })
    .await?;
    match outcome {
        Outcome::NotFound(look) => {
            let w = look.words;
            closed(
                StatusCode::NOT_FOUND,
                look,
                w.not_found_title,
                w.not_found_message.into(),
            )
        }
        Outcome::Closed(look, state, revocation) => {
            let w = look.words;
            let (code, title, message) = match state {
                status::COMPLETED => (StatusCode::OK, w.done_title, w.done_message),
                status::REVOKED if revocation == Some(Revocation::Replaced) => {
                    (StatusCode::GONE, w.replaced_title, w.replaced_message)
                }
                // Which decision is not the page's to say.
                status::REVOKED if revocation == Some(Revocation::Decided) => {
                    (StatusCode::GONE, w.decided_title, w.decided_message)
                }
                status::REVOKED => (StatusCode::GONE, w.withdrawn_title, w.withdrawn_message),
                status::BLOCKED => (StatusCode::GONE, w.blocked_title, w.blocked_message),
                status::SESSION_EXPIRED => (StatusCode::GONE, w.session_over_title, w.session_over_message),
                _ => (StatusCode::GONE, w.expired_title, w.expired_message),
            };
            let message = look.say(message);
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
            clock,
        } => {
            let w = look.words;
            let clock = match clock {
                OpenClock::Ready { minutes, expires_at } => {
                    let expiry = crate::email_templates::placeholders::format_expiry(expires_at, w.lang);
                    // The expiry first: a language may name it before the time.
                    let sentence = w.once_you_start.replace("{expiry}", &expiry);
                    let (before, after) = sentence.split_once("{time}").unwrap_or((&sentence, ""));
                    Clock::Ready {
                        before_time: before.to_string(),
                        time_to_finish: w.minutes(minutes),
                        after_time: after.to_string(),
                    }
                }
                OpenClock::Running { ends_at, resumed } => {
                    // Round up: a session that just started shows its full time.
                    let seconds_left = ((ends_at - now).num_milliseconds().max(0) + 999) / 1000;
                    Clock::Running {
                        seconds_left,
                        time_left: format!("{}:{:02}", seconds_left / 60, seconds_left % 60),
                        resumed,
                        one_minute_left: w.minutes_left[0],
                        minutes_left: w.minutes_left[1],
                    }
                }
            };
            let page = LandingPage {
                look,
                flow_name,
                intro_text: definition.settings.intro_text.clone(),
                note,
                steps: definition
                    .steps
                    .iter()
                    .filter(|s| s.config.kind().applicant_does())
                    .map(|s| {
                        let kind = s.config.kind();
                        // The final screen is where the applicant ends: it
                        // is never behind them while they are on this page.
                        let is_done = kind != StepKind::FinalScreen && done.contains(&s.id);
                        (
                            crate::email_templates::wording::step_name(kind, w.lang),
                            w.to_do(kind),
                            is_done,
                        )
                    })
                    .collect(),
                clock,
            };
            render_status(StatusCode::OK, &page)
        }
    }
}

/// HEAD /v/{token}: link checkers and mail programs ask before they open.
/// The answer says nothing about the link (valid or not) and records
/// nothing: only a page someone reads counts as an open.
pub async fn head() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Adds which link it was to an event's details: an applicant can hold a
/// link for more information beside their verification's.
fn with_purpose(mut details: serde_json::Value, verification: &Verification, flow_name: &str) -> serde_json::Value {
    if verification.kind != "regular" {
        details["link"] = json!(format!("additional information ({flow_name})"));
    }
    details
}

/// POST /v/{token}: the applicant starts their session. The clock starts
/// here, not when the page is fetched, and the applicant's status moves to
/// Incomplete. A second click, or a link that cannot be started, changes
/// nothing; either way the page of the link (GET) says where it stands.
///
/// The form carries no CSRF token: the link's secret token is in the URL,
/// so no other site can forge this request, and an applicant's browser
/// that keeps no cookie can still start.
pub async fn start(v: Visitor, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let hash = SecretToken::hash(&token);
    let now = v.now();
    let client = v.client.clone();
    let started_link = db::run(&v.state.pool, move |conn| {
        let Some((link, verification)) = queries::find_link_for_update(conn, &hash)? else {
            return Ok(None);
        };
        // Already started (a second tab, a double click): the page it leads
        // to is recorded as the open it is.
        if link.status_at(now) != status::ACTIVE {
            return Ok(None);
        }
        queries::start_session(conn, &link, now)?;
        let started = queries::mark_started(conn, &verification, now)?;
        let applicant_name: String = {
            use crate::db::schema::applicants;
            use diesel::prelude::*;
            applicants::table
                .find(verification.applicant_id)
                .select(applicants::name)
                .first(conn)?
        };
        let actor = Actor {
            kind: "applicant",
            member_id: None,
            label: applicant_name,
            ip: client.ip,
            user_agent: client.user_agent,
        };
        let flow_name = queries::version_definition(conn, verification.flow_version_id)?.0;
        let details = with_purpose(
            json!({ "status_now": if started { "INCOMPLETE" } else { "unchanged" } }),
            &verification,
            &flow_name,
        );
        audit::record(
            conn,
            now,
            &actor,
            EventKind::LinkStarted,
            Some(("applicant", verification.applicant_id.to_string())),
            details,
        )?;
        Ok(Some(link.id))
    })
    .await?;
    if let Some(link) = started_link {
        v.session
            .insert(STARTED_HERE, link)
            .map_err(|e| AppError::internal(format!("session: {e}")))?;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/v/{}", token.as_str())))
        .finish())
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
