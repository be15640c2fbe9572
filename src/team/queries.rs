//! Team queries: members, invitations, roles and statuses.

use super::models::{Member, NewMember, status};
use crate::auth::permissions::BuiltinRole;
use crate::db::schema::{invitations, members, roles};
use crate::domain::{EmailAddress, PersonName};
use crate::roles::models::Role;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// How long an invitation link works.
pub const INVITATION_TTL: Duration = Duration::days(7);

/// A pending invitation as listed.
#[derive(Queryable, Debug, Clone)]
pub struct PendingInvitation {
    pub id: Uuid,
    pub member_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub sent_count: i32,
}

/// The latest invitation email to each of `emails`: (address, status,
/// last error). Invitations carry no link to their email; the address and
/// the kind find it.
pub fn invitation_deliveries(
    conn: &mut PgConnection,
    emails: &[String],
) -> QueryResult<Vec<(String, String, Option<String>)>> {
    use crate::db::schema::outbox_messages;
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    outbox_messages::table
        .filter(outbox_messages::kind.eq("invitation"))
        .filter(outbox_messages::to_address.eq_any(emails))
        .distinct_on(outbox_messages::to_address)
        .order((outbox_messages::to_address, outbox_messages::created_at.desc()))
        .select((
            outbox_messages::to_address,
            outbox_messages::status,
            outbox_messages::last_error,
        ))
        .load(conn)
}

/// Every member with their role and, for invited ones, the open invitation.
pub fn list_members(conn: &mut PgConnection) -> QueryResult<Vec<(Member, Role, Option<PendingInvitation>)>> {
    let rows: Vec<(Member, Role)> = members::table
        .inner_join(roles::table)
        .select((Member::as_select(), Role::as_select()))
        .order((members::status.asc(), members::name.asc(), members::email.asc()))
        .load(conn)?;
    let pending: Vec<PendingInvitation> = invitations::table
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .select((
            invitations::id,
            invitations::member_id,
            invitations::expires_at,
            invitations::sent_count,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(m, r)| {
            let inv = pending.iter().find(|p| p.member_id == m.id).cloned();
            (m, r, inv)
        })
        .collect())
}

/// The open invitation of one member, if any.
pub fn pending_invitation(conn: &mut PgConnection, member: Uuid) -> QueryResult<Option<PendingInvitation>> {
    invitations::table
        .filter(invitations::member_id.eq(member))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .select((
            invitations::id,
            invitations::member_id,
            invitations::expires_at,
            invitations::sent_count,
        ))
        .first(conn)
        .optional()
}

/// One member with their role.
pub fn find_member(conn: &mut PgConnection, id: Uuid) -> QueryResult<(Member, Role)> {
    members::table
        .inner_join(roles::table)
        .filter(members::id.eq(id))
        .select((Member::as_select(), Role::as_select()))
        .first(conn)
}

/// A member and their role, both rows locked until the transaction ends.
pub fn find_member_for_update(conn: &mut PgConnection, id: Uuid) -> QueryResult<(Member, Role)> {
    members::table
        .inner_join(roles::table)
        .filter(members::id.eq(id))
        .for_update()
        .select((Member::as_select(), Role::as_select()))
        .first(conn)
}

/// Creates an active member (first owner, command line, demo data).
pub fn create_active_member(
    conn: &mut PgConnection,
    email: &EmailAddress,
    name: &PersonName,
    password_hash: &str,
    role_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(members::table)
        .values(NewMember {
            id,
            email: email.as_str(),
            name: name.as_str(),
            password_hash: Some(password_hash),
            role_id,
            status: status::ACTIVE,
            time_zone: "UTC",
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    Ok(id)
}

/// The member using `email`, whatever their status.
pub fn find_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<Member>> {
    members::table
        .filter(members::email.eq(email))
        .select(Member::as_select())
        .first(conn)
        .optional()
}

/// Creates an invited member and their invitation (token stored by hash).
pub fn create_invitation(
    conn: &mut PgConnection,
    email: &EmailAddress,
    role_id: Uuid,
    invited_by: Uuid,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Uuid> {
    let member_id = Uuid::new_v4();
    diesel::insert_into(members::table)
        .values(NewMember {
            id: member_id,
            email: email.as_str(),
            name: "",
            password_hash: None,
            role_id,
            status: status::INVITED,
            time_zone: "UTC",
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    diesel::insert_into(invitations::table)
        .values((
            invitations::id.eq(Uuid::new_v4()),
            invitations::member_id.eq(member_id),
            invitations::token_hash.eq(token_hash),
            invitations::invited_by.eq(invited_by),
            invitations::expires_at.eq(now + INVITATION_TTL),
            invitations::created_at.eq(now),
            invitations::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(member_id)
}

/// Replaces the open invitation's token and restarts its 7 days, when it
/// was sent `sent_before` times (if given). The previous link stops working.
pub fn renew_invitation(
    conn: &mut PgConnection,
    member_id: Uuid,
    token_hash: &[u8],
    sent_before: Option<i32>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let mut renew = diesel::update(
        invitations::table
            .filter(invitations::member_id.eq(member_id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null()),
    )
    .set((
        invitations::token_hash.eq(token_hash),
        invitations::expires_at.eq(now + INVITATION_TTL),
        invitations::sent_count.eq(invitations::sent_count + 1),
        invitations::updated_at.eq(now),
    ))
    .into_boxed();
    // Only the invitation the page showed: the same click posted twice
    // must not send a second email that replaces the first one's link.
    if let Some(count) = sent_before {
        renew = renew.filter(invitations::sent_count.eq(count));
    }
    renew.execute(conn)
}

/// Withdraws an invitation: the invited member disappears (they never
/// had access); the audit log keeps the record.
pub fn revoke_invitation(conn: &mut PgConnection, member_id: Uuid) -> QueryResult<usize> {
    diesel::delete(
        members::table
            .find(member_id)
            .filter(members::status.eq(status::INVITED)),
    )
    .execute(conn)
}

/// The open invitation behind a token, with its member and role.
pub fn find_open_invitation(
    conn: &mut PgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Option<(Uuid, Member, Role)>> {
    invitations::table
        .inner_join(members::table.inner_join(roles::table))
        .filter(invitations::token_hash.eq(token_hash))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .filter(members::status.eq(status::INVITED))
        .select((invitations::id, Member::as_select(), Role::as_select()))
        .first(conn)
        .optional()
}

/// Whether the invitation with this token was accepted.
pub fn invitation_accepted(conn: &mut PgConnection, token_hash: &[u8]) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        invitations::table
            .filter(invitations::token_hash.eq(token_hash))
            .filter(invitations::accepted_at.is_not_null()),
    ))
    .get_result(conn)
}

/// Accepts an invitation: the member becomes active with name and password.
/// Returns false (changing nothing) when the invitation was accepted or
/// revoked meanwhile, so a link really works once.
pub fn accept_invitation(
    conn: &mut PgConnection,
    invitation: Uuid,
    member: Uuid,
    name: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let claimed = diesel::update(
        invitations::table
            .find(invitation)
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null()),
    )
    .set((invitations::accepted_at.eq(now), invitations::updated_at.eq(now)))
    .execute(conn)?;
    if claimed != 1 {
        return Ok(false);
    }
    diesel::update(members::table.find(member))
        .set((
            members::name.eq(name),
            members::password_hash.eq(password_hash),
            members::status.eq(status::ACTIVE),
            members::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Active members holding the Owner role, locked against concurrent
/// changes so two admins cannot each remove "another" last owner.
pub fn active_owner_ids(conn: &mut PgConnection) -> QueryResult<Vec<Uuid>> {
    let owner_role: Uuid = roles::table
        .filter(roles::builtin_key.eq(BuiltinRole::Owner.key()))
        .select(roles::id)
        .first(conn)?;
    members::table
        .filter(members::role_id.eq(owner_role))
        .filter(members::status.eq(status::ACTIVE))
        .select(members::id)
        .for_update()
        .load(conn)
}

/// Sets a member's role.
pub fn set_role(conn: &mut PgConnection, member: Uuid, role: Uuid, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(members::table.find(member))
        .set((members::role_id.eq(role), members::updated_at.eq(now)))
        .execute(conn)
}

/// Sets a member's status.
pub fn set_status(conn: &mut PgConnection, member: Uuid, new_status: &str, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(members::table.find(member))
        .set((members::status.eq(new_status), members::updated_at.eq(now)))
        .execute(conn)
}

/// All roles for the role pickers: (id, name, is owner).
pub fn role_choices(conn: &mut PgConnection) -> QueryResult<Vec<Role>> {
    let mut rows: Vec<Role> = roles::table.select(Role::as_select()).load(conn)?;
    rows.sort_by_key(|r| {
        let rank = r.builtin().and_then(|b| BuiltinRole::ALL.iter().position(|x| *x == b));
        (rank.is_none(), rank, r.name.to_lowercase())
    });
    Ok(rows)
}

/// Updates a member's own profile.
pub fn update_profile(
    conn: &mut PgConnection,
    member: Uuid,
    name: &str,
    time_zone: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(members::table.find(member))
        .set((
            members::name.eq(name),
            members::time_zone.eq(time_zone),
            members::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Sets a member's password hash.
pub fn set_password(conn: &mut PgConnection, member: Uuid, hash: &str, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(members::table.find(member))
        .set((members::password_hash.eq(hash), members::updated_at.eq(now)))
        .execute(conn)
}
