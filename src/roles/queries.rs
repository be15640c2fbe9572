//! Role queries.

use super::models::Role;
use crate::auth::permissions::BuiltinRole;
use crate::db::schema::{members, roles};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// Inserts the built-in roles or refreshes their names and permissions.
pub fn sync_builtin_roles(conn: &mut PgConnection) -> QueryResult<()> {
    for role in BuiltinRole::ALL {
        diesel::insert_into(roles::table)
            .values((
                roles::id.eq(Uuid::new_v4()),
                roles::builtin_key.eq(role.key()),
                roles::name.eq(role.name()),
                roles::description.eq(role.description()),
                roles::permissions.eq(role.permissions().codes()),
            ))
            .on_conflict(roles::builtin_key)
            .do_update()
            .set((
                roles::name.eq(role.name()),
                roles::description.eq(role.description()),
                roles::permissions.eq(role.permissions().codes()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The id of a built-in role.
pub fn builtin_role_id(conn: &mut PgConnection, role: BuiltinRole) -> Result<Uuid, AppError> {
    roles::table
        .filter(roles::builtin_key.eq(role.key()))
        .select(roles::id)
        .first(conn)
        .map_err(|e| AppError::internal(format!("built-in role {} missing: {e}", role.key())))
}

/// All roles, built-in first, with how many members hold each.
pub fn list_roles(conn: &mut PgConnection) -> QueryResult<Vec<(Role, i64)>> {
    let all: Vec<Role> = roles::table.select(Role::as_select()).load(conn)?;
    let counts: Vec<(Uuid, i64)> = members::table
        .group_by(members::role_id)
        .select((members::role_id, diesel::dsl::count_star()))
        .load(conn)?;
    let mut rows: Vec<(Role, i64)> = all
        .into_iter()
        .map(|r| {
            let n = counts.iter().find(|(id, _)| *id == r.id).map_or(0, |(_, n)| *n);
            (r, n)
        })
        .collect();
    let order = |r: &Role| {
        r.builtin().map_or(BuiltinRole::ALL.len(), |b| {
            BuiltinRole::ALL.iter().position(|x| *x == b).unwrap_or(0)
        })
    };
    rows.sort_by(|(a, _), (b, _)| {
        order(a)
            .cmp(&order(b))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(rows)
}

/// One role.
pub fn find_role(conn: &mut PgConnection, id: Uuid) -> QueryResult<Role> {
    roles::table.find(id).select(Role::as_select()).first(conn)
}

/// Whether another role already has this name (case-insensitive).
/// Roles are few, so comparing in memory is simplest.
pub fn name_taken(conn: &mut PgConnection, name: &str, except: Option<Uuid>) -> QueryResult<bool> {
    let all: Vec<(Uuid, String)> = roles::table.select((roles::id, roles::name)).load(conn)?;
    let wanted = name.to_lowercase();
    Ok(all
        .iter()
        .any(|(id, n)| Some(*id) != except && n.to_lowercase() == wanted))
}

/// Creates a custom role.
pub fn create_role(
    conn: &mut PgConnection,
    name: &str,
    description: &str,
    permissions: Vec<String>,
    now: DateTime<Utc>,
) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(roles::table)
        .values((
            roles::id.eq(id),
            roles::name.eq(name),
            roles::description.eq(description),
            roles::permissions.eq(permissions),
            roles::created_at.eq(now),
            roles::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Updates a custom role (built-in roles are never updated here).
pub fn update_role(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    description: &str,
    permissions: Vec<String>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(roles::table.find(id).filter(roles::builtin_key.is_null()))
        .set((
            roles::name.eq(name),
            roles::description.eq(description),
            roles::permissions.eq(permissions),
            roles::updated_at.eq(now),
        ))
        .execute(conn)
}

/// How many members (any status) hold the role.
pub fn members_with_role(conn: &mut PgConnection, id: Uuid) -> QueryResult<i64> {
    members::table.filter(members::role_id.eq(id)).count().get_result(conn)
}

/// Deletes a custom role.
pub fn delete_role(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(roles::table.find(id).filter(roles::builtin_key.is_null())).execute(conn)
}
