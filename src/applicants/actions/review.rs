//! Review and decision: the reviewer, Take, approve, reject (final or
//! retry), and the comments thread; and what a case waits on before it can
//! be approved.

use super::*;

/// POST /applicants/{id}/reviewer
pub async fn assign_reviewer(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsReview)?;
    let id = parse_id(&path)?;
    appoint(ctx, id, form, None, Applies::ToOpenCase).await
}

/// POST /applicants/{id}/take — the list's "Take": the officer reviews the
/// case themselves. It asks no version: taking a case nobody reviews
/// undoes nobody's work. Taken already by this officer (a double click),
/// it is done; by someone else, it is refused, naming them.
pub async fn take(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsReview)?;
    let id = parse_id(&path)?;
    // Not put in the form: a refused take must not come back with the
    // officer chosen in the profile's reviewer select.
    let me = ctx.member.id.0.to_string();
    appoint(ctx, id, form, Some(me), Applies::Taking).await
}

/// Assigns the reviewer the form names, or `chosen` when given.
async fn appoint(
    ctx: Ctx,
    id: Uuid,
    form: ProfileForm,
    chosen: Option<String>,
    applies: Applies,
) -> Result<HttpResponse, AppError> {
    // Empty removes the reviewer; anything else must be a member's id.
    let chosen = chosen
        .or_else(|| form.reviewer_id.clone())
        .unwrap_or_default()
        .trim()
        .to_string();
    let reviewer: Option<Uuid> = chosen.parse().ok();
    // A case decided for good has nothing left to review; a reset reopens it.
    run_action(&ctx, id, &form, applies, move |conn, applicant, c| {
        if applies == Applies::Taking
            && let Some(current) = applicant.reviewer_id
        {
            if current == c.by {
                return Ok(Outcome::AlreadyDone("You are reviewing this applicant.".into()));
            }
            let name = crate::applicants::queries::reviewers(conn)?
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
        // Nothing to change: no event, and no other officer's form made stale.
        if reviewer.is_none() && applicant.reviewer_id.is_none() {
            return Ok(Outcome::AlreadyDone("Nobody reviews this applicant.".into()));
        }
        let name = match reviewer {
            Some(r) => {
                let Some((_, name)) = crate::applicants::queries::reviewers(conn)?
                    .into_iter()
                    .find(|(id, _)| *id == r)
                else {
                    return Ok(Outcome::Refused(
                        "Choose an active member who may review applicants.".into(),
                    ));
                };
                name
            }
            None => String::new(),
        };
        // The same reviewer again changes nothing, unless the applicant has
        // finished meanwhile and is not yet in review.
        let awaits_review = Status::from_code(&applicant.status).is_some_and(Status::awaits_review);
        if reviewer.is_some() && reviewer == applicant.reviewer_id && !awaits_review {
            return Ok(Outcome::AlreadyDone(if reviewer == Some(c.by) {
                "You are reviewing this applicant already.".into()
            } else {
                format!("{name} reviews this applicant already.")
            }));
        }
        // Whom a removal took off the case, by name even if they may no
        // longer review.
        let previous: Option<String> = match applicant.reviewer_id {
            Some(r) => {
                use crate::db::schema::members;
                members::table.find(r).select(members::name).first(conn).optional()?
            }
            None => None,
        };
        let moved = set_reviewer(conn, applicant, reviewer)?;
        let status = Status::from_code(&applicant.status).unwrap_or(Status::Init);
        let mut details = if name.is_empty() {
            json!({ "reviewer": previous.unwrap_or_default() })
        } else {
            // A swap names whom the new reviewer replaces.
            json!({ "reviewer": name, "instead_of": previous })
        };
        if let Some(now) = moved {
            details["status_now"] = now.code().into();
        }
        let kind = if name.is_empty() {
            EventKind::ReviewerRemoved
        } else {
            EventKind::ReviewerAssigned
        };
        record(conn, c, applicant.id, kind, details)?;
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
///
/// Returns the new status when it changed, for the timeline.
pub(crate) fn set_reviewer(
    conn: &mut PgConnection,
    applicant: &Applicant,
    reviewer: Option<Uuid>,
) -> QueryResult<Option<Status>> {
    diesel::update(applicants::table.find(applicant.id))
        .set(applicants::reviewer_id.eq(reviewer))
        .execute(conn)?;
    let status = Status::from_code(&applicant.status).unwrap_or(Status::Init);
    if reviewer.is_some() && status.awaits_review() {
        set_status(conn, applicant.id, Status::InReview)?;
        return Ok(Some(Status::InReview));
    }
    // Nobody reviews it any more: it stands where its results put it.
    if reviewer.is_none() && status == Status::InReview {
        let settled = standing(conn, applicant)?.settled;
        set_status(conn, applicant.id, settled)?;
        return Ok((settled != status).then_some(settled));
    }
    Ok(None)
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
    } else if form.rejection_type == "retry"
        && form
            .retry_steps
            .iter()
            .any(|k| !StepKind::from_key(k).is_some_and(StepKind::can_be_retried))
    {
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
            "A retry asks the applicant to redo a step, and face match and screening run without them. \
             Tick a step they do (a new selfie, say), or resolve the check by hand.",
        );
    }
    // "Other" names no reason: the record of a rejection must say why.
    if form.reasons.iter().any(|r| r == "other") && form.comment_internal.trim().is_empty() {
        errors.add(
            "comment_internal",
            "Say in the internal comment what “Other” stands for.",
        );
    }
    for (field, text) in [
        ("comment_applicant", &form.comment_applicant),
        ("comment_internal", &form.comment_internal),
    ] {
        if let Some(message) = too_long("The comment", text, 2000) {
            errors.add(field, message);
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
            let Some((_, def, flow_name)) = &current else {
                return Ok(Outcome::Refused("There is no verification to retry.".into()));
            };
            if let Some(refused) = wrong_type(applicant, def, flow_name) {
                return Ok(refused);
            }
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
                "to_applicant": values.comment_applicant.trim(),
                "internal_comment": values.comment_internal.trim(),
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
            let redo: Vec<StepKind> = def
                .steps
                .iter()
                .map(|s| s.config.kind())
                .filter(|k| k.can_be_redone() && values.retry_steps.iter().any(|r| r == k.key()))
                .collect();
            let mut note = wording::redo(&applicant.language, &redo);
            if !values.comment_applicant.trim().is_empty() {
                note = format!("{note}\n\n{}", values.comment_applicant.trim());
            }
            let email = default_email(applicant, true, Purpose::Redo, &note);
            let issued = relink(
                conn,
                c,
                applicant,
                verification,
                &def,
                Terms::AtLeastTheFlows,
                email,
                Some(&note),
            )?;
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
    require_text(
        &mut errors,
        "comment",
        &text,
        "Write a comment first.",
        "The comment",
        4000,
    );
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
            data: serde_json::json!({}),
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
