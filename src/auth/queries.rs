//! Queries for signing in, lockouts, password resets and first-run setup.

use crate::db::schema::{members, password_resets, roles};
use crate::domain::MemberId;
use crate::team::models::{Member, status};
use crate::web::CurrentMember;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// Failed sign-ins allowed within [`FAILURE_WINDOW`] before a lock.
pub const MAX_FAILURES: i32 = 5;
/// The window in which failures are counted.
pub const FAILURE_WINDOW: Duration = Duration::minutes(15);
/// How long a lock lasts.
pub const LOCK_DURATION: Duration = Duration::minutes(15);

/// The columns of a member that every signed-in request reads with its
/// session: not the password hash nor the sign-in counters, which a page
/// has no business loading.
///
/// Copies of loaded sessions are dropped when these columns change (the
/// triggers of migration `session_notifications`): a column read here
/// belongs in the trigger's list too.
#[derive(Queryable, Selectable)]
#[diesel(table_name = members)]
pub struct SessionMember {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub status: String,
    pub time_zone: String,
}

/// The columns of the member's role that a request needs (and that the
/// triggers of migration `session_notifications` watch).
#[derive(Queryable, Selectable)]
#[diesel(table_name = roles)]
pub struct SessionRole {
    pub id: Uuid,
    pub builtin_key: Option<String>,
    pub name: String,
    pub permissions: Vec<String>,
}

/// The member as a request sees them, unless they may no longer sign in.
pub fn signed_in_member(member: SessionMember, role: SessionRole) -> Option<CurrentMember> {
    (member.status == status::ACTIVE).then(|| CurrentMember {
        id: MemberId(member.id),
        email: member.email,
        name: member.name,
        role_id: role.id,
        permissions: crate::roles::models::permissions_of(role.builtin_key.as_deref(), &role.permissions),
        role_name: role.name,
        role_builtin: role.builtin_key,
        time_zone: member.time_zone.parse().unwrap_or(chrono_tz::UTC),
    })
}

/// The member who may sign in with `email` (active only).
pub fn find_active_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<Member>> {
    members::table
        .filter(members::email.eq(email))
        .filter(members::status.eq(status::ACTIVE))
        .select(Member::as_select())
        .first(conn)
        .optional()
}

/// Whether `member` is locked at `now`.
pub fn is_locked(member: &Member, now: DateTime<Utc>) -> bool {
    member.locked_until.is_some_and(|until| until > now)
}

/// What a sign-in attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The password matched and the account is open: signed in.
    SignedIn,
    /// A wrong password, counted; `locked` when it was the one that locked the account.
    WrongPassword { locked: bool },
    /// The account is locked: the password was not even considered.
    Locked,
    /// The member was deactivated (or removed) while the password was checked.
    Inactive,
}

/// Settles a sign-in attempt on the member's row, locked, after the password
/// check. The row read before that check is stale when guesses arrive
/// together: each of them would pass a lock set by another, and a right
/// guess among them would clear it. Deciding here, one attempt at a time on
/// the current row, keeps the count and the lock exact. `checked` is the
/// hash the password was checked against: a password changed while the
/// check waited its turn makes the old one wrong.
pub fn settle_attempt(
    conn: &mut PgConnection,
    id: Uuid,
    checked: Option<&str>,
    password_ok: bool,
    now: DateTime<Utc>,
) -> QueryResult<Attempt> {
    let member = members::table
        .find(id)
        .for_update()
        .select(Member::as_select())
        .first(conn)
        .optional()?;
    let Some(member) = member.filter(|m| m.status == status::ACTIVE) else {
        return Ok(Attempt::Inactive);
    };
    if is_locked(&member, now) {
        return Ok(Attempt::Locked);
    }
    if password_ok && member.password_hash.as_deref() == checked {
        record_success(conn, id, now)?;
        Ok(Attempt::SignedIn)
    } else {
        let locked = record_failure(conn, &member, now)?;
        Ok(Attempt::WrongPassword { locked })
    }
}

/// Counts a failed sign-in on `member`, read locked by [`settle_attempt`];
/// returns true when this failure locked the account.
fn record_failure(conn: &mut PgConnection, member: &Member, now: DateTime<Utc>) -> QueryResult<bool> {
    let id = member.id;
    let window_open = member
        .failed_window_start
        .is_some_and(|start| start + FAILURE_WINDOW > now);
    let (count, start) = if window_open {
        (member.failed_signins + 1, member.failed_window_start)
    } else {
        (1, Some(now))
    };
    // Not locked now ([`settle_attempt`] saw to it): this failure locks
    // when it is the last one allowed, and any lock before has lapsed.
    let locks = count >= MAX_FAILURES;
    let locked_until = locks.then(|| now + LOCK_DURATION);
    let (count, start) = if locks { (0, None) } else { (count, start) };
    diesel::update(members::table.find(id))
        .set((
            members::failed_signins.eq(count),
            members::failed_window_start.eq(start),
            members::locked_until.eq(locked_until),
        ))
        .execute(conn)?;
    Ok(locks)
}

/// Clears failures and records the sign-in time.
fn record_success(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(members::table.find(id))
        .set((
            members::failed_signins.eq(0),
            members::failed_window_start.eq(None::<DateTime<Utc>>),
            members::locked_until.eq(None::<DateTime<Utc>>),
            members::last_signin_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Uses up any reset link the member still has: after their password
/// changes or they are deactivated, a link asked for before must not set
/// a password (nor work again if they are reactivated within its hour).
pub fn cancel_password_resets(conn: &mut PgConnection, member: Uuid, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        password_resets::table
            .filter(password_resets::member_id.eq(member))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(now))
    .execute(conn)
}

/// Stores a reset token (by hash), replacing any unused one.
pub fn create_password_reset(
    conn: &mut PgConnection,
    member: Uuid,
    hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<()> {
    cancel_password_resets(conn, member, now)?;
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::id.eq(Uuid::new_v4()),
            password_resets::member_id.eq(member),
            password_resets::token_hash.eq(hash),
            password_resets::expires_at.eq(now + Duration::hours(1)),
            password_resets::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The member a reset token is valid for: unused, unexpired, member active.
pub fn find_reset(conn: &mut PgConnection, hash: &[u8], now: DateTime<Utc>) -> QueryResult<Option<(Uuid, Member)>> {
    password_resets::table
        .inner_join(members::table)
        .filter(password_resets::token_hash.eq(hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .filter(members::status.eq(status::ACTIVE))
        .select((password_resets::id, Member::as_select()))
        .first(conn)
        .optional()
}

/// Sets a new password from a reset link and uses the link up. Returns
/// false (changing nothing) when the link was used meanwhile: the
/// conditional update makes "single use" hold under concurrent posts.
pub fn complete_reset(
    conn: &mut PgConnection,
    reset: Uuid,
    member: Uuid,
    hash: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let claimed = diesel::update(
        password_resets::table
            .find(reset)
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(now))
    .execute(conn)?;
    if claimed != 1 {
        return Ok(false);
    }
    diesel::update(members::table.find(member))
        .set((
            members::password_hash.eq(hash),
            members::failed_signins.eq(0),
            members::failed_window_start.eq(None::<DateTime<Utc>>),
            members::locked_until.eq(None::<DateTime<Utc>>),
            members::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Whether any member exists (setup is only possible while none does).
pub fn any_member(conn: &mut PgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(members::table.select(members::id))).get_result(conn)
}
