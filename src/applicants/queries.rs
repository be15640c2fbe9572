//! Applicant queries: create, find, and the list with its filters and
//! keyset pagination (no OFFSET: pages stay fast at any depth).

use super::models::{Applicant, KindLabel, NewApplicant, Status, normalise_search};
use super::search;
use crate::auth::permissions::Permission;
use crate::db::fixed_sql::{FixedSql, fixed_sql};
use crate::db::keyset::{Direction, past};
use crate::db::literal_limit::LiteralLimitDsl;
use crate::db::schema::{applicant_search, applicants, flows, members, roles};
use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel::sql_types::{Text, Timestamptz};
use diesel::upsert::DecoratableTarget;
use uuid::Uuid;

/// Inserts an applicant; `Ok(false)` when the external user id is taken.
pub fn create(conn: &mut PgConnection, applicant: &NewApplicant) -> QueryResult<bool> {
    let inserted = diesel::insert_into(applicants::table)
        .values(applicant)
        .on_conflict(applicants::external_user_id)
        .filter_target(applicants::purged_at.is_null())
        .do_nothing()
        .execute(conn)?;
    if inserted == 1 {
        diesel::insert_into(applicant_search::table)
            .values((
                applicant_search::applicant_id.eq(applicant.id),
                applicant_search::search_text.eq(&applicant.search_text),
                applicant_search::created_at.eq(applicant.created_at),
            ))
            .execute(conn)?;
    }
    Ok(inserted == 1)
}

/// One applicant, locked until the transaction ends (`NotFound` when there
/// is none).
pub fn find_applicant_for_update(conn: &mut PgConnection, id: Uuid) -> QueryResult<Applicant> {
    applicants::table
        .find(id)
        .for_update()
        .select(Applicant::as_select())
        .first(conn)
}

/// One applicant with its flow's and reviewer's names.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<(Applicant, Option<String>, Option<String>)> {
    applicants::table
        .left_join(flows::table)
        .left_join(members::table.on(members::id.nullable().eq(applicants::reviewer_id)))
        .filter(applicants::id.eq(id))
        .select((Applicant::as_select(), flows::name.nullable(), members::name.nullable()))
        .first(conn)
}

/// Active members whose role lets them review applicants: those who may be
/// made an applicant's reviewer.
pub fn reviewers(conn: &mut PgConnection) -> QueryResult<Vec<(Uuid, String)>> {
    members::table
        .inner_join(roles::table)
        .filter(members::status.eq("active"))
        // Reviewing needs seeing (`Permission::needs_seeing`).
        .filter(roles::permissions.contains(vec![
            Permission::ApplicantsReview.code(),
            Permission::ApplicantsView.code(),
        ]))
        .order(members::name.asc())
        .select((members::id, members::name, members::email))
        .load::<(Uuid, String, String)>(conn)
        .map(|all| {
            all.iter()
                .map(|(id, name, email)| {
                    let shared = all.iter().filter(|m| m.1 == *name).count() > 1;
                    (*id, super::names::member_label(name, email, shared))
                })
                .collect()
        })
}

/// Why nothing but a reset may follow a final rejection.
pub const FINAL_REJECTION: &str =
    "This applicant was rejected as final. To send links or decide again, reset the verification status first.";

/// Not rejected as final: not rejected, or the latest review is no final
/// rejection. The one statement of the rule, read by [`rejected_as_final`]
/// and by the statement that makes a new verification current, which
/// locks and updates the applicant at once.
pub const NOT_REJECTED_AS_FINAL: FixedSql<Bool> = fixed_sql(
    "NOT (applicants.status = 'REJECTED' AND (SELECT reviews.rejection_type FROM reviews \
     WHERE reviews.applicant_id = applicants.id ORDER BY reviews.created_at DESC, reviews.id DESC LIMIT 1) \
     IS NOT DISTINCT FROM 'final')",
);

/// Whether the applicant stands rejected as final (see
/// [`NOT_REJECTED_AS_FINAL`]). Only a reset reopens such a case.
pub fn rejected_as_final(conn: &mut PgConnection, applicant: &Applicant) -> QueryResult<bool> {
    // Only a rejected applicant can be; the others need no query.
    if applicant.status != super::models::Status::Rejected.code() {
        return Ok(false);
    }
    let open: bool = applicants::table
        .find(applicant.id)
        .select(NOT_REJECTED_AS_FINAL)
        .first(conn)?;
    Ok(!open)
}

/// How the list is sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sort {
    /// Newest first.
    #[default]
    CreatedDesc,
    /// Oldest first.
    CreatedAsc,
    /// Recently changed first.
    UpdatedDesc,
    /// Longest unchanged first.
    UpdatedAsc,
    /// A to Z.
    NameAsc,
    /// Z to A.
    NameDesc,
}

impl Sort {
    /// Every sort: (key, label).
    pub const ALL: [(Sort, &'static str, &'static str); 6] = [
        (Sort::CreatedDesc, "created_desc", "Newest first"),
        (Sort::CreatedAsc, "created_asc", "Oldest first"),
        (Sort::UpdatedDesc, "updated_desc", "Recently updated"),
        (Sort::UpdatedAsc, "updated_asc", "Longest unchanged"),
        (Sort::NameAsc, "name_asc", "Name A–Z"),
        (Sort::NameDesc, "name_desc", "Name Z–A"),
    ];

    /// The key used in URLs.
    pub fn key(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _, _)| *s == self)
            .map_or("created_desc", |(_, k, _)| k)
    }

    /// The same order backwards: the page before a row is the page after
    /// it in the reversed order, read back to front.
    pub fn reversed(self) -> Self {
        match self {
            Sort::CreatedDesc => Sort::CreatedAsc,
            Sort::CreatedAsc => Sort::CreatedDesc,
            Sort::UpdatedDesc => Sort::UpdatedAsc,
            Sort::UpdatedAsc => Sort::UpdatedDesc,
            Sort::NameAsc => Sort::NameDesc,
            Sort::NameDesc => Sort::NameAsc,
        }
    }

    /// Looks a sort up by key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, k, _)| *k == key).map(|(s, _, _)| *s)
    }
}

/// Where the next page starts: the sort value of the last row and its id.
#[derive(Clone, Debug, PartialEq)]
pub enum Cursor {
    /// For time sorts.
    At(DateTime<Utc>, Uuid),
    /// For name sorts.
    Name(String, Uuid),
    /// A name sort's cursor as an address carries it: the row's id alone,
    /// so applicants' names stay out of addresses, shared links and access
    /// logs. [`name_cursor`] looks the name up.
    NameOf(Uuid),
}

/// The name-sort cursor of the applicant `id`, by their name now; `None`
/// (the first page) when they are gone.
pub fn name_cursor(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Cursor>> {
    Ok(applicants::table
        .find(id)
        .select(applicants::name)
        .first::<String>(conn)
        .optional()?
        .map(|name| Cursor::Name(name, id)))
}

/// The list's filters.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub search: Option<String>,
    pub status: Option<String>,
    pub flow: Option<Uuid>,
    /// `Some(None)`: applicants without a reviewer.
    pub reviewer: Option<Option<Uuid>>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_until: Option<DateTime<Utc>>,
    pub sort: Sort,
    pub after: Option<Cursor>,
}

/// One row of the list.
#[derive(Queryable, Debug, Clone)]
pub struct ListRow {
    pub id: Uuid,
    pub kind: KindLabel,
    pub external_user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub status: Status,
    pub deletion_scheduled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub flow_id: Option<Uuid>,
    pub reviewer_id: Option<Uuid>,
    pub purged_at: Option<DateTime<Utc>>,
    /// Not rejected as final: the case takes new sessions.
    pub open_case: bool,
}

/// A page of applicants and whether more follow.
///
/// One table, no joins: flow and reviewer names come from
/// [`super::names::Names`], which the page needs anyway for its filters.
pub fn list(conn: &mut PgConnection, filter: &ListFilter, limit: u32) -> QueryResult<(Vec<ListRow>, bool)> {
    let mut query = applicants::table
        .select((
            applicants::id,
            applicants::kind,
            applicants::external_user_id,
            applicants::name,
            applicants::email,
            applicants::status,
            applicants::deletion_scheduled_at,
            applicants::created_at,
            applicants::updated_at,
            applicants::flow_id,
            applicants::reviewer_id,
            applicants::purged_at,
            NOT_REJECTED_AS_FINAL,
        ))
        .into_boxed();
    if let Some(term) = &filter.search {
        query = match search::find(conn, &normalise_search(term), filter, limit)? {
            search::Found::Page(ids) => query.filter(applicants::id.eq_any(ids)),
            search::Found::Matches(ids) => query.filter(applicants::id.eq_any(ids)),
        };
    }
    if let Some(status) = &filter.status {
        query = query.filter(applicants::status.eq(status.clone()));
    }
    if let Some(flow) = filter.flow {
        query = query.filter(applicants::flow_id.eq(flow));
    }
    match filter.reviewer {
        Some(Some(reviewer)) => query = query.filter(applicants::reviewer_id.eq(reviewer)),
        Some(None) => query = query.filter(applicants::reviewer_id.is_null()),
        None => {}
    }
    if let Some(from) = filter.created_from {
        query = query.filter(applicants::created_at.ge(from));
    }
    if let Some(until) = filter.created_until {
        query = query.filter(applicants::created_at.lt(until));
    }
    // Past the cursor in (key, id) order, as a row comparison: it bounds
    // the sort index's scan (see `db::keyset`).
    let ascending = matches!(filter.sort, Sort::CreatedAsc | Sort::UpdatedAsc | Sort::NameAsc);
    let direction = if ascending {
        Direction::Ascending
    } else {
        Direction::Descending
    };
    query = match (filter.sort, &filter.after) {
        (Sort::CreatedDesc | Sort::CreatedAsc, Some(Cursor::At(t, id))) => {
            query.filter(past((applicants::created_at, applicants::id), (*t, *id), direction))
        }
        (Sort::UpdatedDesc | Sort::UpdatedAsc, Some(Cursor::At(t, id))) => {
            query.filter(past((applicants::updated_at, applicants::id), (*t, *id), direction))
        }
        (Sort::NameAsc | Sort::NameDesc, Some(Cursor::Name(n, id))) => {
            query.filter(past((applicants::name, applicants::id), (n.clone(), *id), direction))
        }
        _ => query,
    };
    // With a search term the trigram index finds the few matches; ordering
    // by an expression stops the planner from walking the sort index instead
    // and filtering row by row (hundreds of times slower on rare terms).
    let searching = filter.search.is_some();
    query = match (filter.sort, searching) {
        (Sort::CreatedDesc, false) => query.order((applicants::created_at.desc(), applicants::id.desc())),
        (Sort::CreatedAsc, false) => query.order((applicants::created_at.asc(), applicants::id.asc())),
        (Sort::UpdatedDesc, false) => query.order((applicants::updated_at.desc(), applicants::id.desc())),
        (Sort::UpdatedAsc, false) => query.order((applicants::updated_at.asc(), applicants::id.asc())),
        (Sort::NameAsc, false) => query.order((applicants::name.asc(), applicants::id.asc())),
        (Sort::NameDesc, false) => query.order((applicants::name.desc(), applicants::id.desc())),
        (Sort::CreatedDesc, true) => query.order((
            sql::<Timestamptz>("applicants.created_at + interval '0'").desc(),
            applicants::id.desc(),
        )),
        (Sort::CreatedAsc, true) => query.order((
            sql::<Timestamptz>("applicants.created_at + interval '0'").asc(),
            applicants::id.asc(),
        )),
        (Sort::UpdatedDesc, true) => query.order((
            sql::<Timestamptz>("applicants.updated_at + interval '0'").desc(),
            applicants::id.desc(),
        )),
        (Sort::UpdatedAsc, true) => query.order((
            sql::<Timestamptz>("applicants.updated_at + interval '0'").asc(),
            applicants::id.asc(),
        )),
        (Sort::NameAsc, true) => query.order((sql::<Text>("applicants.name || ''").asc(), applicants::id.asc())),
        (Sort::NameDesc, true) => query.order((sql::<Text>("applicants.name || ''").desc(), applicants::id.desc())),
    };
    let mut rows: Vec<ListRow> = query.literal_limit(limit + 1).load(conn)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// A page of an applicant's timeline, newest first (older than the event
/// `before`, when given): the audit log about them, and whether older
/// events follow. `kind` narrows it to one kind of event (comments).
pub fn timeline(
    conn: &mut PgConnection,
    id: Uuid,
    before: Option<i64>,
    kind: Option<&str>,
    limit: i64,
) -> QueryResult<(Vec<crate::audit::queries::EventRow>, bool)> {
    let filter = crate::audit::queries::EventFilter {
        subject: Some(("applicant".into(), id.to_string())),
        kind: kind.map(str::to_string),
        before,
        ..Default::default()
    };
    crate::audit::queries::list_events(conn, &filter, limit)
}
