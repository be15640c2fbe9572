//! Creating a verification session: a verification, its link, and the
//! email that carries it.

use super::forms::{ChosenTemplate, SessionForm};
use super::issue::{LinkEmail, issue_link};
use super::pages::{CreatedPage, FlowChoice, NewSessionPage, TemplateChoice};
use super::queries;
use crate::applicants::models::Status;
use crate::applicants::queries as applicants;
use crate::audit::{self, EventKind};
use crate::auth::permissions::Permission;
use crate::db;
use crate::email_templates::queries as templates;
use crate::email_templates::wording::{self, Purpose};
use crate::error::AppError;
use crate::web::parse_id;
use crate::web::{CsrfForm, Ctx, FormErrors, Nav, render_status};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use diesel::OptionalExtension;
use serde_json::json;
use uuid::Uuid;

async fn form_page(
    ctx: &Ctx,
    applicant: Uuid,
    form: Option<SessionForm>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let now = ctx.now();
    let ((found, _, _), flows, saved, final_rejection, live, state) = db::run(ctx.pool(), move |conn| {
        let found = applicants::find(conn, applicant)?;
        let final_rejection = applicants::rejected_as_final(conn, &found.0)?;
        let state = queries::session_state(conn, &found.0)?;
        Ok((
            found,
            queries::flow_choices(conn, "regular")?,
            templates::list(conn)?,
            final_rejection,
            queries::live_links(conn, applicant, now)?,
            state,
        ))
    })
    .await?;
    // Only the flows for the applicant's type (a person, a company).
    let flows: Vec<_> = flows.into_iter().filter(|f| f.audience.admits(&found.kind)).collect();
    let running = live.iter().any(|l| l.running(now));
    let waiting = live.iter().find(|l| l.waiting());
    // A new session starts a new verification: say so before a decision is
    // undone, and before an officer fills in a form that will be refused.
    let refused = found.purged_at.is_some() || found.deletion_scheduled_at.is_some() || final_rejection;
    let notice = if found.purged_at.is_some() {
        Some("This applicant's data was deleted, so no link can be sent.".to_string())
    } else if found.deletion_scheduled_at.is_some() {
        Some(
            "This applicant is scheduled for deletion, so no link can be sent. Restore the applicant first."
                .to_string(),
        )
    } else if final_rejection {
        Some(applicants::FINAL_REJECTION.to_string())
    } else {
        let status = Status::from_code(&found.status).unwrap_or(Status::Init);
        const CONTINUE: &str =
            "To let them continue where they stopped, use “Generate link (restart)” on the profile instead.";
        if matches!(status, Status::Approved | Status::Rejected) {
            Some(format!(
                "This applicant is {}. A new session starts a new verification and sets the status back to Not initiated; the decision stays on the timeline.",
                status.label().to_lowercase()
            ))
        } else if matches!(
            status,
            Status::InProgress | Status::OnHold | Status::Completed | Status::InReview
        ) {
            Some(format!(
                "This applicant has finished their verification ({}). A new session starts a new one from the first step, and sets these results aside. To have them redo some steps, reject for a retry instead.",
                status.label()
            ))
        } else if running {
            Some(format!(
                "The applicant is using their link right now. A new session ends that session at once and starts a new verification from the first step. {CONTINUE}"
            ))
        } else if status != Status::Init {
            Some(format!(
                "This applicant's verification is under way ({}). A new session withdraws their link and starts a new verification from the first step. {CONTINUE}",
                status.label()
            ))
        } else if let Some(link) = waiting {
            let opened = match link.open_count {
                0 => "not opened yet".to_string(),
                1 => "opened once, not started".to_string(),
                n => format!("opened {n} times, not started"),
            };
            Some(format!(
                "The link made {} is still waiting ({opened}). A new session withdraws it: only the new link will work.",
                ctx.member.format_time(link.created_at)
            ))
        } else {
            None
        }
    };
    // The email starts in the applicant's language, as they will read it.
    let starting = wording::wording(Purpose::Invitation, &found.language);
    let text_language = wording::language_name(&found.language);
    let mut form = form.unwrap_or_else(|| {
        // The applicant's flow; else the only one. Among several, the
        // officer chooses: the first by name may be for companies.
        let flow = found
            .flow_id
            .filter(|f| flows.iter().any(|c| c.id == *f))
            .or_else(|| (flows.len() == 1).then(|| flows[0].id));
        let defaults = flows.iter().find(|c| Some(c.id) == flow);
        SessionForm {
            lock_version: String::new(),
            seen_state: String::new(),
            flow_id: flow.map(|f| f.to_string()).unwrap_or_default(),
            expiry_value: defaults.map_or(72, |d| d.expiry_hours).to_string(),
            expiry_unit: "hours".into(),
            session_minutes: defaults.map_or(30, |d| d.session_minutes).to_string(),
            send_email: found.email.is_some().then(|| "on".into()),
            recipient: found.email.clone().unwrap_or_default(),
            cc: String::new(),
            template_id: String::new(),
            subject: starting.subject.into(),
            body: starting.body.into(),
        }
    });
    // What was typed is kept; the version is the applicant's as shown now.
    form.lock_version = found.lock_version.to_string();
    form.seen_state = state;
    render_status(
        status,
        &NewSessionPage {
            chrome: ctx.chrome("Create verification session", Nav::Applicants),
            applicant_id: applicant.to_string(),
            applicant_name: found.name,
            subject_hint: format!("The subject and body start in {text_language}, the applicant’s language."),
            text_language,
            flow_listed: flows.iter().any(|f| f.id.to_string() == form.flow_id),
            no_flows: if found.kind == "legal_person" {
                "No published flow for companies yet"
            } else {
                "No published flow for people yet"
            },
            notice,
            refused,
            form,
            errors,
            flows: flows
                .into_iter()
                .map(|f| FlowChoice {
                    id: f.id.to_string(),
                    name: f.name,
                    expiry_hours: f.expiry_hours,
                    session_minutes: f.session_minutes,
                })
                .collect(),
            templates: saved
                .into_iter()
                .map(|t| TemplateChoice {
                    needs_change: t.needs_change(),
                    other_language: (wording::language_of(&t.language) != wording::language_of(&found.language))
                        .then(|| wording::language_name(&t.language)),
                    id: t.id.to_string(),
                    name: t.name,
                    subject: t.subject,
                    body: t.body,
                })
                .collect(),
        },
    )
}

/// GET /applicants/{id}/emails/{message}
///
/// The delivery state of a link's email as JSON, which the confirmation page
/// polls until the email is sent or has failed.
pub async fn link_email_status(ctx: Ctx, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsView)?;
    let (applicant, message) = (parse_id(&path.0)?, parse_id(&path.1)?);
    let found = db::run(ctx.pool(), move |conn| {
        Ok(queries::link_email_status(conn, applicant, message)?)
    })
    .await?
    .ok_or(AppError::NotFound)?;
    let (status, attempts, error) = found;
    let (badge, detail) = queries::delivery_detail(&status, attempts, error.as_deref());
    // Its detail may quote a mail server's reply, which names the address.
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(json!({
            "status": status,
            "badge": badge,
            "detail": detail,
        })))
}

/// GET /applicants/{id}/sessions/new
pub async fn new_session_form(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    // The form shows the applicant's name and email.
    ctx.require(Permission::ApplicantsView)?;
    ctx.require(Permission::ApplicantsSendLinks)?;
    form_page(&ctx, parse_id(&path)?, None, FormErrors::new(), StatusCode::OK).await
}

/// POST /applicants/{id}/sessions
///
/// Checks the form, then creates the verification, its link and its email
/// in one transaction. The first write locks the applicant row, so two
/// officers sending links at once cannot leave two live links.
pub async fn create_session(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<SessionForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsView)?;
    ctx.require(Permission::ApplicantsSendLinks)?;
    let applicant_id = parse_id(&path)?;
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let base_url = ctx.state().settings.base_url.clone();
    let submitted = form.clone();
    let created = db::run(ctx.pool(), move |conn| {
        let template = match submitted.template_id.parse::<Uuid>() {
            Ok(id) => templates::find(conn, id).optional()?.map(|t| ChosenTemplate {
                subject: t.subject,
                body: t.body,
                language: t.language,
            }),
            Err(_) => None,
        };
        // Only a published, unarchived regular flow may be chosen.
        let flow = match submitted.flow_id.parse::<Uuid>() {
            Ok(id) => queries::usable_flow(conn, id)?
                .filter(|f| f.kind == "regular")
                .map(|f| (id, f)),
            Err(_) => None,
        };
        // A template deleted since the form was shown: without JavaScript
        // the email would silently go out with the default text.
        let template_gone =
            submitted.send_email.is_some() && !submitted.template_id.trim().is_empty() && template.is_none();
        let choosable: Vec<Uuid> = flow.iter().map(|(id, _)| *id).collect();
        let mut parsed = submitted.parse(&choosable, template);
        if template_gone {
            let mut errors = parsed.err().unwrap_or_default();
            errors.add(
                "template_id",
                "That template no longer exists. Choose another, or Free text.",
            );
            parsed = Err(errors);
        }
        let (plan, Some((_, flow))) = (
            match parsed {
                Ok(plan) => plan,
                Err(errors) => return Ok(Err((errors, StatusCode::UNPROCESSABLE_ENTITY))),
            },
            flow,
        ) else {
            return Err(AppError::internal("a valid session form names a usable flow"));
        };
        let verification = queries::NewVerification {
            id: crate::db::new_row_id(),
            applicant: applicant_id,
            flow: plan.flow_id,
            version: flow.version_id,
            kind: "regular",
            by: Some(by),
        };
        // The form always sends the version it showed; a request without
        // one (a script's) creates the session whatever changed meanwhile.
        let seen = match submitted.lock_version.trim() {
            "" => None,
            version => match version.parse::<i32>() {
                Ok(version) => Some(version),
                Err(_) => {
                    let mut errors = FormErrors::new();
                    errors.add(
                        "applicant",
                        "The form could not be read: reload the page and try again.",
                    );
                    return Ok(Err((errors, StatusCode::UNPROCESSABLE_ENTITY)));
                }
            },
        };
        let audience = flow.definition.settings.audience;
        let make_current = |conn: &mut diesel::PgConnection, seen: Option<i32>| {
            queries::make_current(conn, applicant_id, verification.id, plan.flow_id, audience, seen, now)
        };
        let mut made = make_current(conn, seen)?;
        if made.is_none() {
            // Missing (404), no longer one to send links to, of a type the
            // flow is not for, or changed since the form was shown.
            let (current, _, _) = applicants::find(conn, applicant_id)?;
            let mut errors = FormErrors::new();
            if applicants::rejected_as_final(conn, &current)? {
                errors.add("applicant", applicants::FINAL_REJECTION);
            } else if current.purged_at.is_some() || current.deletion_scheduled_at.is_some() {
                errors.add(
                    "applicant",
                    "This applicant is scheduled for deletion or its data was deleted, so no link can be sent.",
                );
            } else if let Some(refusal) = audience.refusal(&flow.name, &current.kind) {
                errors.add("flow_id", refusal);
            }
            if !errors.is_empty() {
                return Ok(Err((errors, StatusCode::UNPROCESSABLE_ENTITY)));
            }
            // Changed, but in nothing a new session depends on: it goes
            // through on the version as it is now (unless that too moved on).
            if !submitted.seen_state.is_empty() && submitted.seen_state == queries::session_state(conn, &current)? {
                made = make_current(conn, Some(current.lock_version))?;
            }
        }
        let Some(applicant) = made else {
            let changed = crate::applicants::profile::changed_meanwhile(conn, applicant_id, by)?;
            let mut errors = FormErrors::new();
            errors.add(
                "applicant",
                format!(
                    "{changed} No session was created: check the applicant, \
                     then create the session again; what you typed is kept."
                ),
            );
            return Ok(Err((errors, StatusCode::CONFLICT)));
        };
        let revoked = queries::revoke_links(conn, applicant_id, "replaced by a new verification session", now)?;
        queries::insert(conn, &verification, &flow.definition, now)?;
        let mut events = audit::Batch::new(now, &actor);
        events.add(
            EventKind::VerificationStarted,
            Some(("applicant", applicant_id.to_string())),
            json!({ "flow": flow.name, "flow_version": flow.number, "revoked_links": revoked }),
        );
        let issued = issue_link(
            conn,
            &base_url,
            &applicant,
            verification.id,
            plan.expires_in,
            plan.session_minutes,
            i32::try_from(flow.definition.settings.max_attempts).unwrap_or(10),
            plan.email.map(|e| LinkEmail {
                to: e.to,
                cc: e.cc,
                subject: e.subject,
                body: e.body,
                message: String::new(),
                language: e.language,
            }),
            None,
            &mut events,
        )?;
        events.write(conn)?;
        Ok(Ok((applicant.name, flow.name, issued)))
    })
    .await?;
    let (name, flow_name, issued) = match created {
        Ok(done) => done,
        Err((errors, status)) => return form_page(&ctx, applicant_id, Some(form), errors, status).await,
    };
    if issued.email_to.is_some() {
        ctx.state().outbox_wakeup.notify_one();
    }
    render_status(
        StatusCode::OK,
        &CreatedPage::new(
            ctx.chrome("Verification session created", Nav::Applicants),
            &ctx.member,
            applicant_id,
            name,
            flow_name,
            issued,
        ),
    )
}
