//! Verification queries: start one, issue links, open them.

use super::links::{SessionLink, status};
use crate::applicants::models::Applicant;
use crate::db::fixed_sql::{FixedSql, fixed_sql};
use crate::db::kept_update::kept_update;
use crate::db::schema::{
    applicants, flow_versions, flows, outbox_messages, session_links, step_results, verifications,
};
use crate::db::unnest;
use crate::error::AppError;
use crate::flows::definition::{Audience, FlowDefinition, StepConfig};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Timestamptz};
use uuid::Uuid;

/// A verification row.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = verifications)]
pub struct Verification {
    pub id: Uuid,
    pub applicant_id: Uuid,
    pub flow_id: Uuid,
    pub flow_version_id: Uuid,
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

/// The live version of a flow, usable for a new verification.
pub struct UsableFlow {
    pub name: String,
    pub kind: String,
    pub version_id: Uuid,
    pub number: i32,
    pub definition: FlowDefinition,
}

/// The flow's live version, or `None` when it is archived or was never published.
pub fn usable_flow(conn: &mut PgConnection, flow: Uuid) -> Result<Option<UsableFlow>, AppError> {
    let found: Option<(String, String, Uuid, i32, serde_json::Value)> = flows::table
        .inner_join(flow_versions::table)
        .filter(flows::id.eq(flow))
        .filter(flows::archived_at.is_null())
        .filter(flow_versions::published_at.is_not_null())
        .order(flow_versions::number.desc())
        .select((
            flows::name,
            flows::kind,
            flow_versions::id,
            flow_versions::number,
            flow_versions::definition,
        ))
        .first(conn)
        .optional()?;
    match found {
        Some((name, kind, version_id, number, def)) => Ok(Some(UsableFlow {
            name,
            kind,
            version_id,
            number,
            definition: serde_json::from_value(def).map_err(AppError::internal)?,
        })),
        None => Ok(None),
    }
}

/// Published, unarchived flows of `kind`, as their live versions say, by name.
pub fn flow_choices(conn: &mut PgConnection, kind: &str) -> Result<Vec<PublishedFlow>, AppError> {
    let rows: Vec<(Uuid, String, serde_json::Value)> = flows::table
        .inner_join(flow_versions::table)
        .filter(flows::archived_at.is_null())
        .filter(flows::kind.eq(kind))
        .filter(flow_versions::published_at.is_not_null())
        .order((flows::name.asc(), flows::id, flow_versions::number.desc()))
        .distinct_on((flows::name, flows::id))
        .select((flows::id, flows::name, flow_versions::definition))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, def)| {
            let settings = serde_json::from_value::<FlowDefinition>(def)
                .map(|d| d.settings)
                .unwrap_or_default();
            PublishedFlow {
                id,
                name,
                expiry_hours: settings.link_expiry_hours,
                session_minutes: settings.session_minutes,
                audience: settings.audience,
            }
        })
        .collect())
}

/// A flow that can be chosen, as its live version says: what the forms
/// that choose one need of it.
#[derive(Clone, Debug)]
pub struct PublishedFlow {
    pub id: Uuid,
    pub name: String,
    /// Its default link expiry.
    pub expiry_hours: u32,
    /// Its default session time.
    pub session_minutes: u32,
    /// Who it is for.
    pub audience: Audience,
}

/// Starts a verification of `applicant` on the flow version `version`,
/// with a result per step. A regular verification becomes the applicant's
/// current one (status back to `INIT`); an on-demand one leaves the status.
#[allow(clippy::too_many_arguments)]
pub fn start(
    conn: &mut PgConnection,
    applicant: Uuid,
    flow: Uuid,
    version: Uuid,
    kind: &str,
    definition: &FlowDefinition,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> QueryResult<Uuid> {
    let id = crate::db::new_row_id();
    let new = NewVerification {
        id,
        applicant,
        flow,
        version,
        kind,
        by,
    };
    insert(conn, &new, definition, now)?;
    if kind == "regular" {
        make_current(conn, applicant, id, flow, definition.settings.audience, None, now)?
            .ok_or(diesel::result::Error::NotFound)?;
    }
    Ok(id)
}

/// A verification about to be written.
pub struct NewVerification<'a> {
    pub id: Uuid,
    pub applicant: Uuid,
    pub flow: Uuid,
    pub version: Uuid,
    /// `regular` or `on_demand`.
    pub kind: &'a str,
    pub by: Option<Uuid>,
}

/// Writes a verification and a pending result for each step of its flow
/// version; it does not touch the applicant (see [`make_current`]).
pub fn insert(
    conn: &mut PgConnection,
    new: &NewVerification<'_>,
    definition: &FlowDefinition,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(verifications::table)
        .values((
            verifications::id.eq(new.id),
            verifications::applicant_id.eq(new.applicant),
            verifications::flow_id.eq(new.flow),
            verifications::flow_version_id.eq(new.version),
            verifications::kind.eq(new.kind),
            verifications::created_by.eq(new.by),
            verifications::created_at.eq(now),
            verifications::updated_at.eq(now),
        ))
        .execute(conn)?;
    // One row per step, from arrays rather than a VALUES list as long as the
    // flow: the SQL text is the same for every flow, so Diesel keeps the
    // statement prepared instead of PostgreSQL parsing and planning it anew.
    let steps = &definition.steps;
    let ids: Vec<Uuid> = steps.iter().map(|_| crate::db::new_row_id()).collect();
    let step_ids: Vec<Uuid> = steps.iter().map(|s| s.id).collect();
    let kinds: Vec<&str> = steps.iter().map(|s| s.config.kind().key()).collect();
    diesel::insert_into(step_results::table)
        .values(diesel::select((
            unnest(ids),
            new.id.into_sql::<diesel::sql_types::Uuid>(),
            unnest(step_ids),
            unnest(kinds),
            now.into_sql::<Timestamptz>(),
        )))
        .into_columns((
            step_results::id,
            step_results::verification_id,
            step_results::step_id,
            step_results::step_kind,
            step_results::created_at,
        ))
        .execute(conn)?;
    Ok(())
}

/// Makes `verification` the applicant's current one, on `flow` and back at
/// `INIT`, and returns the applicant as it now is, locked until the
/// transaction ends. `None` when there is no such applicant, or its data
/// was purged, or it is scheduled for deletion, or it stands rejected as
/// final (see `applicants::queries::rejected_as_final`), or its type is not
/// one the flow's `audience` admits, or it is no longer at the version
/// `seen` (when given: someone changed it meanwhile).
///
/// The verification may be written later in the same transaction: the
/// reference is checked at commit. So one statement takes the lock and
/// writes, where a locking read and an update would take two.
pub fn make_current(
    conn: &mut PgConnection,
    applicant: Uuid,
    verification: Uuid,
    flow: Uuid,
    audience: Audience,
    seen: Option<i32>,
    now: DateTime<Utc>,
) -> QueryResult<Option<Applicant>> {
    // `seen` or any version: the same SQL text either way, so one prepared statement.
    let any_version = seen.is_none();
    kept_update(
        applicants::table
            .find(applicant)
            .filter(applicants::purged_at.is_null())
            .filter(applicants::deletion_scheduled_at.is_null())
            .filter(crate::applicants::queries::NOT_REJECTED_AS_FINAL)
            // Only an applicant of a type the flow is for.
            .filter(applicants::kind.eq_any(audience.kinds()))
            .filter(
                applicants::lock_version
                    .eq(seen.unwrap_or_default())
                    .or(any_version.into_sql::<Bool>()),
            ),
        (
            applicants::current_verification_id.eq(verification),
            applicants::flow_id.eq(flow),
            applicants::status.eq("INIT"),
            applicants::updated_at.eq(now),
            applicants::lock_version.eq(applicants::lock_version + 1),
        ),
    )
    .returning(Applicant::as_returning())
    .get_result(conn)
    .optional()
}

/// What a new verification session for `applicant` depends on, as a short
/// digest: their status, type, email address, flow and current
/// verification, and their newest link (another officer's restart or
/// information request). The session form carries it beside the
/// applicant's version: when the version moved on but this did not (a
/// reviewer assigned, a phone number corrected), the form still goes
/// through; otherwise it is refused as changed meanwhile.
pub fn session_state(conn: &mut PgConnection, applicant: &Applicant) -> QueryResult<String> {
    use sha2::{Digest, Sha256};
    let newest: Option<Uuid> = session_links::table
        .filter(session_links::applicant_id.eq(applicant.id))
        .order((session_links::created_at.desc(), session_links::id.desc()))
        .select(session_links::id)
        .first(conn)
        .optional()?;
    let state = format!(
        "{}|{}|{}|{:?}|{:?}|{:?}",
        applicant.status,
        applicant.kind,
        applicant.email.as_deref().unwrap_or_default(),
        applicant.flow_id,
        applicant.current_verification_id,
        newest,
    );
    Ok(hex::encode(&Sha256::digest(state.as_bytes())[..8]))
}

/// Revokes every link of the applicant's verifications that can still be
/// used, and cancels their emails that have not gone yet; returns how many
/// links. Called before issuing a replacement link, and on decisions and
/// deletion.
pub fn revoke_links(conn: &mut PgConnection, applicant: Uuid, reason: &str, now: DateTime<Utc>) -> QueryResult<usize> {
    let revoked: Vec<(Option<Uuid>, Option<String>)> = kept_update(
        session_links::table
            .filter(session_links::applicant_id.eq(applicant))
            .filter(LIVE_LINK),
        revoked_now(reason, now),
    )
    .returning((session_links::email_message_id, EMAIL_STATUS))
    .get_results(conn)?;
    cancel_unsent(conn, &revoked, reason)
}

/// Revokes the links of one verification that can still be used, as
/// [`revoke_links`] does: moving an applicant to another flow withdraws
/// the links of the verification it leaves, not a link for additional
/// information sent beside it.
pub fn revoke_links_of(
    conn: &mut PgConnection,
    verification: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let revoked: Vec<(Option<Uuid>, Option<String>)> = kept_update(
        session_links::table
            .filter(session_links::verification_id.eq(verification))
            .filter(LIVE_LINK),
        revoked_now(reason, now),
    )
    .returning((session_links::email_message_id, EMAIL_STATUS))
    .get_results(conn)?;
    cancel_unsent(conn, &revoked, reason)
}

type RevokedNow<'a> = (
    diesel::dsl::Eq<session_links::status, &'static str>,
    diesel::dsl::Eq<session_links::revoked_at, DateTime<Utc>>,
    diesel::dsl::Eq<session_links::revoked_reason, &'a str>,
);

/// What revoking writes on a link.
fn revoked_now(reason: &str, now: DateTime<Utc>) -> RevokedNow<'_> {
    (
        session_links::status.eq(status::REVOKED),
        session_links::revoked_at.eq(now),
        session_links::revoked_reason.eq(reason),
    )
}

/// The terms of the verification's latest link: how long it was valid for
/// and its session time. A new link for the same verification (a restart,
/// a retry) keeps the terms the officer chose for it, not the flow's.
pub fn link_terms(conn: &mut PgConnection, verification: Uuid) -> QueryResult<Option<(Duration, i32)>> {
    let latest: Option<(DateTime<Utc>, DateTime<Utc>, i32)> = session_links::table
        .filter(session_links::verification_id.eq(verification))
        .order(session_links::created_at.desc())
        .select((
            session_links::created_at,
            session_links::expires_at,
            session_links::session_minutes,
        ))
        .first(conn)
        .optional()?;
    Ok(latest.map(|(created, expires, minutes)| {
        let valid_for = (expires - created).clamp(Duration::hours(1), Duration::days(30));
        (valid_for, minutes)
    }))
}

/// Whether the applicant ever started a session of `verification`.
pub fn ever_started(conn: &mut PgConnection, verification: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        session_links::table
            .filter(session_links::verification_id.eq(verification))
            .filter(session_links::first_opened_at.is_not_null()),
    ))
    .get_result(conn)
}

/// Whether the applicant ever started a session, on any link.
pub fn applicant_ever_started(conn: &mut PgConnection, applicant: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        session_links::table
            .filter(session_links::applicant_id.eq(applicant))
            .filter(session_links::first_opened_at.is_not_null()),
    ))
    .get_result(conn)
}

/// Whether the link that `email` (of `applicant`) carried can still be
/// used: a cc's own copy of that email goes only while it can.
pub fn emailed_link_live(
    conn: &mut PgConnection,
    applicant: Uuid,
    email: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        session_links::table
            .filter(session_links::applicant_id.eq(applicant))
            .filter(LIVE_LINK)
            .filter(session_links::email_message_id.eq(email))
            .filter(session_links::expires_at.gt(now)),
    ))
    .get_result(conn)
}

/// Cancels the emails of just revoked links that have not gone yet;
/// returns how many links were revoked.
fn cancel_unsent(
    conn: &mut PgConnection,
    revoked: &[(Option<Uuid>, Option<String>)],
    reason: &str,
) -> QueryResult<usize> {
    // Almost always the email went long ago (and its token with it); only
    // one still waiting, or failed, costs more statements.
    let unsent: Vec<Uuid> = revoked
        .iter()
        .filter(|(_, status)| matches!(status.as_deref(), Some("queued" | "retrying" | "failed")))
        .filter_map(|(email, _)| *email)
        .collect();
    if !unsent.is_empty() {
        crate::outbox::queries::cancel_waiting(conn, &unsent, &format!("its link was withdrawn ({reason})"))?;
        // The token is dead now: a copy of the database need not hold it.
        crate::outbox::queries::forget_links(conn, &unsent)?;
    }
    Ok(revoked.len())
}

/// The delivery status of a link's email, read by its id within the
/// statement that revokes the link.
const EMAIL_STATUS: FixedSql<diesel::sql_types::Nullable<diesel::sql_types::Text>> = fixed_sql(
    "(SELECT outbox_messages.status FROM outbox_messages WHERE outbox_messages.id = session_links.email_message_id)",
);

/// Links that can still be used, written as the partial index
/// `session_links_live_idx` is (see [`FixedSql`]): with the statuses bound
/// as parameters, PostgreSQL planned the revoke afresh on every call.
const LIVE_LINK: FixedSql<Bool> = fixed_sql("session_links.status IN ('ACTIVE', 'OPENED')");

/// A link to store.
pub struct NewLink<'a> {
    pub applicant: Uuid,
    pub verification: Uuid,
    pub token_hash: &'a [u8],
    pub expires_at: DateTime<Utc>,
    pub session_minutes: i32,
    pub max_attempts: i32,
    /// The email that carries it, already queued.
    pub email_message: Option<Uuid>,
    pub created_by: Option<Uuid>,
    /// What the officer says to the applicant, shown behind the link.
    pub note: Option<&'a str>,
}

/// Stores a link: only the token's hash, never the token.
pub fn create_link(conn: &mut PgConnection, link: NewLink<'_>, now: DateTime<Utc>) -> QueryResult<Uuid> {
    let id = crate::db::new_row_id();
    diesel::insert_into(session_links::table)
        .values((
            session_links::id.eq(id),
            session_links::verification_id.eq(link.verification),
            session_links::applicant_id.eq(link.applicant),
            session_links::token_hash.eq(link.token_hash),
            session_links::expires_at.eq(link.expires_at),
            session_links::session_minutes.eq(link.session_minutes),
            session_links::max_attempts.eq(link.max_attempts),
            session_links::email_message_id.eq(link.email_message),
            session_links::created_by.eq(link.created_by),
            session_links::created_at.eq(now),
            session_links::note.eq(link.note),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A link found by its token hash, locked for the update that follows.
pub fn find_link_for_update(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<(SessionLink, Verification)>> {
    session_links::table
        .inner_join(verifications::table)
        .filter(session_links::token_hash.eq(token_hash))
        .for_update()
        .select((SessionLink::as_select(), Verification::as_select()))
        .first(conn)
        .optional()
}

/// One of the applicant's links, locked for the update that follows.
pub fn link_of_for_update(conn: &mut PgConnection, applicant: Uuid, link: Uuid) -> QueryResult<Option<SessionLink>> {
    session_links::table
        .find(link)
        .filter(session_links::applicant_id.eq(applicant))
        .for_update()
        .select(SessionLink::as_select())
        .first(conn)
        .optional()
}

/// The applicant's links that still work, as the session form reads them
/// to say what a new session would end: newest first.
#[derive(Queryable)]
pub struct LiveLink {
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub open_count: i32,
    pub session_ends_at: Option<DateTime<Utc>>,
}

impl LiveLink {
    /// The applicant is in its session right now.
    pub fn running(&self, now: DateTime<Utc>) -> bool {
        self.status == status::OPENED && self.session_ends_at.is_some_and(|end| end > now)
    }

    /// Sent, and not started yet.
    pub fn waiting(&self) -> bool {
        self.status == status::ACTIVE
    }
}

/// The applicant's links that still work at `now` (see [`LiveLink`]).
pub fn live_links(conn: &mut PgConnection, applicant: Uuid, now: DateTime<Utc>) -> QueryResult<Vec<LiveLink>> {
    session_links::table
        .filter(session_links::applicant_id.eq(applicant))
        .filter(LIVE_LINK)
        .filter(session_links::expires_at.gt(now))
        .order(session_links::created_at.desc())
        .select((
            session_links::status,
            session_links::created_at,
            session_links::open_count,
            session_links::session_ends_at,
        ))
        .load(conn)
}

/// How far back [`close_lapsed_links`] looks. A link that ran out earlier
/// (before an upgrade, or while the server was down for days) is closed
/// when it is next opened, without flooding the timeline with old news.
const LAPSE_WINDOW: Duration = Duration::days(2);

/// Closes the links whose time ran out by `now`, the link's expiry or its
/// session time, and records each on its applicant's timeline at the time
/// it ran out: an officer following the tracker sees it happen, not only
/// when someone opens the link again. Returns how many it closed.
pub fn close_lapsed_links(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    // The expiry first: it ends a running session too, and says more.
    let expired: Vec<(Uuid, DateTime<Utc>)> = kept_update(
        session_links::table
            .filter(LIVE_LINK)
            .filter(session_links::expires_at.le(now))
            .filter(session_links::expires_at.gt(now - LAPSE_WINDOW)),
        session_links::status.eq(status::EXPIRED),
    )
    .returning((session_links::applicant_id, session_links::expires_at))
    .get_results(conn)?;
    let ran_out: Vec<(Uuid, Option<DateTime<Utc>>)> = kept_update(
        session_links::table
            .filter(session_links::status.eq(status::OPENED))
            .filter(session_links::session_ends_at.le(now))
            .filter(session_links::session_ends_at.gt(now - LAPSE_WINDOW)),
        session_links::status.eq(status::SESSION_EXPIRED),
    )
    .returning((session_links::applicant_id, session_links::session_ends_at))
    .get_results(conn)?;
    let closed = expired.len() + ran_out.len();
    for (applicant, at, lapse) in expired
        .into_iter()
        .map(|(applicant, at)| (applicant, at, status::EXPIRED))
        .chain(
            ran_out
                .into_iter()
                .map(|(applicant, at)| (applicant, at.unwrap_or(now), status::SESSION_EXPIRED)),
        )
    {
        record_lapse(conn, applicant, lapse, at)?;
    }
    Ok(closed)
}

/// Records on the applicant's timeline that a link ran out (`lapse`:
/// expired, or its session time ended) at `at`.
pub fn record_lapse(conn: &mut PgConnection, applicant: Uuid, lapse: &str, at: DateTime<Utc>) -> QueryResult<()> {
    let why = if lapse == status::EXPIRED {
        "the link expired"
    } else {
        "the session time ran out"
    };
    crate::audit::record(
        conn,
        at,
        &crate::audit::Actor::system("Veridesk"),
        crate::audit::EventKind::LinkLapsed,
        Some(("applicant", applicant.to_string())),
        serde_json::json!({ "why": why }),
    )
}

/// Whether step result `result` belongs to one of the applicant's
/// verifications, current or not.
pub fn result_is_applicants(conn: &mut PgConnection, result: Uuid, applicant: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        step_results::table
            .inner_join(verifications::table)
            .filter(step_results::id.eq(result))
            .filter(verifications::applicant_id.eq(applicant)),
    ))
    .get_result(conn)
}

/// Points the link at the email that now carries it.
pub fn set_link_email(conn: &mut PgConnection, link: Uuid, message: Uuid) -> QueryResult<()> {
    diesel::update(session_links::table.find(link))
        .set(session_links::email_message_id.eq(message))
        .execute(conn)?;
    Ok(())
}

/// Stores a status the link has reached by time passing.
pub fn set_link_status(conn: &mut PgConnection, link: Uuid, new_status: &str) -> QueryResult<()> {
    diesel::update(session_links::table.find(link))
        .set(session_links::status.eq(new_status))
        .execute(conn)?;
    Ok(())
}

/// Counts an open of the link's page (before the start or after it), as
/// the timeline records each.
pub fn record_view(conn: &mut PgConnection, link: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(session_links::table.find(link))
        .set((
            session_links::last_opened_at.eq(now),
            session_links::open_count.eq(session_links::open_count + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// The applicant starts: the session clock runs from now, for the session
/// time, and never past the link's expiry.
pub fn start_session(conn: &mut PgConnection, link: &SessionLink, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(session_links::table.find(link.id))
        .set((
            session_links::status.eq(status::OPENED),
            session_links::first_opened_at.eq(now),
            session_links::session_ends_at.eq(link.session_end_if_opened(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Counts a failed attempt (a wrong code, a rejected capture); blocks the
/// link when the flow's limit is reached. Returns true when it blocked.
pub fn record_failed_attempt(conn: &mut PgConnection, link: Uuid) -> QueryResult<bool> {
    let updated: SessionLink = diesel::update(session_links::table.find(link))
        .set(session_links::failed_attempts.eq(session_links::failed_attempts + 1))
        .returning(SessionLink::as_returning())
        .get_result(conn)?;
    if updated.failed_attempts >= updated.max_attempts {
        set_link_status(conn, link, status::BLOCKED)?;
        return Ok(true);
    }
    Ok(false)
}

/// Moves a regular verification's applicant to `INCOMPLETE` when they start:
/// from `INIT`, or from `REJECTED` when the rejection was a retry (a final
/// one revokes every link, so a link that starts means a retry): the list
/// shows they are at work again, not still rejected.
pub fn mark_started(conn: &mut PgConnection, verification: &Verification, now: DateTime<Utc>) -> QueryResult<bool> {
    if verification.kind != "regular" {
        return Ok(false);
    }
    let n = diesel::update(
        applicants::table
            .find(verification.applicant_id)
            .filter(applicants::status.eq_any(["INIT", "REJECTED"]))
            .filter(applicants::current_verification_id.eq(verification.id)),
    )
    .set((applicants::status.eq("INCOMPLETE"), applicants::updated_at.eq(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// A link with its email's delivery state, as the profile shows it.
#[derive(Debug, Clone)]
pub struct LinkWithEmail {
    pub link: SessionLink,
    pub verification_kind: String,
    pub flow_name: String,
    pub email: Option<(String, String, i32, Option<String>)>,
}

/// The applicant's links, newest first, with their email's status
/// (recipient, status, attempts, last error).
pub fn links_of(conn: &mut PgConnection, applicant: Uuid) -> QueryResult<Vec<LinkWithEmail>> {
    let rows: Vec<(SessionLink, String, String)> = session_links::table
        .inner_join(verifications::table.inner_join(flows::table))
        .filter(verifications::applicant_id.eq(applicant))
        .order(session_links::created_at.desc())
        .select((SessionLink::as_select(), verifications::kind, flows::name))
        .load(conn)?;
    let message_ids: Vec<Uuid> = rows.iter().filter_map(|(l, _, _)| l.email_message_id).collect();
    let messages: Vec<(Uuid, String, String, i32, Option<String>)> = outbox_messages::table
        .filter(outbox_messages::id.eq_any(&message_ids))
        .select((
            outbox_messages::id,
            outbox_messages::to_address,
            outbox_messages::status,
            outbox_messages::attempts,
            outbox_messages::last_error,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(link, verification_kind, flow_name)| {
            let email = link
                .email_message_id
                .and_then(|m| messages.iter().find(|x| x.0 == m))
                .map(|(_, to, status, attempts, error)| (to.clone(), status.clone(), *attempts, error.clone()));
            LinkWithEmail {
                link,
                verification_kind,
                flow_name,
                email,
            }
        })
        .collect())
}

/// The delivery state of the email that carried one of the applicant's
/// links: (status, attempts, last error); `None` for any other message.
pub fn link_email_status(
    conn: &mut PgConnection,
    applicant: Uuid,
    message: Uuid,
) -> QueryResult<Option<(String, i32, Option<String>)>> {
    outbox_messages::table
        .filter(outbox_messages::id.eq(message))
        // Through the applicant's verifications and their links, both
        // indexed, rather than all links by message.
        .filter(diesel::dsl::exists(
            session_links::table
                .inner_join(verifications::table)
                .filter(verifications::applicant_id.eq(applicant))
                .filter(session_links::email_message_id.eq(message)),
        ))
        .select((
            outbox_messages::status,
            outbox_messages::attempts,
            outbox_messages::last_error,
        ))
        .first(conn)
        .optional()
}

/// The browsers (user agents) of the opens of the applicant's dead links
/// from `ip` recorded since `since`, at most `limit` of them.
pub fn refused_opens_since(
    conn: &mut PgConnection,
    applicant: Uuid,
    ip: Option<&str>,
    since: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Option<String>>> {
    use crate::db::schema::events;
    events::table
        .filter(events::subject_type.eq("applicant"))
        .filter(events::subject_id.eq(applicant.to_string()))
        .filter(events::occurred_at.ge(since))
        .filter(events::kind.eq(crate::audit::EventKind::LinkOpened.code()))
        .filter(events::ip.is_not_distinct_from(ip))
        .filter(events::details.has_key("refused"))
        .select(events::user_agent)
        .limit(limit)
        .load(conn)
}

/// How an email's delivery reads for an officer, beside its status word:
/// the badge's style and the words after it (`attempt 2: …`, the failure,
/// the note of a partly sent email). An email sent with a note (a cc its
/// server refused) is a warning, not a plain success; the words stay out
/// of the badge, which does not wrap.
pub fn delivery_detail(status: &str, attempts: i32, error: Option<&str>) -> (&'static str, String) {
    let badge = match status {
        "sent" if error.is_some() => "warning",
        "sent" => "sent",
        "retrying" => "retrying",
        "failed" => "failed",
        "cancelled" => "cancelled",
        _ => "queued",
    };
    let detail = match (status, error) {
        ("retrying", Some(error)) => format!("attempt {attempts}: {error}"),
        ("sent", Some(note)) => format!("but {note}"),
        (_, Some(error)) => error.to_string(),
        (_, None) => String::new(),
    };
    (badge, detail)
}

/// A step result as the flow tracker shows it.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = step_results)]
pub struct StepResult {
    pub id: Uuid,
    pub verification_id: Uuid,
    pub step_id: Uuid,
    pub step_kind: String,
    pub status: String,
    pub active: bool,
    pub comment: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub deactivated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// What the step recorded: the applicant's answers, a check's findings.
    pub data: serde_json::Value,
}

impl StepResult {
    /// What a check found that an officer should look at (a document's
    /// problem, a screening hit), as the check wrote it.
    pub fn findings(&self) -> Option<&str> {
        self.data.get(FINDINGS).and_then(serde_json::Value::as_str)
    }

    /// Whether the applicant is done with the step: it passed, an officer
    /// settled it, or it waits for an officer's look. Approval needs every
    /// step finished; the applicant's page marks these done.
    pub fn is_finished(&self) -> bool {
        matches!(self.status.as_str(), "PASSED" | "RESOLVED" | "NEEDS_REVIEW")
    }
}

/// The flow name, version number and definition of a flow version.
pub fn version_definition(conn: &mut PgConnection, version: Uuid) -> Result<(String, i32, FlowDefinition), AppError> {
    let (name, number, def): (String, i32, serde_json::Value) = flows::table
        .inner_join(flow_versions::table)
        .filter(flow_versions::id.eq(version))
        .select((flows::name, flow_versions::number, flow_versions::definition))
        .first(conn)?;
    Ok((name, number, serde_json::from_value(def).map_err(AppError::internal)?))
}

/// One verification.
pub fn find_verification(conn: &mut PgConnection, id: Uuid) -> QueryResult<Verification> {
    verifications::table
        .find(id)
        .select(Verification::as_select())
        .first(conn)
}

/// The results of a verification, active ones and history, oldest first.
pub fn results_of(conn: &mut PgConnection, verification: Uuid) -> QueryResult<Vec<StepResult>> {
    step_results::table
        .filter(step_results::verification_id.eq(verification))
        // A verification's results are written in one statement, so they
        // share their time; their ids, time-ordered, keep the flow's order.
        .order((step_results::created_at.asc(), step_results::id.asc()))
        .select(StepResult::as_select())
        .load(conn)
}

/// Moves a result to history and opens a fresh one for the same step.
pub fn deactivate_result(conn: &mut PgConnection, result: &StepResult, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(step_results::table.find(result.id))
        .set((step_results::active.eq(false), step_results::deactivated_at.eq(now)))
        .execute(conn)?;
    diesel::insert_into(step_results::table)
        .values((
            step_results::id.eq(crate::db::new_row_id()),
            step_results::verification_id.eq(result.verification_id),
            step_results::step_id.eq(result.step_id),
            step_results::step_kind.eq(&result.step_kind),
            step_results::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Brings a result back from history; the step's active result goes to
/// history, unless it is the empty result left by a deactivation, which
/// the applicant never started: that one is dropped, as it holds nothing.
pub fn reactivate_result(conn: &mut PgConnection, result: &StepResult, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::delete(
        step_results::table
            .filter(step_results::verification_id.eq(result.verification_id))
            .filter(step_results::step_id.eq(result.step_id))
            .filter(step_results::active.eq(true))
            .filter(step_results::status.eq("NOT_STARTED"))
            .filter(step_results::started_at.is_null()),
    )
    .execute(conn)?;
    diesel::update(
        step_results::table
            .filter(step_results::verification_id.eq(result.verification_id))
            .filter(step_results::step_id.eq(result.step_id))
            .filter(step_results::active.eq(true)),
    )
    .set((step_results::active.eq(false), step_results::deactivated_at.eq(now)))
    .execute(conn)?;
    diesel::update(step_results::table.find(result.id))
        .set((
            step_results::active.eq(true),
            step_results::deactivated_at.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records what became of a step the applicant worked on: started at
/// `started` and, unless `status` is still `OPEN`, finished at `completed`
/// as `PASSED`, `FAILED` or `NEEDS_REVIEW`.
pub fn record_result(
    conn: &mut PgConnection,
    result: Uuid,
    status: &str,
    started: DateTime<Utc>,
    completed: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    diesel::update(step_results::table.find(result))
        .set((
            step_results::status.eq(status),
            step_results::started_at.eq(started),
            step_results::completed_at.eq(completed),
        ))
        .execute(conn)?;
    Ok(())
}

/// The key of a result's data under which a check writes what it found.
const FINDINGS: &str = "findings";

/// Adds what a check found to a result's data, beside what is there.
pub fn record_findings(conn: &mut PgConnection, result: Uuid, findings: &str) -> QueryResult<()> {
    diesel::update(step_results::table.find(result))
        .set(step_results::data.eq(step_results::data.concat(serde_json::json!({ FINDINGS: findings }))))
        .execute(conn)?;
    Ok(())
}

/// Settles a result by hand.
pub fn resolve_result(conn: &mut PgConnection, result: Uuid, comment: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(step_results::table.find(result))
        .set((
            step_results::status.eq("RESOLVED"),
            step_results::comment.eq(comment),
            // When the applicant finished it stays; the timeline says when
            // and by whom it was settled.
            step_results::completed_at.eq(diesel::dsl::case_when(step_results::completed_at.is_null(), Some(now))
                .otherwise(step_results::completed_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Copies passed or resolved results from `from` into `to` for steps of
/// the same kind (and, for questionnaires, the same questionnaire).
pub fn carry_over_results(
    conn: &mut PgConnection,
    from: Uuid,
    to: Uuid,
    target: &FlowDefinition,
) -> Result<usize, AppError> {
    let source_version = find_verification(conn, from)?.flow_version_id;
    let (_, _, source) = version_definition(conn, source_version)?;
    let old = results_of(conn, from)?;
    let mut carried = 0;
    for result in old
        .iter()
        .filter(|r| r.active && matches!(r.status.as_str(), "PASSED" | "RESOLVED"))
    {
        let Some(was) = source.steps.iter().find(|s| s.id == result.step_id) else {
            continue;
        };
        let Some(step) = target.steps.iter().find(|s| same_step(&was.config, &s.config)) else {
            continue;
        };
        let data: serde_json::Value = step_results::table
            .find(result.id)
            .select(step_results::data)
            .first(conn)?;
        let n = diesel::update(
            step_results::table
                .filter(step_results::verification_id.eq(to))
                .filter(step_results::step_id.eq(step.id))
                .filter(step_results::active.eq(true)),
        )
        .set((
            step_results::status.eq(&result.status),
            step_results::data.eq(data),
            step_results::comment.eq(&result.comment),
            step_results::started_at.eq(result.started_at),
            step_results::completed_at.eq(result.completed_at),
        ))
        .execute(conn)?;
        carried += n;
    }
    Ok(carried)
}

/// Whether a result for step `a` also answers step `b` of another flow.
///
/// - Steps whose settings decide what passes need the same settings: a
///   questionnaire the same version of the same questionnaire (answers to
///   other questions do not count), and a document check, face match, AML
///   screening or wallet check the same rules. A document passed where any
///   country was accepted says nothing about a flow that takes passports
///   from three countries only, or a higher minimum age.
/// - Everything else: the same kind.
fn same_step(a: &StepConfig, b: &StepConfig) -> bool {
    match a {
        StepConfig::Questionnaire { .. }
        | StepConfig::DocumentCheck { .. }
        | StepConfig::FaceMatch { .. }
        | StepConfig::Aml { .. }
        | StepConfig::CryptoWallet { .. } => a == b,
        _ => a.kind() == b.kind(),
    }
}

/// Moves every active result of a verification that has started to history
/// and opens fresh ones (reset to "Not initiated").
pub fn reset_results(conn: &mut PgConnection, verification: Uuid, now: DateTime<Utc>) -> QueryResult<usize> {
    // A step not started has nothing to set aside: it stays as it is,
    // rather than leave an empty entry in the step's history.
    let active: Vec<StepResult> = results_of(conn, verification)?
        .into_iter()
        .filter(|r| r.active && r.status != "NOT_STARTED")
        .collect();
    for r in &active {
        deactivate_result(conn, r, now)?;
    }
    Ok(active.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::definition::StepKind;

    #[test]
    fn live_links_are_the_active_and_opened_ones() {
        let sql = diesel::debug_query::<diesel::pg::Pg, _>(&LIVE_LINK).to_string();
        assert!(sql.starts_with(&format!(
            "session_links.status IN ('{}', '{}')",
            status::ACTIVE,
            status::OPENED
        )));
    }

    #[test]
    fn results_follow_steps_of_the_same_kind_questionnaire_and_check_settings() {
        let (q1, q2) = (Uuid::new_v4(), Uuid::new_v4());
        let questionnaire = |id| StepConfig::Questionnaire {
            questionnaire_id: id,
            questionnaire_version_id: None,
        };
        assert!(same_step(&questionnaire(q1), &questionnaire(q1)));
        assert!(!same_step(&questionnaire(q1), &questionnaire(q2)));
        let pinned = StepConfig::Questionnaire {
            questionnaire_id: q1,
            questionnaire_version_id: Some(Uuid::new_v4()),
        };
        assert!(
            !same_step(&questionnaire(q1), &pinned),
            "another version asks other questions"
        );
        let doc = StepKind::DocumentCheck.default_config(None).expect("config");
        let selfie = StepKind::Liveness.default_config(None).expect("config");
        assert!(same_step(&doc, &doc.clone()));
        assert!(!same_step(&doc, &selfie) && !same_step(&doc, &questionnaire(q1)));
        let mut stricter = doc.clone();
        if let StepConfig::DocumentCheck { min_age, .. } = &mut stricter {
            *min_age += 3;
        }
        assert!(
            !same_step(&doc, &stricter),
            "a document passed at one minimum age says nothing of a higher one"
        );
        let mut more_attempts = selfie.clone();
        if let StepConfig::Liveness { attempts } = &mut more_attempts {
            *attempts += 1;
        }
        assert!(same_step(&selfie, &more_attempts), "a live selfie done is done");
    }
}
