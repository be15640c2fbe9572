//! Role rows.

use crate::auth::permissions::{BuiltinRole, PermissionSet};
use crate::db::schema::roles;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// A role as stored.
#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = roles)]
pub struct Role {
    pub id: Uuid,
    pub builtin_key: Option<String>,
    pub name: String,
    pub description: String,
    pub permissions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Role {
    /// The built-in role this row stands for, if any.
    pub fn builtin(&self) -> Option<BuiltinRole> {
        self.builtin_key.as_deref().and_then(BuiltinRole::from_key)
    }

    /// Whether this is the Owner role.
    pub fn is_owner(&self) -> bool {
        self.builtin() == Some(BuiltinRole::Owner)
    }

    /// What the role allows. Built-in roles take their permissions from
    /// code, so an upgrade that adds permissions applies at once.
    pub fn permission_set(&self) -> PermissionSet {
        permissions_of(self.builtin_key.as_deref(), &self.permissions)
    }
}

/// What a role allows, from its built-in key (if any) and its stored
/// permission codes (see [`Role::permission_set`]).
pub fn permissions_of(builtin_key: Option<&str>, codes: &[String]) -> PermissionSet {
    match builtin_key.and_then(BuiltinRole::from_key) {
        Some(builtin) => builtin.permissions(),
        None => PermissionSet::from_codes(codes),
    }
}
