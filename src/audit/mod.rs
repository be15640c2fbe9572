//! The audit log: one row per thing a member (or the system, an applicant,
//! an integrator) did. Later features write applicant timeline events with
//! the same [`record`] call.

pub mod device;
mod handlers;
mod pages;

/// Event formatting shared with the dashboard.
pub mod pages_export {
    pub use super::pages::EventView;
}
pub mod queries;

use crate::db::schema::events;
use crate::web::{ClientInfo, CurrentMember};
use actix_web::web;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// Mounts the audit log pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(handlers::audit_log));
}

/// Who did something, and from where.
#[derive(Clone, Debug)]
pub struct Actor {
    /// `member`, `applicant`, `system`, `api` or `visitor`.
    pub kind: &'static str,
    /// The member, when a member acted.
    pub member_id: Option<Uuid>,
    /// A readable name at the time (the member's email, say).
    pub label: String,
    /// The client's IP address.
    pub ip: Option<String>,
    /// The client's browser.
    pub user_agent: Option<String>,
}

impl Actor {
    /// A signed-in member.
    pub fn member(member: &CurrentMember, client: &ClientInfo) -> Self {
        Self {
            kind: "member",
            member_id: Some(member.id.0),
            label: member.email.clone(),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
        }
    }

    /// A member identified by id and email but not (yet) signed in, e.g. at sign-in.
    pub fn member_at_door(id: Uuid, email: &str, client: &ClientInfo) -> Self {
        Self {
            kind: "member",
            member_id: Some(id),
            label: email.to_string(),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
        }
    }

    /// Someone not signed in.
    pub fn visitor(label: &str, client: &ClientInfo) -> Self {
        Self {
            kind: "visitor",
            member_id: None,
            label: label.to_string(),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
        }
    }

    /// Veridesk itself (workers, command line).
    pub fn system(label: &str) -> Self {
        Self {
            kind: "system",
            member_id: None,
            label: label.to_string(),
            ip: None,
            user_agent: None,
        }
    }
}

macro_rules! event_kinds {
    ($($variant:ident => ($code:literal, $label:literal)),+ $(,)?) => {
        /// What happened.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum EventKind {
            $(
                #[doc = $label]
                $variant,
            )+
        }

        impl EventKind {
            /// Every kind, for the filter list.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant),+];

            /// The stable code stored in `events.kind`.
            pub fn code(self) -> &'static str {
                match self { $(EventKind::$variant => $code),+ }
            }

            /// A readable description.
            pub fn label(self) -> &'static str {
                match self { $(EventKind::$variant => $label),+ }
            }

            /// Looks a kind up by its code.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some(EventKind::$variant),)+ _ => None }
            }
        }
    };
}

event_kinds! {
    SetupCompleted => ("setup.completed", "First owner created"),
    SignedIn => ("member.signed_in", "Signed in"),
    SignInFailed => ("member.sign_in_failed", "Failed sign-in"),
    LockedOut => ("member.locked_out", "Account locked after failed sign-ins"),
    SignedOut => ("member.signed_out", "Signed out"),
    PasswordResetRequested => ("member.password_reset_requested", "Password reset requested"),
    PasswordReset => ("member.password_reset", "Password reset by link"),
    PasswordChanged => ("member.password_changed", "Password changed"),
    ProfileUpdated => ("member.profile_updated", "Profile updated"),
    Invited => ("invitation.sent", "Invitation sent"),
    InvitationResent => ("invitation.resent", "Invitation resent"),
    InvitationRevoked => ("invitation.revoked", "Invitation revoked"),
    InvitationAccepted => ("invitation.accepted", "Invitation accepted"),
    RoleChanged => ("member.role_changed", "Member's role changed"),
    Deactivated => ("member.deactivated", "Member deactivated"),
    Reactivated => ("member.reactivated", "Member reactivated"),
    RoleCreated => ("role.created", "Role created"),
    RoleUpdated => ("role.updated", "Role updated"),
    RoleDeleted => ("role.deleted", "Role deleted"),
    SettingsUpdated => ("settings.updated", "Company settings changed"),
    EmailFailed => ("email.failed", "Email could not be delivered"),
    FlowCreated => ("flow.created", "Flow created"),
    FlowRenamed => ("flow.renamed", "Flow renamed"),
    FlowDuplicated => ("flow.duplicated", "Flow duplicated"),
    FlowArchived => ("flow.archived", "Flow archived"),
    FlowUnarchived => ("flow.unarchived", "Flow unarchived"),
    FlowEdited => ("flow.edited", "Flow draft edited"),
    FlowPublished => ("flow.published", "Flow version published"),
    FlowDraftDiscarded => ("flow.draft_discarded", "Flow draft discarded"),
    FlowImported => ("flow.imported", "Flow imported"),
    QuestionnaireCreated => ("questionnaire.created", "Questionnaire created"),
    QuestionnaireEdited => ("questionnaire.edited", "Questionnaire edited"),
    QuestionnaireDuplicated => ("questionnaire.duplicated", "Questionnaire duplicated"),
    QuestionnaireDeleted => ("questionnaire.deleted", "Questionnaire deleted"),
    ApplicantCreated => ("applicant.created", "Applicant created"),
    ApplicantEdited => ("applicant.edited", "Applicant details changed"),
    VerificationStarted => ("verification.started", "Verification session created"),
    LinkCreated => ("link.created", "Verification link created"),
    LinkEmailQueued => ("link.email_queued", "Verification link email queued"),
    LinkEmailResent => ("link.email_resent", "Verification link email queued again"),
    LinkOpened => ("link.opened", "Verification link opened"),
    LinkStarted => ("link.started", "Applicant started the session"),
    LinkLapsed => ("link.lapsed", "Verification link ran out"),
    VerificationRestarted => ("verification.restarted", "New link generated (restart)"),
    FlowChanged => ("verification.flow_changed", "Moved to another flow"),
    VerificationReset => ("verification.reset", "Verification reset to Not initiated"),
    InformationRequested => ("verification.information_requested", "Additional information requested"),
    StepCompleted => ("step.completed", "Step completed"),
    StepResolved => ("step.resolved", "Step resolved by hand"),
    StepDeactivated => ("step.deactivated", "Step result moved to history"),
    StepReactivated => ("step.reactivated", "Step result restored from history"),
    ReviewerAssigned => ("applicant.reviewer_assigned", "Reviewer assigned"),
    ReviewerRemoved => ("applicant.reviewer_removed", "Reviewer removed"),
    ApplicantApproved => ("applicant.approved", "Approved"),
    ApplicantRejected => ("applicant.rejected", "Rejected"),
    ApplicantCommented => ("applicant.commented", "Comment"),
    DeletionScheduled => ("applicant.deletion_scheduled", "Deletion scheduled"),
    DeletionCancelled => ("applicant.deletion_cancelled", "Deletion cancelled (restored)"),
    ApplicantPurged => ("applicant.purged", "Personal data purged"),
    EmailTemplateCreated => ("email_template.created", "Email template created"),
    EmailTemplateUpdated => ("email_template.updated", "Email template changed"),
    EmailTemplateDeleted => ("email_template.deleted", "Email template deleted"),
}

/// An `events` row to insert. It owns its values: Diesel keeps inserts of
/// a few rows prepared only when their values borrow nothing. A `None` is
/// written as NULL, not left to the column default: otherwise Diesel marks
/// the statement as one it cannot keep prepared.
#[derive(Insertable)]
#[diesel(table_name = events, treat_none_as_default_value = false)]
struct NewEvent {
    occurred_at: DateTime<Utc>,
    kind: &'static str,
    actor_kind: &'static str,
    actor_member_id: Option<Uuid>,
    actor_label: String,
    subject_type: Option<String>,
    subject_id: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    details: serde_json::Value,
}

impl NewEvent {
    fn new(
        at: DateTime<Utc>,
        actor: &Actor,
        kind: EventKind,
        subject: Option<(&str, String)>,
        details: serde_json::Value,
    ) -> Self {
        let (subject_type, subject_id) = subject.map(|(t, id)| (t.to_string(), id)).unzip();
        Self {
            occurred_at: at,
            kind: kind.code(),
            actor_kind: actor.kind,
            actor_member_id: actor.member_id,
            actor_label: actor.label.clone(),
            subject_type,
            subject_id,
            ip: actor.ip.clone(),
            user_agent: actor.user_agent.clone(),
            details,
        }
    }
}

/// Writes one event, in the caller's transaction.
pub fn record(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    kind: EventKind,
    subject: Option<(&str, String)>,
    details: serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(events::table)
        .values(NewEvent::new(at, actor, kind, subject, details))
        .execute(conn)?;
    Ok(())
}

/// Events by one actor at one time, gathered while a transaction does its
/// work and written together by [`Batch::write`]: one statement instead of
/// one per event, on paths as busy as sending verification links.
#[must_use = "the events are only recorded by `write`"]
pub struct Batch<'a> {
    at: DateTime<Utc>,
    actor: &'a Actor,
    rows: Vec<NewEvent>,
}

impl<'a> Batch<'a> {
    /// No events yet.
    pub fn new(at: DateTime<Utc>, actor: &'a Actor) -> Self {
        Self {
            at,
            actor,
            rows: Vec::new(),
        }
    }

    /// Who acts, for rows that name their creator.
    pub fn actor(&self) -> &'a Actor {
        self.actor
    }

    /// When the events happen.
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// Adds an event to write.
    pub fn add(&mut self, kind: EventKind, subject: Option<(&'a str, String)>, details: serde_json::Value) {
        self.rows
            .push(NewEvent::new(self.at, self.actor, kind, subject, details));
    }

    /// Writes the events gathered, in the caller's transaction.
    pub fn write(self, conn: &mut PgConnection) -> QueryResult<()> {
        let insert = diesel::insert_into(events::table);
        let mut rows = self.rows.into_iter();
        // Diesel keeps an insert of a fixed-length array prepared, one of a
        // Vec not; batches are short.
        match (rows.next(), rows.next(), rows.next(), rows.next()) {
            (None, ..) => 0,
            (Some(a), None, ..) => insert.values(a).execute(conn)?,
            (Some(a), Some(b), None, _) => insert.values([a, b]).execute(conn)?,
            (Some(a), Some(b), Some(c), None) => insert.values([a, b, c]).execute(conn)?,
            (Some(a), Some(b), Some(c), Some(d)) => {
                let all: Vec<_> = [a, b, c, d].into_iter().chain(rows).collect();
                insert.values(all).execute(conn)?
            }
        };
        Ok(())
    }
}
