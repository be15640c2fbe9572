//! Member rows.

use crate::db::schema::members;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// A member as stored.
#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = members)]
pub struct Member {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub role_id: Uuid,
    pub status: String,
    pub time_zone: String,
    pub failed_signins: i32,
    pub failed_window_start: Option<DateTime<Utc>>,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_signin_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A member to insert.
#[derive(Insertable)]
#[diesel(table_name = members)]
pub struct NewMember<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: Option<&'a str>,
    pub role_id: Uuid,
    pub status: &'a str,
    pub time_zone: &'a str,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Member statuses (see PRODUCT.md).
pub mod status {
    /// Invitation sent, not accepted yet.
    pub const INVITED: &str = "invited";
    /// Can sign in.
    pub const ACTIVE: &str = "active";
    /// Cannot sign in; sessions ended.
    pub const DEACTIVATED: &str = "deactivated";
}
