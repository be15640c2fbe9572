//! Session links: a secret URL that opens a verification, with a link
//! expiry, a session clock that starts when the applicant starts, and a limit on
//! failed attempts. The rules are pure functions of the stored row and now.

use crate::db::schema::session_links;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// A link as stored (never with its secret).
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = session_links)]
pub struct SessionLink {
    pub id: Uuid,
    pub verification_id: Uuid,
    pub status: String,
    pub expires_at: DateTime<Utc>,
    pub session_minutes: i32,
    pub max_attempts: i32,
    pub failed_attempts: i32,
    pub first_opened_at: Option<DateTime<Utc>>,
    pub session_ends_at: Option<DateTime<Utc>>,
    pub last_opened_at: Option<DateTime<Utc>>,
    pub open_count: i32,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why it was revoked, in words for the tracker; reasons for a newer
    /// link start with [`REPLACED`].
    pub revoked_reason: Option<String>,
    pub email_message_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// What the officer says to the applicant with this link.
    pub note: Option<String>,
}

/// Link statuses (see PRODUCT.md).
pub mod status {
    pub const ACTIVE: &str = "ACTIVE";
    pub const OPENED: &str = "OPENED";
    pub const COMPLETED: &str = "COMPLETED";
    pub const EXPIRED: &str = "EXPIRED";
    pub const SESSION_EXPIRED: &str = "SESSION_EXPIRED";
    pub const BLOCKED: &str = "BLOCKED";
    pub const REVOKED: &str = "REVOKED";
}

/// How the reasons of links revoked for a newer one begin.
pub const REPLACED: &str = "replaced by";

/// The reason of links revoked because their verification was decided.
pub const DECIDED: &str = "the verification was decided";

/// Why a revoked link no longer works, as the applicant is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revocation {
    /// A newer link was sent.
    Replaced,
    /// The verification was decided: there is nothing more to do.
    Decided,
    /// Withdrawn otherwise: the flow changed, or the applicant is to be deleted.
    Withdrawn,
}

impl SessionLink {
    /// Why it was revoked; `None` when it was not.
    pub fn revocation(&self) -> Option<Revocation> {
        if self.status != status::REVOKED {
            return None;
        }
        Some(match self.revoked_reason.as_deref() {
            Some(r) if r.starts_with(REPLACED) => Revocation::Replaced,
            Some(DECIDED) => Revocation::Decided,
            _ => Revocation::Withdrawn,
        })
    }

    /// The status at `now`: a stored ACTIVE or OPENED link may have run out
    /// of link time or session time since it was last written.
    pub fn status_at(&self, now: DateTime<Utc>) -> &'static str {
        match self.status.as_str() {
            status::ACTIVE | status::OPENED if now >= self.expires_at => status::EXPIRED,
            status::OPENED if self.session_ends_at.is_some_and(|end| now >= end) => status::SESSION_EXPIRED,
            status::ACTIVE => status::ACTIVE,
            status::OPENED => status::OPENED,
            status::COMPLETED => status::COMPLETED,
            status::EXPIRED => status::EXPIRED,
            status::SESSION_EXPIRED => status::SESSION_EXPIRED,
            status::BLOCKED => status::BLOCKED,
            _ => status::REVOKED,
        }
    }

    /// When the session ends if the link is opened for the first time at
    /// `now`: session time later, but never after the link expires.
    pub fn session_end_if_opened(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        (now + chrono::Duration::minutes(i64::from(self.session_minutes))).min(self.expires_at)
    }
}

/// Readable label and badge for a link status.
pub fn describe(status: &str) -> (&'static str, &'static str) {
    match status {
        status::ACTIVE => ("Not started yet", "badge-queued"),
        status::OPENED => ("Started, session running", "badge-invited"),
        status::COMPLETED => ("Completed", "badge-active"),
        status::EXPIRED => ("Expired", "badge-deactivated"),
        status::SESSION_EXPIRED => ("Session time ran out", "badge-deactivated"),
        status::BLOCKED => ("Blocked after failed attempts", "badge-failed"),
        _ => ("Revoked", "badge-deactivated"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(status: &str, expires_in_min: i64, session_left_min: Option<i64>) -> SessionLink {
        let now = Utc::now();
        SessionLink {
            id: Uuid::nil(),
            verification_id: Uuid::nil(),
            status: status.into(),
            expires_at: now + chrono::Duration::minutes(expires_in_min),
            session_minutes: 30,
            max_attempts: 10,
            failed_attempts: 0,
            first_opened_at: session_left_min.map(|_| now),
            session_ends_at: session_left_min.map(|m| now + chrono::Duration::minutes(m)),
            last_opened_at: None,
            open_count: 0,
            revoked_at: None,
            revoked_reason: None,
            email_message_id: None,
            created_at: now,
            note: None,
        }
    }

    #[test]
    fn a_revoked_link_says_whether_it_was_replaced_closed_or_withdrawn() {
        let mut revoked = link(status::REVOKED, 60, None);
        revoked.revoked_reason = Some("replaced by a new link".into());
        assert_eq!(revoked.revocation(), Some(Revocation::Replaced));
        revoked.revoked_reason = Some(DECIDED.into());
        assert_eq!(revoked.revocation(), Some(Revocation::Decided));
        revoked.revoked_reason = Some("the applicant moved to another flow".into());
        assert_eq!(revoked.revocation(), Some(Revocation::Withdrawn));
        assert_eq!(link(status::ACTIVE, 60, None).revocation(), None);
    }

    #[test]
    fn link_time_and_session_time_run_out() {
        let now = Utc::now();
        assert_eq!(link(status::ACTIVE, 10, None).status_at(now), status::ACTIVE);
        assert_eq!(link(status::ACTIVE, -1, None).status_at(now), status::EXPIRED);
        assert_eq!(link(status::OPENED, 60, Some(5)).status_at(now), status::OPENED);
        assert_eq!(
            link(status::OPENED, 60, Some(-1)).status_at(now),
            status::SESSION_EXPIRED
        );
        assert_eq!(link(status::OPENED, -1, Some(5)).status_at(now), status::EXPIRED);
        assert_eq!(link(status::REVOKED, 60, None).status_at(now), status::REVOKED);
    }

    #[test]
    fn the_session_never_outlives_the_link() {
        let l = link(status::ACTIVE, 10, None);
        let now = Utc::now();
        assert_eq!(l.session_end_if_opened(now), l.expires_at);
        let long = link(status::ACTIVE, 600, None);
        assert_eq!(long.session_end_if_opened(now), now + chrono::Duration::minutes(30));
    }
}
