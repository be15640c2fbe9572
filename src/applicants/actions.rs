//! What officers do on the profile: restart with a new link, change flow,
//! reset, request more information, settle step results, review and
//! decide, comment, schedule deletion. Every action checks its permission,
//! is audited, and uses optimistic locking: the form carries the version
//! the officer saw, and a change by someone else meanwhile wins clearly
//! without losing what this officer typed.

use super::models::{Applicant, Status};
use super::profile::{DELETION_GRACE_DAYS, ProfileForm, REJECTION_REASONS, invalid_profile_page, profile_page};
use crate::audit::{self, Actor, EventKind};
use crate::auth::permissions::Permission;
use crate::db;
use crate::db::schema::{applicants, reviews};
use crate::error::AppError;
use crate::flows::definition::StepKind;
use crate::verifications::issue::{Issued, LinkEmail, issue_link};
use crate::verifications::pages::CreatedPage;
use crate::verifications::queries as verifications;
use crate::web::parse_id;
use crate::web::{CsrfForm, Ctx, FlashKind, FormErrors, Nav, redirect, render_status};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

/// Mounts the profile actions.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/applicants/{id}/links", web::post().to(generate_link))
        .route(
            "/applicants/{id}/links/{link}/send-again",
            web::post().to(send_link_again),
        )
        .route("/applicants/{id}/flow", web::post().to(change_flow))
        .route("/applicants/{id}/reset", web::post().to(reset))
        .route("/applicants/{id}/request-info", web::post().to(request_info))
        .route(
            "/applicants/{id}/results/{result}/resolve",
            web::post().to(resolve_result),
        )
        .route(
            "/applicants/{id}/results/{result}/deactivate",
            web::post().to(deactivate_result),
        )
        .route(
            "/applicants/{id}/results/{result}/reactivate",
            web::post().to(reactivate_result),
        )
        .route("/applicants/{id}/reviewer", web::post().to(assign_reviewer))
        .route("/applicants/{id}/take", web::post().to(take))
        .route("/applicants/{id}/approve", web::post().to(approve))
        .route("/applicants/{id}/reject", web::post().to(reject))
        .route("/applicants/{id}/comments", web::post().to(comment))
        .route("/applicants/{id}/deletion", web::post().to(schedule_deletion))
        .route("/applicants/{id}/restore", web::post().to(restore));
}

/// What an action did.
enum Outcome {
    /// Done; the message is flashed.
    Done(String),
    /// A link was issued and must be shown once: the link, its flow's
    /// name, and what was done, as the page's title.
    Link(Issued, String, &'static str),
    /// Not allowed in the applicant's state; the message is shown with the form.
    Refused(String),
    /// A replay of what was just done (a double click): nothing changes,
    /// and the officer is told it is done, as the first request was.
    AlreadyDone(String),
}

/// Which applicants an action may act on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Applies {
    /// Sends links or decides: not while the applicant is scheduled for
    /// deletion, nor once rejected as final. Resetting the verification
    /// status is the one way to reopen a final rejection, and it is audited.
    ToOpenCase,
    /// Changes the verification itself (restarts it, moves it, settles its
    /// results): as `ToOpenCase`, and not once approved, whose evidence stays
    /// as it was approved; the message says what to do instead.
    ToUndecided(&'static str),
    /// Settles parts of the case, reopens it or deletes it: not while the
    /// applicant is scheduled for deletion.
    ToCase,
    /// Restores an applicant scheduled for deletion.
    ToScheduledForDeletion,
    /// Takes a case nobody reviews (the list's "Take"): as `ToOpenCase`,
    /// without a version, as the action checks the one thing it changes.
    Taking,
    /// Adds to the comment thread. A comment takes back nothing anyone
    /// decided, so it needs no version check: two officers commenting at once
    /// both get their say. It still counts as a change, so a decision typed
    /// before a new comment is refused until its author has read it.
    AsComment,
}

/// Facts an action needs besides the connection.
struct Context {
    now: DateTime<Utc>,
    actor: Actor,
    by: Uuid,
    base_url: String,
}

async fn run_action<F>(
    ctx: &Ctx,
    id: Uuid,
    form: &ProfileForm,
    applies: Applies,
    action: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut PgConnection, &Applicant, &Context) -> Result<Outcome, AppError> + Send + 'static,
{
    // Every action answers with the profile (or the link page), which shows
    // the applicant: acting needs seeing, besides the action's own permission.
    ctx.require(Permission::ApplicantsView)?;
    let seen: Option<i32> = form.lock_version.trim().parse().ok();
    let c = Context {
        now: ctx.now(),
        actor: ctx.actor(),
        by: ctx.member.id.0,
        base_url: ctx.state().settings.base_url.clone(),
    };
    let outcome = db::run(ctx.pool(), move |conn| {
        let applicant = super::queries::find_applicant_for_update(conn, id)?;
        // Refusals before the action: the applicant is not in a state to act on.
        if applicant.purged_at.is_some() {
            return Ok(Err(
                "This applicant's data was deleted; nothing can change any more.".to_string()
            ));
        }
        // Not a conflict but a state that refuses the action (422).
        let refused = |message: &str| Ok(Ok((Outcome::Refused(message.to_string()), String::new())));
        let versioned = !matches!(applies, Applies::AsComment | Applies::Taking);
        if versioned && seen.is_none() {
            return refused("The form could not be read: reload the page and try again.");
        }
        if versioned && Some(applicant.lock_version) != seen {
            let changed = super::profile::changed_meanwhile(conn, id, c.by)?;
            return Ok(Err(format!(
                "{changed}, so your action was not applied. Check the page below; what you typed is kept."
            )));
        }
        let active_only = matches!(
            applies,
            Applies::ToOpenCase | Applies::Taking | Applies::ToUndecided(_) | Applies::ToCase
        );
        if applicant.deletion_scheduled_at.is_some() && active_only {
            return refused("This applicant is scheduled for deletion; restore it first.");
        }
        let open_only = matches!(applies, Applies::ToOpenCase | Applies::Taking | Applies::ToUndecided(_));
        if open_only && super::queries::rejected_as_final(conn, &applicant)? {
            return refused(super::queries::FINAL_REJECTION);
        }
        if let Applies::ToUndecided(message) = applies
            && applicant.status == Status::Approved.code()
        {
            return refused(message);
        }
        let outcome = action(conn, &applicant, &c)?;
        if !matches!(outcome, Outcome::Refused(_) | Outcome::AlreadyDone(_)) {
            diesel::update(applicants::table.find(id))
                .set((
                    applicants::lock_version.eq(applicants::lock_version + 1),
                    applicants::updated_at.eq(c.now),
                ))
                .execute(conn)?;
        }
        Ok(Ok((outcome, applicant.name)))
    })
    .await?;
    match outcome {
        Err(message) => profile_page(ctx, id, form.clone(), Some(message), StatusCode::CONFLICT).await,
        Ok((Outcome::Refused(message), _)) => {
            profile_page(ctx, id, form.clone(), Some(message), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Ok((Outcome::Done(message) | Outcome::AlreadyDone(message), _)) => {
            ctx.state().outbox_wakeup.notify_one();
            ctx.flash(FlashKind::Success, message);
            Ok(redirect(&format!("/applicants/{id}")))
        }
        Ok((Outcome::Link(issued, flow_name, done), name)) => {
            ctx.state().outbox_wakeup.notify_one();
            render_status(
                StatusCode::OK,
                &CreatedPage::new(
                    ctx.chrome(done, Nav::Applicants),
                    &ctx.member,
                    id,
                    name,
                    flow_name,
                    issued,
                ),
            )
        }
    }
}

/// Checks the free text an action stores or sends, each as (field, what
/// it is, as typed), before anything runs: no control characters but line
/// breaks and tabs, which nothing would show (a bell, an escape sequence).
fn free_text_errors(fields: &[(&'static str, &str, &str)]) -> FormErrors {
    let mut errors = FormErrors::new();
    for (field, what, typed) in fields {
        errors.check(field, crate::domain::check_text(typed, what));
    }
    errors
}

fn record(
    conn: &mut PgConnection,
    c: &Context,
    applicant: Uuid,
    kind: EventKind,
    details: serde_json::Value,
) -> Result<(), AppError> {
    audit::record(
        conn,
        c.now,
        &c.actor,
        kind,
        Some(("applicant", applicant.to_string())),
        details,
    )?;
    Ok(())
}

/// Sets the applicant's status as a decision or an assignment leaves it;
/// also used by the demo data, so its applicants read as real ones do.
pub(crate) fn set_status(conn: &mut PgConnection, applicant: Uuid, status: Status) -> QueryResult<()> {
    diesel::update(applicants::table.find(applicant))
        .set(applicants::status.eq(status.code()))
        .execute(conn)?;
    Ok(())
}

/// The applicant's current regular verification, its flow version's
/// definition and its flow's name.
fn current_verification(
    conn: &mut PgConnection,
    applicant: &Applicant,
) -> Result<Option<(Uuid, crate::flows::definition::FlowDefinition, String)>, AppError> {
    let Some(v) = applicant.current_verification_id else {
        return Ok(None);
    };
    let verification = verifications::find_verification(conn, v)?;
    let (name, _, def) = verifications::version_definition(conn, verification.flow_version_id)?;
    Ok(Some((v, def, name)))
}

/// Subjects of the emails the profile's actions send, each saying what the
/// applicant is asked for: an information request must not read like the
/// first invitation to verify.
mod subjects {
    pub const NEW_LINK: &str = "Your new verification link from {{company_name}}";
    pub const START_AGAIN: &str = "Please start your verification with {{company_name}} again";
    pub const MORE_INFORMATION: &str = "{{company_name}} needs more information from you";
    pub const REDO: &str = "Please redo part of your verification with {{company_name}}";

    /// The body of a new link to a verification already begun: the
    /// applicant goes on from where they stopped, which the first
    /// invitation's words ("it takes about five minutes") do not say.
    pub const NEW_LINK_BODY: &str = "Hello {{applicant_name}},\n\nHere is a new link to your verification with {{company_name}}. You continue where you stopped; the earlier link no longer works.\n\nContinue here: {{session_url}}\n\nThe link works until {{link_expires_at}}.\n\nThank you.";
}

/// The email a new link goes out with, if wanted and possible.
fn default_email(applicant: &Applicant, wanted: bool, subject: &str, intro: Option<&str>) -> Option<LinkEmail> {
    let to = applicant.email.clone().filter(|_| wanted)?;
    let body = match intro {
        Some(_) => {
            "Hello {{applicant_name}},\n\n{{message}}\n\nContinue here: {{session_url}}\n\nThe link works until {{link_expires_at}}."
        }
        // Without a message, it is a new link to a verification begun.
        None => subjects::NEW_LINK_BODY,
    };
    Some(LinkEmail {
        to,
        cc: Vec::new(),
        subject: subject.to_string(),
        body: body.to_string(),
        message: intro.unwrap_or_default().to_string(),
    })
}

/// Issues a new link to the verification with the flow's default timings.
fn relink(
    conn: &mut PgConnection,
    c: &Context,
    applicant: &Applicant,
    verification: Uuid,
    def: &crate::flows::definition::FlowDefinition,
    email: Option<LinkEmail>,
    note: Option<&str>,
) -> Result<Issued, AppError> {
    // The verification's older links; a link for additional information,
    // sent beside it, is another matter and keeps working.
    verifications::revoke_links_of(conn, verification, "replaced by a new link", c.now)?;
    let mut events = audit::Batch::new(c.now, &c.actor);
    let issued = issue_link(
        conn,
        &c.base_url,
        applicant,
        verification,
        Duration::hours(i64::from(def.settings.link_expiry_hours)),
        i32::try_from(def.settings.session_minutes).unwrap_or(30),
        i32::try_from(def.settings.max_attempts).unwrap_or(10),
        email,
        note,
        &mut events,
    )?;
    events.write(conn)?;
    Ok(issued)
}

/// POST /applicants/{id}/links — restart: a new link to the current verification.
pub async fn generate_link(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsSendLinks)?;
    let id = parse_id(&path)?;
    let wanted = form.send_email.is_some();
    run_action(
        &ctx,
        id,
        &form,
        Applies::ToUndecided(APPROVED_IS_DECIDED),
        move |conn, applicant, c| {
            let Some((verification, def, flow_name)) = current_verification(conn, applicant)? else {
                return Ok(Outcome::Refused(
                    "There is no verification yet; create a verification session first.".into(),
                ));
            };
            let issued = relink(
                conn,
                c,
                applicant,
                verification,
                &def,
                default_email(applicant, wanted, subjects::NEW_LINK, None),
                None,
            )?;
            record(
                conn,
                c,
                applicant.id,
                EventKind::VerificationRestarted,
                json!({ "flow": flow_name }),
            )?;
            Ok(Outcome::Link(issued, flow_name, "New link generated (restart)"))
        },
    )
    .await
}

/// POST /applicants/{id}/links/{link}/send-again — the email of a link
/// that still works failed (a mail server down for hours, a mailbox that did
/// not exist): queue it once more, to the applicant's address now, so a
/// corrected address gets it. The link stays the same; a new one would
/// withdraw what the applicant may already have opened.
///
/// A link delivered to an address corrected since is another matter: it
/// sits in someone else's mailbox, and its email no longer holds it (a sent
/// email keeps no token). That link is withdrawn, and a new one goes to
/// the corrected address.
pub async fn send_link_again(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsSendLinks)?;
    let (id, link) = two_ids(path)?;
    run_action(&ctx, id, &form, Applies::ToOpenCase, move |conn, applicant, c| {
        use crate::verifications::links::{describe, status as link_status};
        let Some(link) = verifications::link_of_for_update(conn, applicant.id, link)? else {
            return Err(AppError::NotFound);
        };
        let now_status = link.status_at(c.now);
        if now_status != link_status::ACTIVE && now_status != link_status::OPENED {
            return Ok(Outcome::Refused(format!(
                "This link can no longer be used ({}); generate a new link instead.",
                describe(now_status).0.to_lowercase()
            )));
        }
        let Some(message) = link.email_message_id else {
            return Ok(Outcome::Refused(
                "This link was not emailed; generate a new link to email one.".into(),
            ));
        };
        let Some(to) = applicant.email.clone() else {
            return Ok(Outcome::Refused(
                "This applicant has no email address; add one with “Edit details” first.".into(),
            ));
        };
        let (sent_to, status, error) = crate::outbox::queries::delivery(conn, message)?;
        // An email still waiting to go to an address corrected since (a
        // server that answers "try later" for a mistyped domain) is
        // withdrawn and sent to the right one; one delivered there went to
        // the wrong mailbox, and goes again to the right one.
        let waiting = matches!(status.as_str(), "queued" | "retrying");
        if status == "sent" && sent_to != to {
            let verification = verifications::find_verification(conn, link.verification_id)?;
            let (flow_name, _, def) = verifications::version_definition(conn, verification.flow_version_id)?;
            let issued = relink(
                conn,
                c,
                applicant,
                link.verification_id,
                &def,
                default_email(applicant, true, subjects::NEW_LINK, None),
                None,
            )?;
            // The new link's own events say it was made and queued; this
            // one says why the one before was withdrawn.
            record(
                conn,
                c,
                applicant.id,
                EventKind::VerificationRestarted,
                json!({ "why": format!("the link went to {sent_to}, an address corrected since"), "to": to }),
            )?;
            return Ok(Outcome::Link(
                issued,
                flow_name,
                "New link sent to the corrected address",
            ));
        }
        if waiting && sent_to != to {
            crate::outbox::queries::cancel_waiting(conn, &[message], &format!("replaced: sent again to {to}"))?;
        } else if status != "failed" && !(status == "sent" && sent_to != to) {
            return Ok(Outcome::Refused(
                "This link's email has not failed, so there is nothing to send again.".into(),
            ));
        }
        let error = error
            .filter(|_| status == "failed")
            .or(Some(format!("{status} to {sent_to}")));
        // Cc's who had their copy already (their server took it when the
        // recipient's refused it) do not get it twice.
        let cc_had_it = status == "failed"
            && error
                .as_deref()
                .is_some_and(|e| e.contains(crate::outbox::CC_GOT_THEIR_COPY));
        let copy = crate::outbox::queue_copy(conn, message, &to, !cc_had_it, c.now)?;
        // The copy carries the link now: the email it was made from needs
        // its token no longer.
        crate::outbox::queries::forget_links(conn, &[message])?;
        verifications::set_link_email(conn, link.id, copy)?;
        record(
            conn,
            c,
            applicant.id,
            EventKind::LinkEmailResent,
            json!({ "to": to, "earlier_failure": error }),
        )?;
        Ok(Outcome::Done(format!("The link's email is queued again, to {to}.")))
    })
    .await
}

/// POST /applicants/{id}/flow — move to another flow, keeping passed steps it shares.
pub async fn change_flow(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsReview)?;
    let id = parse_id(&path)?;
    let flow: Option<Uuid> = form.flow_id.parse().ok();
    run_action(&ctx, id, &form, Applies::ToUndecided(APPROVED_IS_DECIDED), move |conn, applicant, c| {
        let Some(target) = flow.map(|f| verifications::usable_flow(conn, f)).transpose()?.flatten() else {
            return Ok(Outcome::Refused("Choose a published flow to move to.".into()));
        };
        if target.kind != "regular" {
            return Ok(Outcome::Refused(
                "Choose a regular flow; on-demand flows are for requesting more information.".into(),
            ));
        }
        let previous = current_verification(conn, applicant)?;
        let Some(flow_id) = flow else {
            return Ok(Outcome::Refused("Choose a flow.".into()));
        };
        if previous.is_some() && applicant.flow_id == Some(flow_id) {
            return Ok(Outcome::Refused(format!(
                "The applicant is already on {}. To let them continue, generate a link; to start over, reset the verification status.",
                target.name
            )));
        }
        if let Some((old, _, _)) = &previous {
            verifications::revoke_links_of(conn, *old, "the applicant moved to another flow", c.now)?;
        }
        let new = verifications::start(
            conn,
            applicant.id,
            flow_id,
            target.version_id,
            "regular",
            &target.definition,
            Some(c.by),
            c.now,
        )?;
        let kept = match &previous {
            Some((old, _, _)) => verifications::carry_over_results(conn, *old, new, &target.definition)?,
            None => 0,
        };
        // With results kept, the applicant stands where those results put
        // them: part done ("Incomplete") if they had started, still "Not
        // initiated" if an officer settled steps for one who never did.
        let mut status_now = Status::Init;
        if kept > 0 {
            let moved = Applicant {
                current_verification_id: Some(new),
                ..applicant.clone()
            };
            let now = standing(conn, &moved)?;
            // Started on any flow before, not only the one it leaves: a
            // move there and back keeps "Incomplete".
            let started = verifications::applicant_ever_started(conn, applicant.id)?;
            status_now = match (now.to_do, started) {
                (false, _) => reviewed(applicant, now.settled),
                (true, true) => Status::Incomplete,
                (true, false) => Status::Init,
            };
            set_status(conn, applicant.id, status_now)?;
        }
        record(
            conn,
            c,
            applicant.id,
            EventKind::FlowChanged,
            json!({
                "from": previous.map(|p| p.2).unwrap_or_default(),
                "to": target.name,
                "kept_results": kept,
                "status": status_now.label(),
            }),
        )?;
        let kept_text = match kept {
            0 => "no step result was kept".to_string(),
            1 => "1 passed step result was kept".to_string(),
            n => format!("{n} passed step results were kept"),
        };
        Ok(Outcome::Done(format!(
            "Moved to {}; {kept_text}. Generate a link for the applicant to continue.",
            target.name
        )))
    })
    .await
}

/// POST /applicants/{id}/reset — back to "Not initiated" and email a fresh start.
pub async fn reset(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsReview)?;
    let id = parse_id(&path)?;
    run_action(&ctx, id, &form, Applies::ToCase, move |conn, applicant, c| {
        let Some((verification, def, flow_name)) = current_verification(conn, applicant)? else {
            return Ok(Outcome::Refused("There is no verification to reset.".into()));
        };
        let moved = verifications::reset_results(conn, verification, c.now)?;
        set_status(conn, applicant.id, Status::Init)?;
        let note = "We need you to start your verification again. Your earlier answers were set aside.";
        let email = default_email(applicant, true, subjects::START_AGAIN, Some(note));
        let emailed = email.is_some();
        let issued = relink(conn, c, applicant, verification, &def, email, Some(note))?;
        record(conn, c, applicant.id, EventKind::VerificationReset, json!({ "flow": flow_name, "results_to_history": moved, "email": if emailed { "queued" } else { "none: no address" } }))?;
        // Without an address, the new link is shown once, to send by hand.
        Ok(if emailed {
            Outcome::Done(
                "Reset to Not initiated; earlier results are in the history, and an email with a new link is on its way to the applicant.".into(),
            )
        } else {
            Outcome::Link(issued, flow_name, "Reset to Not initiated")
        })
    })
    .await
}

/// POST /applicants/{id}/request-info — an on-demand flow, status unchanged.
pub async fn request_info(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsSendLinks)?;
    let id = parse_id(&path)?;
    let flow: Option<Uuid> = form.flow_id.parse().ok();
    let message = form.message.trim().to_string();
    let wanted = form.send_email.is_some();
    let mut errors = free_text_errors(&[("message", "The message", &message)]);
    if message.is_empty() || message.chars().count() > 2000 {
        errors.add(
            "message",
            "Write a message (up to 2000 characters) telling the applicant what is needed.",
        );
    }
    if !errors.is_empty() {
        return invalid_profile_page(&ctx, id, form, errors).await;
    }
    run_action(&ctx, id, &form, Applies::ToOpenCase, move |conn, applicant, c| {
        let Some(target) = flow
            .map(|f| verifications::usable_flow(conn, f))
            .transpose()?
            .flatten()
            .filter(|t| t.kind == "on_demand")
        else {
            return Ok(Outcome::Refused("Choose a published on-demand flow.".into()));
        };
        let Some(flow_id) = flow else {
            return Ok(Outcome::Refused("Choose a flow.".into()));
        };
        let verification = verifications::start(
            conn,
            applicant.id,
            flow_id,
            target.version_id,
            "on_demand",
            &target.definition,
            Some(c.by),
            c.now,
        )?;
        let mut events = audit::Batch::new(c.now, &c.actor);
        let issued = issue_link(
            conn,
            &c.base_url,
            applicant,
            verification,
            Duration::hours(i64::from(target.definition.settings.link_expiry_hours)),
            i32::try_from(target.definition.settings.session_minutes).unwrap_or(30),
            i32::try_from(target.definition.settings.max_attempts).unwrap_or(10),
            default_email(applicant, wanted, subjects::MORE_INFORMATION, Some(&message)),
            Some(&message),
            &mut events,
        )?;
        events.add(
            EventKind::InformationRequested,
            Some(("applicant", applicant.id.to_string())),
            json!({ "flow": target.name, "message": message }),
        );
        events.write(conn)?;
        Ok(Outcome::Link(issued, target.name, "Additional information requested"))
    })
    .await
}

/// A step result of the applicant's current verification, the one the
/// tracker shows: those of a verification it replaced are its record and
/// stay as they were.
fn find_result(
    conn: &mut PgConnection,
    applicant: &Applicant,
    result: Uuid,
) -> Result<Option<verifications::StepResult>, AppError> {
    use crate::db::schema::step_results;
    let Some(current) = applicant.current_verification_id else {
        return Ok(None);
    };
    let found = step_results::table
        .filter(step_results::id.eq(result))
        .filter(step_results::verification_id.eq(current))
        .select(verifications::StepResult::as_select())
        .first(conn)
        .optional()?;
    Ok(found)
}

/// What an action on a step result did: the timeline event, its details,
/// and the message for the officer; or why it was refused.
type ResultChange = Result<(EventKind, serde_json::Value, String), String>;

/// Runs an action on one step result of the current verification, active
/// or in the history as `active` says: the case is then resettled from its
/// results and the change recorded on the timeline.
async fn change_result<F>(
    ctx: &Ctx,
    (id, result): (Uuid, Uuid),
    form: &ProfileForm,
    active: bool,
    change: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut PgConnection, &verifications::StepResult, &Context) -> Result<ResultChange, AppError>
        + Send
        + 'static,
{
    run_action(
        ctx,
        id,
        form,
        Applies::ToUndecided(APPROVED_RESULTS),
        move |conn, applicant, c| {
            let Some(found) = find_result(conn, applicant, result)?.filter(|r| r.active == active) else {
                // Another applicant's result is none of this page's business.
                if !verifications::result_is_applicants(conn, result, applicant.id)? {
                    return Err(AppError::NotFound);
                }
                return Ok(Outcome::Refused(if active {
                    "That step result is no longer the active one.".into()
                } else {
                    "That result is not in the history.".into()
                }));
            };
            let (kind, details, done) = match change(conn, &found, c)? {
                Ok(changed) => changed,
                Err(refusal) => return Ok(Outcome::Refused(refusal)),
            };
            resettle(conn, applicant)?;
            record(conn, c, applicant.id, kind, details)?;
            Ok(Outcome::Done(done))
        },
    )
    .await
}

/// The two ids a path names: the applicant's, then a link's or a result's.
fn two_ids(path: web::Path<(String, String)>) -> Result<(Uuid, Uuid), AppError> {
    let (id, result) = path.into_inner();
    Ok((parse_id(&id)?, parse_id(&result)?))
}

/// POST /applicants/{id}/results/{result}/resolve
pub async fn resolve_result(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    CsrfForm(mut form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsReview)?;
    let (id, result) = two_ids(path)?;
    form.resolving = Some(result);
    let comment = form.resolve_comment.trim().to_string();
    let mut errors = free_text_errors(&[("resolve_comment", "The reason", &comment)]);
    if comment.is_empty() || comment.chars().count() > 2000 {
        errors.add(
            "resolve_comment",
            "Say why you settle this step by hand (up to 2000 characters).",
        );
    }
    // Shown next to the step's field, with the step's panel open.
    if !errors.is_empty() {
        return invalid_profile_page(&ctx, id, form, errors).await;
    }
    change_result(&ctx, (id, result), &form, true, move |conn, found, c| {
        // A second resolve would replace the first one's reason unseen.
        if found.status == "RESOLVED" {
            return Ok(Err(format!(
                "This step is resolved by hand already, for the reason \u{201c}{}\u{201d}. \
                 To settle it again, move the result to the history first. \
                 Your reason, not saved: \u{201c}{comment}\u{201d}.",
                found.comment.as_deref().unwrap_or_default()
            )));
        }
        verifications::resolve_result(conn, found.id, &comment, c.now)?;
        Ok(Ok((
            EventKind::StepResolved,
            json!({ "step": found.step_kind, "from": found.status, "comment": comment }),
            "Step resolved by hand.".into(),
        )))
    })
    .await
}

/// POST /applicants/{id}/results/{result}/deactivate
pub async fn deactivate_result(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsReview)?;
    change_result(&ctx, two_ids(path)?, &form, true, |conn, found, c| {
        if found.status == "NOT_STARTED" {
            return Ok(Err(
                "That step has not started, so there is no result to move to the history.".into(),
            ));
        }
        verifications::deactivate_result(conn, found, c.now)?;
        Ok(Ok((
            EventKind::StepDeactivated,
            json!({ "step": found.step_kind, "status": found.status }),
            "Result moved to the step's history. Generate a new link so the applicant can redo the step.".into(),
        )))
    })
    .await
}

/// POST /applicants/{id}/results/{result}/reactivate
pub async fn reactivate_result(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsReview)?;
    change_result(&ctx, two_ids(path)?, &form, false, |conn, found, c| {
        verifications::reactivate_result(conn, found, c.now)?;
        Ok(Ok((
            EventKind::StepReactivated,
            json!({ "step": found.step_kind, "status": found.status }),
            "Result restored from the history.".into(),
        )))
    })
    .await
}

/// POST /applicants/{id}/reviewer
pub async fn assign_reviewer(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsReview)?;
    let id = parse_id(&path)?;
    appoint(ctx, id, form, Applies::ToOpenCase).await
}

/// POST /applicants/{id}/take — the list's "Take": the officer reviews the
/// case themselves. It asks no version: taking a case nobody reviews
/// undoes nobody's work. Taken already by this officer (a double click),
/// it is done; by someone else, it is refused, naming them.
pub async fn take(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(mut form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsReview)?;
    let id = parse_id(&path)?;
    form.reviewer_id = ctx.member.id.0.to_string();
    appoint(ctx, id, form, Applies::Taking).await
}

/// Assigns the reviewer the form names.
async fn appoint(ctx: Ctx, id: Uuid, form: ProfileForm, applies: Applies) -> Result<HttpResponse, AppError> {
    // Empty removes the reviewer; anything else must be a member's id.
    let chosen = form.reviewer_id.trim().to_string();
    let reviewer: Option<Uuid> = chosen.parse().ok();
    // A case decided for good has nothing left to review; a reset reopens it.
    run_action(&ctx, id, &form, applies, move |conn, applicant, c| {
        if applies == Applies::Taking
            && let Some(current) = applicant.reviewer_id
        {
            if current == c.by {
                return Ok(Outcome::AlreadyDone("You are reviewing this applicant.".into()));
            }
            let name = super::queries::reviewers(conn)?
                .into_iter()
                .find(|(id, _)| *id == current)
                .map_or_else(|| "Another member".to_string(), |(_, n)| n);
            return Ok(Outcome::Refused(format!("{name} already reviews this applicant.")));
        }
        if applicant.status == Status::Approved.code() {
            return Ok(Outcome::Refused(
                "This applicant is approved, so there is nothing left to review.".into(),
            ));
        }
        if !chosen.is_empty() && reviewer.is_none() {
            return Ok(Outcome::Refused("Choose a reviewer from the list.".into()));
        }
        let name = match reviewer {
            Some(r) => {
                let Some(name) = super::queries::reviewers(conn)?.into_iter().find(|(id, _)| *id == r) else {
                    return Ok(Outcome::Refused(
                        "Choose an active member who may review applicants.".into(),
                    ));
                };
                name.1
            }
            None => String::new(),
        };
        set_reviewer(conn, applicant, reviewer)?;
        let status = Status::from_code(&applicant.status).unwrap_or(Status::Init);
        record(
            conn,
            c,
            applicant.id,
            EventKind::ReviewerAssigned,
            json!({ "reviewer": if name.is_empty() { "nobody".to_string() } else { name.clone() } }),
        )?;
        let mine = reviewer == Some(c.by);
        let who = if mine { "You" } else { name.as_str() };
        Ok(Outcome::Done(if name.is_empty() {
            "Reviewer removed.".into()
        } else if matches!(status, Status::Init | Status::Incomplete | Status::Rejected) {
            format!("{who} will review this applicant once they have finished their verification.")
        } else {
            format!("{who} {} reviewing this applicant.", if mine { "are" } else { "is" })
        }))
    })
    .await
}

/// Where the current verification's results put an applicant, read once.
struct Standing {
    /// Where one who had finished stands: on hold while a result failed or
    /// needs an officer's look, incomplete while a step is still to do,
    /// completed once all are settled.
    settled: Status,
    /// Whether a step still waits for the applicant.
    to_do: bool,
}

fn standing(conn: &mut PgConnection, applicant: &Applicant) -> QueryResult<Standing> {
    let Some(verification) = applicant.current_verification_id else {
        return Ok(Standing {
            settled: Status::Completed,
            to_do: false,
        });
    };
    let results = verifications::results_of(conn, verification)?;
    let active = || results.iter().filter(|r| r.active);
    let flagged = active().any(|r| matches!(r.status.as_str(), "NEEDS_REVIEW" | "FAILED"));
    let to_do = active().any(|r| matches!(r.status.as_str(), "NOT_STARTED" | "OPEN"));
    let settled = if flagged {
        Status::OnHold
    } else if to_do {
        Status::Incomplete
    } else {
        Status::Completed
    };
    Ok(Standing { settled, to_do })
}

/// After an officer settles a result by hand, an applicant waiting for
/// checks or a decision moves to where the results now put them. In review
/// stays in review, and an applicant still working keeps their status.
///
/// An applicant incomplete because a result was moved to the history moves
/// too once no step is left to do (the result restored, or the step
/// resolved by hand): they had finished, and have again. So does one who
/// never started, once an officer has settled every step (documents
/// received another way): the case waits for a decision.
fn resettle(conn: &mut PgConnection, applicant: &Applicant) -> QueryResult<()> {
    let status = Status::from_code(&applicant.status).unwrap_or(Status::Init);
    let (moves, once_done) = match status {
        Status::InProgress | Status::OnHold | Status::Completed => (true, false),
        Status::Incomplete | Status::Init => (applicant.current_verification_id.is_some(), true),
        _ => (false, false),
    };
    if !moves {
        return Ok(());
    }
    let now = standing(conn, applicant)?;
    let mut settled = now.settled;
    // With a step to do again, one who never started is back at the
    // start, not "Incomplete".
    if settled == Status::Incomplete
        && let Some(v) = applicant.current_verification_id
        && !verifications::ever_started(conn, v)?
    {
        settled = Status::Init;
    }
    let settled = reviewed(applicant, settled);
    if (!once_done || !now.to_do) && settled != status {
        set_status(conn, applicant.id, settled)?;
    }
    Ok(())
}

/// A finished applicant whose reviewer was named beforehand is in review,
/// as one given a reviewer after finishing is (see `set_reviewer`).
fn reviewed(applicant: &Applicant, settled: Status) -> Status {
    let finished = matches!(settled, Status::InProgress | Status::OnHold | Status::Completed);
    if finished && applicant.reviewer_id.is_some() {
        Status::InReview
    } else {
        settled
    }
}

/// Why links are withdrawn once a verification is decided.
const DECIDED: &str = crate::verifications::links::DECIDED;

/// Why an approved verification's results are not settled again.
const APPROVED_RESULTS: &str = "This applicant is approved, so its step results stay as they were approved. To verify them again, create a new verification session.";

/// Why an approved verification is not restarted or moved: its evidence
/// must stay as it was approved. A new session starts a new one.
const APPROVED_IS_DECIDED: &str = "This applicant is approved, so its verification stays as it was approved. To verify them again, create a new verification session; the approval stays on the timeline.";

/// What keeps a step from approval.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Unsettled {
    /// Its check failed.
    Failed,
    /// A check raised a flag (a screening hit, a duplicate): a person must
    /// look, and resolve it by hand, before anyone approves.
    NeedsReview,
    /// Still waiting for the applicant or a check.
    ToDo,
}

/// The steps of a verification's `results` not yet settled (passed, or
/// resolved by hand), each once, with why.
fn unsettled_steps(results: &[verifications::StepResult]) -> Vec<(&'static str, Unsettled)> {
    // In the flow's order: a step's first result was written with the
    // others, in that order; a result opened again later keeps its place.
    let place = |step: uuid::Uuid| results.iter().position(|r| r.step_id == step);
    let mut active: Vec<&verifications::StepResult> = results.iter().filter(|r| r.active).collect();
    active.sort_by_key(|r| place(r.step_id));
    let mut steps: Vec<(&'static str, Unsettled)> = Vec::new();
    for r in active {
        let why = match r.status.as_str() {
            "PASSED" | "RESOLVED" => continue,
            "FAILED" => Unsettled::Failed,
            "NEEDS_REVIEW" => Unsettled::NeedsReview,
            _ => Unsettled::ToDo,
        };
        let step = (StepKind::from_key(&r.step_kind).map_or("a step", StepKind::label), why);
        if !steps.contains(&step) {
            steps.push(step);
        }
    }
    steps
}

/// Why the current verification, with these `results` (`None` without
/// one), cannot be approved yet, if it cannot, after `lead`. The profile
/// says it next to the Approve button ("Approval waits"); approving says it
/// again ("Not approved"), in case the page was old.
pub(crate) fn approval_blocker(results: Option<&[verifications::StepResult]>, lead: &str) -> Option<String> {
    let Some(results) = results else {
        return Some("There is no verification to approve yet: create a verification session first.".into());
    };
    let steps = unsettled_steps(results);
    (!steps.is_empty()).then(|| not_approved(&steps, lead))
}

/// Why approval waits: the failed steps, those that need a look, then
/// those still to do.
fn not_approved(steps: &[(&'static str, Unsettled)], lead: &str) -> String {
    let named = |why: Unsettled| -> Vec<&str> { steps.iter().filter(|s| s.1 == why).map(|s| s.0).collect() };
    let (failed, flagged, to_do) = (
        named(Unsettled::Failed),
        named(Unsettled::NeedsReview),
        named(Unsettled::ToDo),
    );
    let mut parts = Vec::new();
    if !failed.is_empty() {
        parts.push(format!("{} failed", list_of_steps(&failed)));
    }
    if !flagged.is_empty() {
        let verb = if flagged.len() == 1 { "needs" } else { "need" };
        parts.push(format!("{} {verb} review", list_of_steps(&flagged)));
    }
    if !to_do.is_empty() {
        let verb = if to_do.len() == 1 { "is" } else { "are" };
        parts.push(format!("{} {verb} not finished", list_of_steps(&to_do)));
    }
    let advice = match (flagged.is_empty(), to_do.is_empty()) {
        (true, _) => "Wait for the applicant, or resolve a step by hand if you checked it yourself.",
        (false, true) => "Look at what was flagged, then resolve the step by hand with what you found.",
        (false, false) => {
            "Look at what was flagged, then resolve the step by hand with what you found; wait for the applicant for the rest."
        }
    };
    format!("{lead}: {}. {advice}", parts.join("; "))
}

/// "Intro", "Intro and Liveness", "Intro, Liveness and Final screen".
fn list_of_steps(steps: &[&str]) -> String {
    match steps {
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    }
}

/// Assigns (or, with `None`, removes) the reviewer. An applicant who has
/// finished is then `IN_REVIEW`; before that, the reviewer is named and the
/// status still says where the applicant is. Shared with the demo data.
pub(crate) fn set_reviewer(conn: &mut PgConnection, applicant: &Applicant, reviewer: Option<Uuid>) -> QueryResult<()> {
    diesel::update(applicants::table.find(applicant.id))
        .set(applicants::reviewer_id.eq(reviewer))
        .execute(conn)?;
    let status = Status::from_code(&applicant.status).unwrap_or(Status::Init);
    let finished = matches!(status, Status::InProgress | Status::OnHold | Status::Completed);
    if reviewer.is_some() && finished {
        set_status(conn, applicant.id, Status::InReview)?;
    }
    // Nobody reviews it any more: it stands where its results put it.
    if reviewer.is_none() && status == Status::InReview {
        let settled = standing(conn, applicant)?.settled;
        set_status(conn, applicant.id, settled)?;
    }
    Ok(())
}

/// Stores a decision by member `by` on the applicant's current
/// verification, with the reasons and comments typed in `form`. Shared
/// with the demo data, whose decisions are stored as real ones are.
pub(crate) fn insert_review(
    conn: &mut PgConnection,
    by: Uuid,
    at: DateTime<Utc>,
    applicant: &Applicant,
    decision: &str,
    form: &ProfileForm,
) -> Result<(), AppError> {
    let current = applicant.current_verification_id;
    // Only what the decision's form asks is kept: an approval has no
    // reasons and no words for the applicant, and only a retry names steps.
    let rejected = decision == "rejected";
    let retry = rejected && form.rejection_type == "retry";
    diesel::insert_into(reviews::table)
        .values((
            reviews::id.eq(Uuid::new_v4()),
            reviews::applicant_id.eq(applicant.id),
            reviews::verification_id.eq(current),
            reviews::decision.eq(decision),
            reviews::rejection_type.eq(rejected.then(|| form.rejection_type.clone())),
            reviews::reasons.eq(if rejected { form.reasons.clone() } else { Vec::new() }),
            reviews::comment_applicant.eq(Some(form.comment_applicant.trim()).filter(|s| rejected && !s.is_empty())),
            reviews::comment_internal.eq(Some(form.comment_internal.trim()).filter(|s| !s.is_empty())),
            reviews::retry_steps.eq(if retry { form.retry_steps.clone() } else { Vec::new() }),
            reviews::member_id.eq(by),
            reviews::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// POST /applicants/{id}/approve
pub async fn approve(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsReview)?;
    let id = parse_id(&path)?;
    let mut errors = free_text_errors(&[
        ("comment_internal", "The internal comment", &form.comment_internal),
        ("approve_note", "The note", &form.approve_note),
    ]);
    if form.approve_note.chars().count() > 2000 {
        errors.add("approve_note", "Keep the note to 2000 characters.");
    }
    if !errors.is_empty() {
        return invalid_profile_page(&ctx, id, form, errors).await;
    }
    let mut values = form.clone();
    // The note from the profile's approval form; a request with the older
    // field name (a script's) still works.
    if !values.approve_note.trim().is_empty() {
        values.comment_internal = std::mem::take(&mut values.approve_note);
    }
    run_action(&ctx, id, &form, Applies::ToOpenCase, move |conn, applicant, c| {
        if applicant.status == Status::Approved.code() {
            return Ok(Outcome::Refused("This applicant is already approved.".into()));
        }
        if values.comment_internal.chars().count() > 2000 {
            return Ok(Outcome::Refused("Keep the internal comment to 2000 characters.".into()));
        }
        let results = match applicant.current_verification_id {
            Some(v) => Some(verifications::results_of(conn, v)?),
            None => None,
        };
        if let Some(blocker) = approval_blocker(results.as_deref(), "Not approved") {
            return Ok(Outcome::Refused(blocker));
        }
        insert_review(conn, c.by, c.now, applicant, "approved", &values)?;
        set_status(conn, applicant.id, Status::Approved)?;
        verifications::revoke_links(conn, applicant.id, DECIDED, c.now)?;
        record(
            conn,
            c,
            applicant.id,
            EventKind::ApplicantApproved,
            json!({ "comment": values.comment_internal.trim() }),
        )?;
        Ok(Outcome::Done("Approved.".into()))
    })
    .await
}

/// POST /applicants/{id}/reject
pub async fn reject(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsReview)?;
    let id = parse_id(&path)?;
    let mut errors = free_text_errors(&[
        (
            "comment_applicant",
            "The comment for the applicant",
            &form.comment_applicant,
        ),
        ("comment_internal", "The internal comment", &form.comment_internal),
    ]);
    // What the form alone tells, next to its fieldset; whether the steps
    // ticked are the flow's is known inside the transaction.
    if !matches!(form.rejection_type.as_str(), "final" | "retry") {
        errors.add("rejection_type", "Choose final or retry.");
    }
    if form.reasons.is_empty()
        || form
            .reasons
            .iter()
            .any(|r| !REJECTION_REASONS.iter().any(|(k, _)| k == r))
    {
        errors.add("reasons", "Tick at least one reason.");
    }
    if form.rejection_type == "retry" && form.retry_steps.is_empty() {
        errors.add("retry_steps", "Tick the steps the applicant must redo.");
    } else if form.rejection_type == "retry" && form.retry_steps.iter().any(|k| StepKind::from_key(k).is_none()) {
        errors.add("retry_steps", "Tick steps from the list.");
    } else if form.rejection_type == "retry"
        && !form
            .retry_steps
            .iter()
            .any(|k| StepKind::from_key(k).is_some_and(StepKind::can_be_redone))
    {
        // Their new link would ask nothing of them.
        errors.add(
            "retry_steps",
            "A retry asks the applicant to redo a step, and face match and screening run without them, \
             while the final screen only thanks them. Tick a step they do (a new selfie, say), \
             or resolve the check by hand.",
        );
    }
    for (field, text) in [
        ("comment_applicant", &form.comment_applicant),
        ("comment_internal", &form.comment_internal),
    ] {
        if text.chars().count() > 2000 {
            errors.add(field, "Keep the comment to 2000 characters.");
        }
    }
    if !errors.is_empty() {
        return invalid_profile_page(&ctx, id, form, errors).await;
    }
    let mut values = form.clone();
    // A reason or step ticked twice (by a hand-made request) counts once.
    for list in [&mut values.reasons, &mut values.retry_steps] {
        let mut seen = std::collections::HashSet::new();
        list.retain(|item| seen.insert(item.clone()));
    }
    run_action(&ctx, id, &form, Applies::ToOpenCase, move |conn, applicant, c| {
        let current = current_verification(conn, applicant)?;
        // A decision is on a verification: without one there is nothing to
        // decide, and a final rejection could not be reset.
        if current.is_none() {
            return Ok(Outcome::Refused(
                "There is no verification to reject yet: create a verification session first.".into(),
            ));
        }
        if values.rejection_type == "retry" {
            let Some((_, def, _)) = &current else {
                return Ok(Outcome::Refused("There is no verification to retry.".into()));
            };
            if values.retry_steps.iter().any(|s| !def.steps.iter().any(|x| x.config.kind().key() == s)) {
                return Ok(Outcome::Refused(
                    "Not rejected: tick only steps of the applicant's flow to redo.".into(),
                ));
            }
        }
        insert_review(conn, c.by, c.now, applicant, "rejected", &values)?;
        set_status(conn, applicant.id, Status::Rejected)?;
        record(
            conn,
            c,
            applicant.id,
            EventKind::ApplicantRejected,
            json!({
                "type": values.rejection_type,
                "reasons": values.reasons.join(", "),
                "retry_steps": if values.rejection_type == "retry" { values.retry_steps.join(", ") } else { String::new() },
            }),
        )?;
        if values.rejection_type == "final" {
            verifications::revoke_links(conn, applicant.id, DECIDED, c.now)?;
        }
        if let (Some((verification, def, flow_name)), "retry") = (current, values.rejection_type.as_str()) {
            let results = verifications::results_of(conn, verification)?;
            // A step not started is to do already: nothing goes to its history.
            for r in results
                .iter()
                .filter(|r| r.active && r.status != "NOT_STARTED" && values.retry_steps.contains(&r.step_kind))
            {
                verifications::deactivate_result(conn, r, c.now)?;
            }
            // The steps in the applicant's words, in the flow's order.
            let redo: Vec<&str> = def
                .steps
                .iter()
                .map(|s| s.config.kind())
                .filter(|k| k.can_be_redone() && values.retry_steps.iter().any(|r| r == k.key()))
                .map(StepKind::applicant_label)
                .collect();
            let mut note = if redo.is_empty() {
                "We need you to redo part of your verification.".to_string()
            } else {
                format!("We need you to redo part of your verification: {}.", redo.join(", "))
            };
            if !values.comment_applicant.trim().is_empty() {
                note = format!("{note}\n\n{}", values.comment_applicant.trim());
            }
            let email = default_email(applicant, true, subjects::REDO, Some(&note));
            let issued = relink(conn, c, applicant, verification, &def, email, Some(&note))?;
            return Ok(Outcome::Link(issued, flow_name, "Rejected for a retry: a new link for the steps named"));
        }
        Ok(Outcome::Done("Rejected.".into()))
    })
    .await
}

/// POST /applicants/{id}/comments
pub async fn comment(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsReview)?;
    let id = parse_id(&path)?;
    let text = form.comment.trim().to_string();
    let mut errors = free_text_errors(&[("comment", "The comment", &text)]);
    if text.is_empty() || text.chars().count() > 4000 {
        errors.add("comment", "Write a comment of up to 4000 characters.");
    }
    if !errors.is_empty() {
        return invalid_profile_page(&ctx, id, form, errors).await;
    }
    let seen: Option<i32> = form.lock_version.trim().parse().ok();
    run_action(&ctx, id, &form, Applies::AsComment, move |conn, applicant, c| {
        // A page older than the applicant's last change, sent again with
        // words this officer already posted, is a replay (a reload) too.
        let stale = seen.is_some_and(|v| v < applicant.lock_version);
        if just_said(conn, applicant.id, c, &text, stale)? {
            return Ok(Outcome::AlreadyDone("Comment added.".into()));
        }
        record(
            conn,
            c,
            applicant.id,
            EventKind::ApplicantCommented,
            json!({ "comment": text }),
        )?;
        Ok(Outcome::Done("Comment added.".into()))
    })
    .await
}

/// Whether `text` was just said by this officer: the thread's last comment,
/// theirs, from the last two minutes (the same form sent twice: a double
/// click, a reload that posts again). Once anyone else has commented, the
/// same words are a new answer and are added, unless the form is `stale`
/// (shown before the changes since): then any comment of theirs with
/// these words in the last ten minutes makes it a replay.
fn just_said(conn: &mut PgConnection, applicant: Uuid, c: &Context, text: &str, stale: bool) -> QueryResult<bool> {
    use crate::db::schema::events;
    let recent: Vec<(Option<Uuid>, DateTime<Utc>, serde_json::Value)> = events::table
        .filter(events::subject_type.eq("applicant"))
        .filter(events::subject_id.eq(applicant.to_string()))
        .filter(events::kind.eq(EventKind::ApplicantCommented.code()))
        .filter(events::occurred_at.gt(c.now - Duration::minutes(10)))
        .order(events::id.desc())
        .select((events::actor_member_id, events::occurred_at, events::details))
        .limit(50)
        .load(conn)?;
    let same = |(by, _, details): &(Option<Uuid>, DateTime<Utc>, serde_json::Value)| {
        *by == Some(c.by) && details.get("comment").and_then(|v| v.as_str()) == Some(text)
    };
    Ok(if stale {
        recent.iter().any(same)
    } else {
        recent
            .first()
            .is_some_and(|last| same(last) && c.now - last.1 < Duration::minutes(2))
    })
}

/// POST /applicants/{id}/deletion
pub async fn schedule_deletion(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsDelete)?;
    let id = parse_id(&path)?;
    run_action(&ctx, id, &form, Applies::ToCase, move |conn, applicant, c| {
        diesel::update(applicants::table.find(applicant.id))
            .set(applicants::deletion_scheduled_at.eq(c.now))
            .execute(conn)?;
        verifications::revoke_links(conn, applicant.id, "the applicant is scheduled for deletion", c.now)?;
        let purge = super::profile::purge_time(c.now);
        record(
            conn,
            c,
            applicant.id,
            EventKind::DeletionScheduled,
            json!({ "purge_after": purge.to_rfc3339() }),
        )?;
        // The banner on the profile says when the purge comes; this says
        // what else happened.
        Ok(Outcome::Done(
            "Deletion scheduled. The applicant's links were withdrawn.".into(),
        ))
    })
    .await
}

/// POST /applicants/{id}/restore
pub async fn restore(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsDelete)?;
    let id = parse_id(&path)?;
    run_action(&ctx, id, &form, Applies::ToScheduledForDeletion, move |conn, applicant, c| {
        let Some(scheduled) = applicant.deletion_scheduled_at else {
            return Ok(Outcome::Refused("This applicant is not scheduled for deletion.".into()));
        };
        if super::profile::purge_time(scheduled) <= c.now {
            return Ok(Outcome::Refused(format!(
                "The {DELETION_GRACE_DAYS} days to restore this applicant are over; the personal data is being purged."
            )));
        }
        diesel::update(applicants::table.find(applicant.id))
            .set(applicants::deletion_scheduled_at.eq(None::<DateTime<Utc>>))
            .execute(conn)?;
        record(conn, c, applicant.id, EventKind::DeletionCancelled, json!({}))?;
        Ok(Outcome::Done(
            "Restored: the deletion is cancelled. The links it withdrew stay withdrawn: generate a link or create a session when the applicant is to continue.".into(),
        ))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_approval_names_failed_steps_apart() {
        assert_eq!(
            not_approved(
                &[
                    ("AML screening", Unsettled::Failed),
                    ("Liveness", Unsettled::ToDo),
                    ("Final screen", Unsettled::ToDo)
                ],
                "Not approved"
            ),
            "Not approved: AML screening failed; Liveness and Final screen are not finished. \
             Wait for the applicant, or resolve a step by hand if you checked it yourself."
        );
        assert_eq!(
            not_approved(&[("AML screening", Unsettled::NeedsReview)], "Not approved"),
            "Not approved: AML screening needs review. \
             Look at what was flagged, then resolve the step by hand with what you found."
        );
    }

    #[test]
    fn steps_waiting_are_named_in_the_flows_order() {
        let at = chrono::Utc::now();
        let result = |step: u128, kind: &str, active: bool| verifications::StepResult {
            id: uuid::Uuid::now_v7(),
            verification_id: uuid::Uuid::nil(),
            step_id: uuid::Uuid::from_u128(step),
            step_kind: kind.into(),
            status: "NOT_STARTED".into(),
            active,
            comment: None,
            started_at: None,
            completed_at: None,
            deactivated_at: None,
            created_at: at,
        };
        // The document check's result was moved to history and opened
        // again: the new one comes last, and still reads first.
        let results = [
            result(1, "document_check", false),
            result(2, "liveness", true),
            result(3, "final_screen", true),
            result(1, "document_check", true),
        ];
        let named: Vec<&str> = unsettled_steps(&results).iter().map(|s| s.0).collect();
        assert_eq!(named, ["Document check", "Liveness", "Final screen"]);
    }
}
