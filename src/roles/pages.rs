//! Role templates.

use super::forms::RoleForm;
use super::models::Role;
use crate::auth::permissions::Permission;
use crate::web::{Chrome, FormErrors};
use askama::Template;

/// Permissions grouped by area, for the checkbox grid.
pub struct PermissionGroup {
    pub name: &'static str,
    pub permissions: Vec<Permission>,
}

/// The catalogue in groups, in catalogue order.
pub fn permission_groups() -> Vec<PermissionGroup> {
    let mut groups: Vec<PermissionGroup> = Vec::new();
    for p in Permission::ALL {
        match groups.last_mut() {
            Some(g) if g.name == p.group() => g.permissions.push(*p),
            _ => groups.push(PermissionGroup {
                name: p.group(),
                permissions: vec![*p],
            }),
        }
    }
    groups
}

/// One role in the list.
pub struct RoleRow {
    pub role: Role,
    pub members: i64,
    pub permission_count: usize,
}

/// GET /roles
#[derive(Template)]
#[template(path = "admin/roles/index.html")]
pub struct RolesPage {
    pub chrome: Chrome,
    pub roles: Vec<RoleRow>,
    pub can_manage: bool,
    pub total_permissions: usize,
}

/// Why a custom role is read-only to a member: the page says it, and a
/// save that tries anyway is refused with it (409).
pub const BEYOND_REACH: &str = "This role holds permissions you do not. Only someone who holds them all can change it.";

/// GET /roles/new, /roles/{id}
#[derive(Template)]
#[template(path = "admin/roles/form.html")]
pub struct RoleFormPage {
    pub chrome: Chrome,
    /// Where the form posts.
    pub action: String,
    /// Built-in roles are shown read-only, and so are roles to those who
    /// may not change them.
    pub read_only: bool,
    /// A built-in role.
    pub builtin: bool,
    /// A custom role with permissions the member does not hold.
    pub beyond_reach: bool,
    pub members: i64,
    pub form: RoleForm,
    pub errors: FormErrors,
    pub groups: Vec<PermissionGroup>,
}

impl RoleFormPage {
    /// [`BEYOND_REACH`], for the template.
    pub fn beyond_reach_note(&self) -> &'static str {
        BEYOND_REACH
    }
}
