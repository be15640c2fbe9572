//! Reading the audit log.

use super::EventKind;
use crate::db::schema::{events, members};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// One event as listed.
#[derive(Queryable, Debug)]
pub struct EventRow {
    /// Sequence number, also the pagination cursor.
    pub id: i64,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// What (code).
    pub kind: String,
    /// member / visitor / system / …
    pub actor_kind: String,
    /// Who, as recorded then.
    pub actor_label: String,
    /// The member who acted, if a member did.
    pub actor_member_id: Option<Uuid>,
    /// What it was about.
    pub subject_type: Option<String>,
    /// The subject's id.
    pub subject_id: Option<String>,
    /// From which IP.
    pub ip: Option<String>,
    /// With which browser.
    pub user_agent: Option<String>,
    /// Extra facts.
    pub details: serde_json::Value,
}

/// Filters of the audit log page.
#[derive(Debug, Default, Clone)]
pub struct EventFilter {
    /// Only events by this member.
    pub actor: Option<Uuid>,
    /// Only events by this kind of actor (`system`, `applicant`, `visitor`).
    pub actor_kind: Option<&'static str>,
    /// Only events of this kind.
    pub kind: Option<String>,
    /// From this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Before this instant (exclusive).
    pub until: Option<DateTime<Utc>>,
    /// Only events older than this id (keyset pagination).
    pub before: Option<i64>,
    /// Only events about this subject, e.g. `("applicant", id)` for a timeline.
    pub subject: Option<(String, String)>,
}

/// A page of events, newest first, plus whether more follow.
///
/// Newest by when they happened, not by when they were written: the sweep
/// records a link that ran out at the time it ran out, after events that
/// happened later. The page after `before` starts past that event's
/// `(occurred_at, id)`; the URL keeps only its id.
pub fn list_events(conn: &mut PgConnection, filter: &EventFilter, limit: i64) -> QueryResult<(Vec<EventRow>, bool)> {
    use crate::db::keyset::{Direction, past};
    let cursor = match filter.before {
        Some(id) => events::table
            .find(id)
            .select(events::occurred_at)
            .first::<DateTime<Utc>>(conn)
            .optional()?
            .map(|at| (at, id)),
        None => None,
    };
    let mut query = events::table
        .select((
            events::id,
            events::occurred_at,
            events::kind,
            events::actor_kind,
            events::actor_label,
            events::actor_member_id,
            events::subject_type,
            events::subject_id,
            events::ip,
            events::user_agent,
            events::details,
        ))
        .order((events::occurred_at.desc(), events::id.desc()))
        .limit(limit + 1)
        .into_boxed();
    if let Some(kind) = filter.actor_kind {
        query = query.filter(events::actor_kind.eq(kind));
    }
    if let Some(actor) = filter.actor {
        query = query.filter(events::actor_member_id.eq(actor));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(events::kind.eq(kind.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(events::occurred_at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(events::occurred_at.lt(until));
    }
    match (cursor, filter.before) {
        (Some(cursor), _) => {
            query = query.filter(past((events::occurred_at, events::id), cursor, Direction::Descending));
        }
        // An id no event has (a hand-made address): the older ids.
        (None, Some(before)) => query = query.filter(events::id.lt(before)),
        (None, None) => {}
    }
    if let Some((subject_type, subject_id)) = &filter.subject {
        query = query
            .filter(events::subject_type.eq(subject_type.clone()))
            .filter(events::subject_id.eq(subject_id.clone()));
    }
    let mut rows: Vec<EventRow> = query.load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// Members that can be chosen in the actor filter: (id, label).
/// Whether an event of `kind` was recorded about this subject: how a
/// second click on "revoke" or "delete" tells "already done" from an id
/// that never existed, once the row itself is gone.
pub fn recorded(conn: &mut PgConnection, kind: EventKind, subject_type: &str, subject_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        events::table
            .filter(events::subject_type.eq(subject_type))
            .filter(events::subject_id.eq(subject_id))
            .filter(events::kind.eq(kind.code())),
    ))
    .get_result(conn)
}

pub fn actor_choices(conn: &mut PgConnection) -> QueryResult<Vec<(Uuid, String, String)>> {
    members::table
        .select((members::id, members::name, members::email))
        .order(members::email.asc())
        .load(conn)
}

/// The kinds of subject [`subject_names`] names.
pub const NAMED_SUBJECTS: [&str; 6] = ["applicant", "member", "flow", "questionnaire", "role", "email_template"];

/// The names of the subjects of `rows`, by (type, id): the audit log shows
/// "Ana Lima", not an id. One query per kind of subject on the page; a
/// subject deleted since has no name, and is shown by its id.
pub fn subject_names(
    conn: &mut PgConnection,
    rows: &[EventRow],
) -> QueryResult<std::collections::HashMap<(String, String), String>> {
    use crate::db::schema::{applicants, email_templates, flows, questionnaires, roles};
    let ids_of = |kind: &str| -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = rows
            .iter()
            .filter(|r| r.subject_type.as_deref() == Some(kind))
            .filter_map(|r| r.subject_id.as_deref()?.parse().ok())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let mut found: Vec<(&str, Uuid, String)> = Vec::new();
    macro_rules! names_in {
        ($kind:literal, $table:ident, $name:expr) => {{
            let ids = ids_of($kind);
            if !ids.is_empty() {
                let named: Vec<(Uuid, String)> = $table::table
                    .filter($table::id.eq_any(&ids))
                    .select(($table::id, $name))
                    .load(conn)?;
                found.extend(named.into_iter().map(|(id, name)| ($kind, id, name)));
            }
        }};
    }
    names_in!("applicant", applicants, applicants::name);
    names_in!("member", members, members::email);
    names_in!("flow", flows, flows::name);
    names_in!("questionnaire", questionnaires, questionnaires::name);
    names_in!("role", roles, roles::name);
    names_in!("email_template", email_templates, email_templates::name);
    Ok(found
        .into_iter()
        .map(|(kind, id, name)| ((kind.to_string(), id.to_string()), name))
        .collect())
}
