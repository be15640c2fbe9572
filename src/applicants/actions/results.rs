//! Step results settled by hand: resolve one with a reason, deactivate one
//! (it moves to history and a new link is needed), reactivate one from
//! history.

use super::*;

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
            let (kind, mut details, done) = match change(conn, &found, c)? {
                Ok(changed) => changed,
                Err(refusal) => return Ok(Outcome::Refused(refusal)),
            };
            if let Some(status) = resettle(conn, applicant)? {
                details["status_now"] = status.code().into();
            }
            record(conn, c, applicant.id, kind, details)?;
            Ok(Outcome::Done(done))
        },
    )
    .await
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
    require_text(
        &mut errors,
        "resolve_comment",
        &comment,
        "Say why you settle this step by hand.",
        "The reason",
        2000,
    );
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
