//! What officers do on the profile: restart with a new link, change flow,
//! reset, request more information, settle step results, review and
//! decide, comment, schedule deletion. Every action checks its permission,
//! is audited, and uses optimistic locking: the form carries the version
//! the officer saw, and a change by someone else meanwhile wins clearly
//! without losing what this officer typed.

mod deletion;
mod links;
mod results;
mod review;
mod standing;

use deletion::{restore, schedule_deletion};
use links::{change_flow, generate_link, request_info, reset, send_link_again};
use results::{deactivate_result, reactivate_result, resolve_result};
pub(crate) use review::{approval_blocker, insert_review, set_reviewer};
use review::{approve, assign_reviewer, comment, reject, take};
use standing::{APPROVED_IS_DECIDED, APPROVED_RESULTS, DECIDED, resettle, reviewed, standing};

use super::models::{Applicant, Status};
use super::profile::{DELETION_GRACE_DAYS, ProfileForm, REJECTION_REASONS, invalid_profile_page, profile_page};
use crate::audit::{self, Actor, EventKind};
use crate::auth::permissions::Permission;
use crate::db;
use crate::db::schema::{applicants, reviews};
use crate::email_templates::wording::{self, Purpose};
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
    /// The value chosen in a field cannot be used (a flow unpublished
    /// meanwhile, say): the message goes by that field.
    Invalid(&'static str, String),
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
                "{changed} Your action was not applied: check the page below; what you typed is kept."
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
        if !matches!(
            outcome,
            Outcome::Refused(_) | Outcome::Invalid(..) | Outcome::AlreadyDone(_)
        ) {
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
        Ok((Outcome::Invalid(field, message), _)) => {
            let mut errors = FormErrors::new();
            errors.add(field, message);
            invalid_profile_page(ctx, id, form.clone(), errors).await
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

/// A message for free text longer than `max` characters, saying how long it
/// is: "too long" alone leaves the officer guessing how much to cut.
fn too_long(what: &str, text: &str, max: usize) -> Option<String> {
    let count = text.chars().count();
    (count > max).then(|| format!("{what} is {count} characters long; keep it to {max}."))
}

/// Adds to `errors` what is wrong with text an action needs: `if_empty`
/// when there is none, its length when it is longer than `max`.
fn require_text(errors: &mut FormErrors, field: &'static str, text: &str, if_empty: &str, what: &str, max: usize) {
    if text.is_empty() {
        errors.add(field, if_empty);
    } else if let Some(message) = too_long(what, text, max) {
        errors.add(field, message);
    }
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

/// The email a new link goes out with, if wanted and possible, in the
/// applicant's language. Each purpose has its own subject, saying what the
/// applicant is asked for: an information request must not read like the
/// first invitation to verify. `message` fills the `{{message}}` of the
/// purposes that carry one (see [`wording::wording`]).
fn default_email(applicant: &Applicant, wanted: bool, purpose: Purpose, message: &str) -> Option<LinkEmail> {
    let to = applicant.email.clone().filter(|_| wanted)?;
    let words = wording::wording(purpose, &applicant.language);
    Some(LinkEmail {
        to,
        cc: Vec::new(),
        subject: words.subject.to_string(),
        body: words.body.to_string(),
        message: message.to_string(),
        language: None,
    })
}

/// How long a new link for the same verification lasts, and its session time.
#[derive(Clone, Copy)]
enum Terms {
    /// As the link before (else the flow's): a restart, or the same link
    /// sent to a corrected address, continues the session the officer set
    /// up, perhaps a short one they watch.
    Kept,
    /// As the link before, but never shorter than the flow's: a reset or a
    /// retry is read in an email days later, and a link chosen for a watched
    /// hour would be dead on arrival.
    AtLeastTheFlows,
}

/// Refuses a new link to the flow `flow_name` when it is not for the
/// applicant's type (their type was edited since they were put on it):
/// the link would ask a company for a selfie, or a person for a register
/// extract.
fn wrong_type(
    applicant: &Applicant,
    def: &crate::flows::definition::FlowDefinition,
    flow_name: &str,
) -> Option<Outcome> {
    def.settings
        .audience
        .misfit(flow_name, &applicant.kind)
        .map(|misfit| Outcome::Refused(format!("{misfit} Change the flow first.")))
}

/// Issues a new link to the verification, on `terms`.
#[allow(clippy::too_many_arguments)]
fn relink(
    conn: &mut PgConnection,
    c: &Context,
    applicant: &Applicant,
    verification: Uuid,
    def: &crate::flows::definition::FlowDefinition,
    terms: Terms,
    email: Option<LinkEmail>,
    note: Option<&str>,
) -> Result<Issued, AppError> {
    let flows = (
        Duration::hours(i64::from(def.settings.link_expiry_hours)),
        i32::try_from(def.settings.session_minutes).unwrap_or(30),
    );
    let (valid_for, session_minutes) = match (verifications::link_terms(conn, verification)?, terms) {
        (None, _) => flows,
        (Some(kept), Terms::Kept) => kept,
        (Some((valid_for, minutes)), Terms::AtLeastTheFlows) => (valid_for.max(flows.0), minutes.max(flows.1)),
    };
    // The verification's older links; a link for additional information,
    // sent beside it, is another matter and keeps working.
    verifications::revoke_links_of(conn, verification, "replaced by a new link", c.now)?;
    let mut events = audit::Batch::new(c.now, &c.actor);
    let issued = issue_link(
        conn,
        &c.base_url,
        applicant,
        verification,
        valid_for,
        session_minutes,
        i32::try_from(def.settings.max_attempts).unwrap_or(10),
        email,
        note,
        &mut events,
    )?;
    events.write(conn)?;
    Ok(issued)
}

/// The two ids a path names: the applicant's, then a link's or a result's.
fn two_ids(path: web::Path<(String, String)>) -> Result<(Uuid, Uuid), AppError> {
    let (id, result) = path.into_inner();
    Ok((parse_id(&id)?, parse_id(&result)?))
}
