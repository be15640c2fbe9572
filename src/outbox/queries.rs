//! Outbox queries: claiming due messages, recording attempts, listing.

use crate::db::fixed_sql::{FixedSql, fixed_sql};
use crate::db::kept_update::kept_update;
use crate::db::schema::{outbox_attempts, outbox_messages};
use crate::db::unnest;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Timestamptz};
use uuid::Uuid;

/// A message as stored.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = outbox_messages)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub kind: String,
    pub to_address: String,
    pub cc_addresses: Vec<String>,
    pub from_name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub transport: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The applicant it was sent to, if any.
    pub applicant_id: Option<Uuid>,
    /// For a copy made for cc addresses their server put off: the email
    /// it was made from.
    pub cc_copy_of: Option<Uuid>,
}

/// One delivery attempt.
#[derive(Queryable, Debug)]
pub struct Attempt {
    pub attempted_at: DateTime<Utc>,
    pub error: Option<String>,
}

/// How long a claimed message is reserved for the worker that claimed it.
/// If that worker dies, the message becomes due again afterwards.
const LEASE: Duration = Duration::minutes(5);

/// Claims up to `limit` due messages for this worker.
///
/// `FOR UPDATE SKIP LOCKED` lets several instances claim side by side
/// without waiting on or double-sending each other's rows.
pub fn claim_due(conn: &mut PgConnection, now: DateTime<Utc>, limit: u32) -> QueryResult<Vec<OutboxMessage>> {
    // The statuses are written as the partial index `outbox_due_idx` is (see
    // `FixedSql`), so the claim is prepared once per connection with a plan
    // that uses that index. Diesel's `sql_query` is never kept prepared.
    let due = due_messages
        .select(due_messages.field(outbox_messages::id))
        .filter(DUE_WAITING)
        .filter(due_messages.field(outbox_messages::next_attempt_at).le(now))
        .order(due_messages.field(outbox_messages::next_attempt_at))
        .limit(i64::from(limit))
        .for_update()
        .skip_locked();
    kept_update(
        outbox_messages::table.filter(outbox_messages::id.eq_any(due)),
        (
            outbox_messages::attempts.eq(outbox_messages::attempts + 1),
            outbox_messages::next_attempt_at.eq(now + LEASE),
        ),
    )
    .returning(OutboxMessage::as_returning())
    .get_results(conn)
}

// The claim picks its rows in a subquery on the same table, which Diesel
// accepts under another name.
diesel::alias!(outbox_messages as due_messages: DueMessages);

/// Messages still waiting for delivery, as the partial index
/// `outbox_due_idx` spells it, so that the claim's generic plan walks it.
const DUE_WAITING: FixedSql<Bool> = fixed_sql("due_messages.status IN ('queued', 'retrying')");

/// Not sent, failed or cancelled: waiting, but written so that it does
/// not match `outbox_due_idx`'s predicate. An update by ids with that
/// predicate gets a generic plan that walks the index, every waiting
/// message of the queue, filtering by id; under load the queue is long.
/// This way the rows are found by their ids.
const UNFINISHED: FixedSql<Bool> = fixed_sql("outbox_messages.status NOT IN ('sent', 'failed', 'cancelled')");

/// Waiting, or cancelled while a worker was already sending it: if that
/// delivery succeeds, "sent" is what happened. Not the due index's
/// predicate either, so found by id (see [`UNFINISHED`]).
const WAITING_OR_CANCELLED: FixedSql<Bool> = fixed_sql("outbox_messages.status IN ('queued', 'retrying', 'cancelled')");

diesel::define_sql_function! {
    /// PostgreSQL's `regexp_replace(source, pattern, replacement, flags)`.
    fn regexp_replace(source: Text, pattern: Text, replacement: Text, flags: Text) -> Text;
}

/// The token of a link that signs someone in, accepts an invitation or
/// opens a verification (`URL_SAFE_NO_PAD` of 32 bytes: 43 characters).
const SECRET_LINK: &str = "(/(?:v|invitations|reset-password)/)[A-Za-z0-9_-]{20,}";
const SECRET_REMOVED: &str = "\\1[token removed]";

/// Of `ids`, those still stored, held until the transaction ends so that
/// they stay so. The purge deletes an applicant's emails, and one may be
/// on its way to the mail server meanwhile: recording its outcome would
/// then break the whole batch's transaction (its attempt row refers to a
/// message that is gone), and every email sent with it would be sent again.
pub fn still_stored(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    outbox_messages::table
        .filter(outbox_messages::id.eq_any(ids))
        .select(outbox_messages::id)
        .for_key_share()
        .load(conn)
}

/// Records successful deliveries: one update and one insert for a whole
/// batch, so a busy outbox does not cost two statements per email.
///
/// With `forget_links`, the bodies lose their links' tokens in the same
/// update: the recipient has them now, and the database keeps tokens only
/// as hashes, so a copy of it (a backup) opens no one's verification or
/// account. The development mailbox keeps them: it is where they are read.
pub fn mark_sent(
    conn: &mut PgConnection,
    ids: &[Uuid],
    now: DateTime<Utc>,
    transport: &str,
    forget_links: bool,
) -> QueryResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    // Only messages not yet recorded as sent or failed: never overwrite what
    // another worker recorded; one cancelled while in flight did go.
    let unrecorded = outbox_messages::table
        .filter(outbox_messages::id.eq_any(ids))
        .filter(WAITING_OR_CANCELLED);
    let sent = (
        outbox_messages::status.eq("sent"),
        outbox_messages::sent_at.eq(now),
        outbox_messages::transport.eq(transport),
        outbox_messages::last_error.eq(None::<String>),
    );
    if forget_links {
        kept_update(
            unrecorded,
            (
                sent,
                outbox_messages::body_text.eq(regexp_replace(
                    outbox_messages::body_text,
                    SECRET_LINK,
                    SECRET_REMOVED,
                    "g",
                )),
                outbox_messages::body_html.eq(regexp_replace(
                    outbox_messages::body_html,
                    SECRET_LINK,
                    SECRET_REMOVED,
                    "g",
                )),
            ),
        )
        .execute(conn)?;
    } else {
        kept_update(unrecorded, sent).execute(conn)?;
    }
    // From an array, so the statement is the same whatever the batch's size.
    diesel::insert_into(outbox_attempts::table)
        .values(diesel::select((unnest(ids.to_vec()), now.into_sql::<Timestamptz>())))
        .into_columns((outbox_attempts::message_id, outbox_attempts::attempted_at))
        .execute(conn)?;
    Ok(())
}

/// Takes the links' tokens out of emails whose link now travels in
/// another email (a copy sent again), as `mark_sent` does once one is sent.
pub fn forget_links(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<usize> {
    kept_update(
        outbox_messages::table.filter(outbox_messages::id.eq_any(ids)),
        (
            outbox_messages::body_text.eq(regexp_replace(
                outbox_messages::body_text,
                SECRET_LINK,
                SECRET_REMOVED,
                "g",
            )),
            outbox_messages::body_html.eq(regexp_replace(
                outbox_messages::body_html,
                SECRET_LINK,
                SECRET_REMOVED,
                "g",
            )),
        ),
    )
    .execute(conn)
}

/// After an email failed for good (and any cc copy was made from it):
/// takes its token out when nothing will send it again. An invitation or
/// reset is asked for anew, with a new token; a cc's own copy is never sent
/// again. Only the recipient's email of a verification link may be: as a
/// copy, while the link lives, and its token goes when the link is
/// withdrawn or the copy carries it. (A cc copy still waiting when its link
/// is withdrawn is cancelled, and loses its token, when it comes due.)
pub fn forget_if_never_sent_again(conn: &mut PgConnection, message: &OutboxMessage) -> QueryResult<()> {
    if message.kind != crate::verifications::LINK_EMAIL_KIND || message.cc_copy_of.is_some() {
        forget_links(conn, &[message.id])?;
    }
    Ok(())
}

/// Exponential back-off: 30 s, 1 min, 2 min … capped at one hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    Duration::seconds((30i64 << exp).min(3600))
}

/// Adds to the note of a sent email: what became of its cc copy.
pub fn add_to_note(conn: &mut PgConnection, id: Uuid, more: &str) -> QueryResult<()> {
    diesel::update(outbox_messages::table.find(id))
        .set(
            outbox_messages::last_error.eq(
                diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
                    "coalesce(last_error || '; ', '') || ",
                )
                .bind::<diesel::sql_types::Text, _>(more),
            ),
        )
        .execute(conn)?;
    Ok(())
}

/// Notes what went wrong with an email that was nonetheless sent (a cc
/// address refused), for the officer to see next to "sent".
pub fn note_sent(conn: &mut PgConnection, id: Uuid, note: &str) -> QueryResult<()> {
    diesel::update(outbox_messages::table.find(id))
        .set(outbox_messages::last_error.eq(note))
        .execute(conn)?;
    Ok(())
}

/// Where a message goes and how its delivery stands: (main recipient,
/// status, last error).
pub fn delivery(conn: &mut PgConnection, id: Uuid) -> QueryResult<(String, String, Option<String>)> {
    outbox_messages::table
        .find(id)
        .select((
            outbox_messages::to_address,
            outbox_messages::status,
            outbox_messages::last_error,
        ))
        .first(conn)
}

/// Cancels the emails among `ids` that have not gone yet, saying `why`;
/// returns how many. Their links were withdrawn: sent later, they would
/// reach the applicant after the link that works.
pub fn cancel_waiting(conn: &mut PgConnection, ids: &[Uuid], why: &str) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    kept_update(
        outbox_messages::table
            .filter(outbox_messages::id.eq_any(ids))
            .filter(UNFINISHED),
        (
            outbox_messages::status.eq("cancelled"),
            outbox_messages::last_error.eq(why),
        ),
    )
    .execute(conn)
}

/// Records a failed delivery; returns true when it is final: no attempts
/// remain, or the failure is `permanent` and no attempt could succeed.
pub fn mark_failed(
    conn: &mut PgConnection,
    message: &OutboxMessage,
    now: DateTime<Utc>,
    error: &str,
    permanent: bool,
) -> QueryResult<bool> {
    let exhausted = permanent || message.attempts >= message.max_attempts;
    let status = if exhausted { "failed" } else { "retrying" };
    // A message cancelled while it was being sent stays cancelled.
    diesel::update(
        outbox_messages::table
            .find(message.id)
            .filter(outbox_messages::status.ne("cancelled")),
    )
    .set((
        outbox_messages::status.eq(status),
        outbox_messages::last_error.eq(error),
        outbox_messages::next_attempt_at.eq(now + backoff(message.attempts)),
    ))
    .execute(conn)?;
    insert_attempt(conn, message.id, now, Some(error))?;
    Ok(exhausted)
}

fn insert_attempt(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>, error: Option<&str>) -> QueryResult<()> {
    diesel::insert_into(outbox_attempts::table)
        .values((
            outbox_attempts::message_id.eq(id),
            outbox_attempts::attempted_at.eq(now),
            outbox_attempts::error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// The newest messages, optionally of one status; keyset on created_at.
pub fn list_messages(
    conn: &mut PgConnection,
    status: Option<&str>,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<OutboxMessage>> {
    let mut query = outbox_messages::table
        .select(OutboxMessage::as_select())
        .order((outbox_messages::created_at.desc(), outbox_messages::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(outbox_messages::status.eq(status.to_string()));
    }
    // Keyset on (created_at, id): messages queued in one transaction share
    // created_at, so the id breaks ties and none is skipped at a page edge.
    if let Some((at, id)) = before {
        query = query.filter(crate::db::keyset::past(
            (outbox_messages::created_at, outbox_messages::id),
            (at, id),
            crate::db::keyset::Direction::Descending,
        ));
    }
    query.load(conn)
}

/// One message with its attempts.
pub fn find_message(conn: &mut PgConnection, id: Uuid) -> QueryResult<(OutboxMessage, Vec<Attempt>)> {
    let message = outbox_messages::table
        .find(id)
        .select(OutboxMessage::as_select())
        .first(conn)?;
    let attempts = outbox_attempts::table
        .filter(outbox_attempts::message_id.eq(id))
        .order(outbox_attempts::id.asc())
        .select((outbox_attempts::attempted_at, outbox_attempts::error))
        .load(conn)?;
    Ok((message, attempts))
}
