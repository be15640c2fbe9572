//! The permission catalogue and the built-in roles.
//!
//! One list in code covers every area of the product, so a feature only
//! adds `ctx.require(Permission::X)` checks; roles store permission codes.

use std::collections::BTreeSet;

macro_rules! permissions {
    ($($variant:ident => ($code:literal, $group:literal, $label:literal)),+ $(,)?) => {
        /// Something a role may allow.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Permission {
            $(
                #[doc = $label]
                $variant,
            )+
        }

        impl Permission {
            /// Every permission, in catalogue order.
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),+];

            /// The stable code stored in the database.
            pub fn code(self) -> &'static str {
                match self { $(Permission::$variant => $code),+ }
            }

            /// The area of the product it belongs to.
            pub fn group(self) -> &'static str {
                match self { $(Permission::$variant => $group),+ }
            }

            /// What it allows, in words.
            pub fn label(self) -> &'static str {
                match self { $(Permission::$variant => $label),+ }
            }

            /// Looks a permission up by its code.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some(Permission::$variant),)+ _ => None }
            }
        }
    };
}

permissions! {
    TeamView => ("team.view", "Team", "See members and invitations"),
    TeamInvite => ("team.invite", "Team", "Invite members, resend and revoke invitations"),
    TeamManage => ("team.manage", "Team", "Change members' roles, deactivate and reactivate members"),
    RolesView => ("roles.view", "Roles", "See roles and their permissions"),
    RolesManage => ("roles.manage", "Roles", "Create, edit and delete custom roles"),
    SettingsManage => ("settings.manage", "Company settings", "Edit company settings and branding"),
    FlowsView => ("flows.view", "Flows", "See flows and questionnaires"),
    FlowsEdit => ("flows.edit", "Flows", "Create and edit flows and questionnaires"),
    FlowsPublish => ("flows.publish", "Flows", "Publish flow versions"),
    ApplicantsView => ("applicants.view", "Applicants", "See applicants and their verifications"),
    ApplicantsCreate => ("applicants.create", "Applicants", "Create and edit applicants"),
    ApplicantsSendLinks => ("applicants.send_links", "Applicants", "Create verification sessions and send links"),
    ApplicantsReview => ("applicants.review", "Applicants", "Review, approve, reject and reset verifications"),
    ApplicantsDelete => ("applicants.delete", "Applicants", "Schedule deletion and restore applicants"),
    EmailTemplatesManage => ("email_templates.manage", "Email templates", "Create, edit and delete email templates"),
    ScreeningRun => ("screening.run", "Screening", "Run screening checks and mark hits"),
    ScreeningLists => ("screening.lists", "Screening", "Import and manage sanctions and PEP lists"),
    ApiKeysManage => ("api_keys.manage", "API and webhooks", "Manage applications, API keys and webhooks"),
    ReportsView => ("reports.view", "Reports", "See dashboards and export reports"),
    AuditView => ("audit.view", "Audit log", "See the audit log"),
    OutboxView => ("outbox.view", "Email outbox", "See the email outbox and development mailbox"),
}

impl Permission {
    /// The permission to see what this one changes, if it has one:
    /// changing what one may not see would be acting blind (renaming a
    /// flow one cannot open, revoking an invitation one cannot list).
    pub fn needs_seeing(self) -> Option<Permission> {
        match self {
            Self::FlowsEdit | Self::FlowsPublish => Some(Self::FlowsView),
            Self::TeamInvite | Self::TeamManage => Some(Self::TeamView),
            Self::RolesManage => Some(Self::RolesView),
            Self::ApplicantsCreate | Self::ApplicantsSendLinks | Self::ApplicantsReview | Self::ApplicantsDelete => {
                Some(Self::ApplicantsView)
            }
            _ => None,
        }
    }
}

/// The set of permissions a member holds through their role.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "Vec<String>", from = "Vec<String>")]
pub struct PermissionSet(BTreeSet<Permission>);

impl From<PermissionSet> for Vec<String> {
    fn from(set: PermissionSet) -> Self {
        set.codes()
    }
}

impl From<Vec<String>> for PermissionSet {
    fn from(codes: Vec<String>) -> Self {
        PermissionSet::from_codes(&codes)
    }
}

impl PermissionSet {
    /// Builds the set from stored codes, ignoring codes no longer known.
    pub fn from_codes<S: AsRef<str>>(codes: &[S]) -> Self {
        Self(codes.iter().filter_map(|c| Permission::from_code(c.as_ref())).collect())
    }

    /// Builds the set from permissions.
    pub fn from_permissions(permissions: &[Permission]) -> Self {
        Self(permissions.iter().copied().collect())
    }

    /// Whether the set allows `permission`: it holds it, and the
    /// permission to see what it changes (see [`Permission::needs_seeing`]).
    pub fn allows(&self, permission: Permission) -> bool {
        self.0.contains(&permission) && permission.needs_seeing().is_none_or(|seeing| self.0.contains(&seeing))
    }

    /// The set with the permissions to see what its other permissions
    /// change: a role is saved so, and shows what it really allows.
    pub fn with_seeing(mut self) -> Self {
        let seeing: Vec<Permission> = self.0.iter().filter_map(|p| p.needs_seeing()).collect();
        self.0.extend(seeing);
        self
    }

    /// The codes, for storing.
    pub fn codes(&self) -> Vec<String> {
        self.0.iter().map(|p| p.code().to_string()).collect()
    }

    /// Whether every permission here is also in `other`. A member may only
    /// hand out (through invitations, role changes and role edits) what
    /// they hold themselves, so custom roles cannot be used to escalate.
    pub fn is_subset_of(&self, other: &PermissionSet) -> bool {
        self.0.is_subset(&other.0)
    }

    /// How many permissions the set holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The four roles every installation has. Their permissions live here, not
/// in the database, and are re-applied at every start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinRole {
    /// Everything, including granting the Owner role.
    Owner,
    /// Everything except granting or taking away the Owner role.
    Admin,
    /// Runs verifications: flows, applicants, screening, reports.
    ComplianceOfficer,
    /// Reads without changing anything.
    Viewer,
}

impl BuiltinRole {
    /// All built-in roles, most powerful first.
    pub const ALL: [BuiltinRole; 4] = [Self::Owner, Self::Admin, Self::ComplianceOfficer, Self::Viewer];

    /// The key stored in `roles.builtin_key`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::ComplianceOfficer => "compliance_officer",
            Self::Viewer => "viewer",
        }
    }

    /// Looks a built-in role up by its key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The role's display name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Admin => "Admin",
            Self::ComplianceOfficer => "Compliance officer",
            Self::Viewer => "Viewer",
        }
    }

    /// One line on what the role is for.
    pub fn description(self) -> &'static str {
        match self {
            Self::Owner => "Full access, including granting the Owner role. At least one active Owner always remains.",
            Self::Admin => "Full access except granting or removing the Owner role.",
            Self::ComplianceOfficer => "Builds flows, verifies applicants, screens and decides.",
            Self::Viewer => "Read-only access to flows, applicants and reports.",
        }
    }

    /// The permissions the role grants.
    pub fn permissions(self) -> PermissionSet {
        use Permission::*;
        match self {
            Self::Owner | Self::Admin => PermissionSet::from_permissions(Permission::ALL),
            Self::ComplianceOfficer => PermissionSet::from_permissions(&[
                TeamView,
                FlowsView,
                FlowsEdit,
                FlowsPublish,
                ApplicantsView,
                ApplicantsCreate,
                ApplicantsSendLinks,
                ApplicantsReview,
                ApplicantsDelete,
                EmailTemplatesManage,
                ScreeningRun,
                ReportsView,
            ]),
            Self::Viewer => PermissionSet::from_permissions(&[TeamView, FlowsView, ApplicantsView, ReportsView]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for p in Permission::ALL {
            assert_eq!(Permission::from_code(p.code()), Some(*p));
            assert!(seen.insert(p.code()), "duplicate code {}", p.code());
        }
    }

    #[test]
    fn changing_needs_seeing() {
        let blind = PermissionSet::from_permissions(&[Permission::FlowsEdit, Permission::TeamInvite]);
        assert!(!blind.allows(Permission::FlowsEdit) && !blind.allows(Permission::TeamInvite));
        let saved = blind.with_seeing();
        assert!(saved.allows(Permission::FlowsEdit) && saved.allows(Permission::FlowsView));
        assert!(saved.allows(Permission::TeamInvite) && saved.allows(Permission::TeamView));
        assert!(!saved.allows(Permission::RolesView), "nothing more");
        for role in BuiltinRole::ALL {
            let held = role.permissions();
            for p in Permission::ALL.iter().filter(|p| held.0.contains(p)) {
                assert!(held.allows(*p), "{} holds {} with what it needs", role.name(), p.code());
            }
        }
    }

    #[test]
    fn builtin_roles_are_ordered_by_power() {
        let owner = BuiltinRole::Owner.permissions();
        assert_eq!(owner.len(), Permission::ALL.len());
        let officer = BuiltinRole::ComplianceOfficer.permissions();
        assert!(officer.allows(Permission::ApplicantsReview));
        assert!(!officer.allows(Permission::TeamInvite));
        let viewer = BuiltinRole::Viewer.permissions();
        assert!(!viewer.allows(Permission::ApplicantsCreate));
        assert!(viewer.allows(Permission::ApplicantsView));
    }
}
