//! Where a case stands after a change: the status its step results settle
//! it at, and whether its review goes on. Shared by every action that moves
//! a case.

use super::*;

/// Where the current verification's results put an applicant, read once.
pub(super) struct Standing {
    /// Where one who had finished stands: on hold while a result failed or
    /// needs an officer's look, incomplete while a step is still to do,
    /// completed once all are settled.
    pub(super) settled: Status,
    /// Whether a step still waits for the applicant.
    pub(super) to_do: bool,
}

pub(super) fn standing(conn: &mut PgConnection, applicant: &Applicant) -> QueryResult<Standing> {
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
///
/// Returns the new status when it changed, for the timeline.
pub(super) fn resettle(conn: &mut PgConnection, applicant: &Applicant) -> QueryResult<Option<Status>> {
    let status = Status::from_code(&applicant.status).unwrap_or(Status::Init);
    let (moves, once_done) = match status {
        Status::InProgress | Status::OnHold | Status::Completed => (true, false),
        Status::Incomplete | Status::Init => (applicant.current_verification_id.is_some(), true),
        _ => (false, false),
    };
    if !moves {
        return Ok(None);
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
        return Ok(Some(settled));
    }
    Ok(None)
}

/// A finished applicant whose reviewer was named beforehand is in review,
/// as one given a reviewer after finishing is (see `set_reviewer`).
pub(super) fn reviewed(applicant: &Applicant, settled: Status) -> Status {
    if settled.awaits_review() && applicant.reviewer_id.is_some() {
        Status::InReview
    } else {
        settled
    }
}

/// Why links are withdrawn once a verification is decided.
pub(super) const DECIDED: &str = crate::verifications::links::DECIDED;

/// Why an approved verification's results are not settled again.
pub(super) const APPROVED_RESULTS: &str = "This applicant is approved, so its step results stay as they were approved. To verify them again, create a new verification session.";

/// Why an approved verification is not restarted or moved: its evidence
/// must stay as it was approved. A new session starts a new one.
pub(super) const APPROVED_IS_DECIDED: &str = "This applicant is approved, so its verification stays as it was approved. To verify them again, create a new verification session; the approval stays on the timeline.";
