//! Scheduling an applicant's deletion and restoring them within the grace
//! period. The purge itself is `applicants::deletion`.

use super::*;

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
        let purge = crate::applicants::profile::purge_time(c.now);
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
        if crate::applicants::profile::purge_time(scheduled) <= c.now {
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
