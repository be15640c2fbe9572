//! The custom role form.

use crate::auth::permissions::{Permission, PermissionSet};
use crate::web::FormErrors;
use serde::Deserialize;

/// POST /roles and /roles/{id}, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct RoleForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// A valid custom role.
pub struct ValidRole {
    pub name: String,
    pub description: String,
    pub permissions: PermissionSet,
}

impl RoleForm {
    /// Checks the form; errors are keyed by field.
    pub fn parse(&self) -> Result<ValidRole, FormErrors> {
        let mut errors = FormErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add("name", "Give the role a name.");
        } else if name.chars().count() > 60 {
            errors.add("name", "Keep the name to 60 characters or fewer.");
        }
        let description = self.description.trim();
        if description.chars().count() > 300 {
            errors.add("description", "Keep the description to 300 characters or fewer.");
        }
        if self.permissions.iter().any(|c| Permission::from_code(c).is_none()) {
            errors.add(
                "permissions",
                "One of the permissions is not known; reload the page and try again.",
            );
        }
        let permissions = PermissionSet::from_codes(&self.permissions).with_seeing();
        if permissions.is_empty() {
            errors.add("permissions", "Tick at least one permission.");
        }
        if errors.is_empty() {
            Ok(ValidRole {
                name: name.to_string(),
                description: description.to_string(),
                permissions,
            })
        } else {
            Err(errors)
        }
    }

    /// Whether the form ticks `code`.
    pub fn has(&self, code: &str) -> bool {
        self.permissions.iter().any(|c| c == code)
    }
}
