//! Links: a new link to the current verification (restart), the same link
//! emailed again, a change of flow, a reset to the start, and a request
//! for more information through an on-demand flow.

use super::*;

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
            if let Some(refused) = wrong_type(applicant, &def, &flow_name) {
                return Ok(refused);
            }
            let issued = relink(
                conn,
                c,
                applicant,
                verification,
                &def,
                Terms::Kept,
                default_email(applicant, wanted, Purpose::NewLink, ""),
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
        // No link goes out again on a flow no longer for the applicant's type.
        let verification = verifications::find_verification(conn, link.verification_id)?;
        let (flow_name, _, def) = verifications::version_definition(conn, verification.flow_version_id)?;
        if let Some(refused) = wrong_type(applicant, &def, &flow_name) {
            return Ok(refused);
        }
        let (sent_to, status, error) = crate::outbox::queries::delivery(conn, message)?;
        // An email still waiting to go to an address corrected since (a
        // server that answers "try later" for a mistyped domain) is
        // withdrawn and sent to the right one; one delivered there went to
        // the wrong mailbox, and goes again to the right one.
        let waiting = matches!(status.as_str(), "queued" | "retrying");
        if status == "sent" && sent_to != to {
            let issued = relink(
                conn,
                c,
                applicant,
                link.verification_id,
                &def,
                Terms::Kept,
                default_email(applicant, true, Purpose::NewLink, ""),
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
            return Ok(Outcome::Invalid(
                "change_flow",
                "Choose a published flow to move to.".into(),
            ));
        };
        if target.kind != "regular" {
            return Ok(Outcome::Invalid(
                "change_flow",
                "Choose a regular flow; on-demand flows are for requesting more information.".into(),
            ));
        }
        if let Some(refusal) = target.definition.settings.audience.refusal(&target.name, &applicant.kind) {
            return Ok(Outcome::Invalid("change_flow", refusal));
        }
        let previous = current_verification(conn, applicant)?;
        let Some(flow_id) = flow else {
            return Ok(Outcome::Invalid("change_flow", "Choose a flow.".into()));
        };
        if previous.is_some() && applicant.flow_id == Some(flow_id) {
            return Ok(Outcome::Invalid("change_flow", format!(
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
        // A flow no longer for the applicant's type (their type was edited
        // since): the case reopens, but no link goes out on it; the officer
        // changes the flow, which sends one.
        let misfit = def.settings.audience.misfit(&flow_name, &applicant.kind);
        let note = wording::start_again(&applicant.language);
        let email = default_email(applicant, misfit.is_none(), Purpose::StartAgain, note);
        let emailed = email.is_some();
        let sent = match (&misfit, emailed) {
            (Some(_), _) => "none: the flow is not for the applicant's type",
            (None, true) => "queued",
            (None, false) => "none: no address",
        };
        // The reset first, then the link it sends: the timeline reads in that order.
        record(conn, c, applicant.id, EventKind::VerificationReset, json!({ "flow": flow_name, "results_to_history": moved, "email": sent }))?;
        if let Some(misfit) = misfit {
            verifications::revoke_links_of(conn, verification, "the verification was reset", c.now)?;
            return Ok(Outcome::Done(format!(
                "Reset to Not initiated; earlier results are in the history. No link was sent: {misfit} \
                 Change the flow to send one."
            )));
        }
        let issued = relink(conn, c, applicant, verification, &def, Terms::AtLeastTheFlows, email, Some(note))?;
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
    require_text(
        &mut errors,
        "message",
        &message,
        "Write a message telling the applicant what is needed.",
        "The message",
        2000,
    );
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
            return Ok(Outcome::Invalid(
                "info_flow",
                "Choose a published on-demand flow.".into(),
            ));
        };
        if let Some(refusal) = target
            .definition
            .settings
            .audience
            .refusal(&target.name, &applicant.kind)
        {
            return Ok(Outcome::Invalid("info_flow", refusal));
        }
        let Some(flow_id) = flow else {
            return Ok(Outcome::Invalid("info_flow", "Choose a flow.".into()));
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
            default_email(applicant, wanted, Purpose::MoreInformation, &message),
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
