//! The page shell around back-office pages: navigation, member, flashes.

use super::flash::Flash;
use crate::auth::permissions::{Permission, PermissionSet};

/// Which navigation entry a page belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    /// Dashboard.
    Home,
    /// Applicants.
    Applicants,
    /// Flows.
    Flows,
    /// Questionnaires.
    Questionnaires,
    /// Email templates.
    EmailTemplates,
    /// Team.
    Team,
    /// Roles.
    Roles,
    /// Company settings.
    Settings,
    /// Audit log.
    Audit,
    /// Email outbox.
    Outbox,
    /// My account.
    Account,
}

/// One link in the sidebar.
pub struct NavLink {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
    /// Whether it is the current page's section.
    pub active: bool,
    /// The heading it sits under.
    pub section: &'static str,
}

/// Everything the layout needs besides the page's own content.
pub struct Chrome {
    /// The page title.
    pub title: String,
    /// The signed-in member's name.
    pub member_name: String,
    /// The signed-in member's email.
    pub member_email: String,
    /// The member's role name.
    pub role_name: String,
    /// Sidebar links the member may follow.
    pub nav: Vec<NavLink>,
    /// Messages to show once.
    pub flashes: Vec<Flash>,
    /// The CSRF token for forms on the page (the sign-out form included).
    pub csrf: String,
}

impl Chrome {
    /// Sidebar entries, filtered by permission.
    pub fn nav_for(permissions: &PermissionSet, active: Nav) -> Vec<NavLink> {
        let entries: [(Nav, &str, &str, &str, Option<Permission>); 11] = [
            (Nav::Home, "/", "Dashboard", "Workspace", None),
            (
                Nav::Applicants,
                "/applicants",
                "Applicants",
                "Workspace",
                Some(Permission::ApplicantsView),
            ),
            (Nav::Flows, "/flows", "Flows", "Workspace", Some(Permission::FlowsView)),
            (
                Nav::Questionnaires,
                "/questionnaires",
                "Questionnaires",
                "Workspace",
                Some(Permission::FlowsView),
            ),
            (
                Nav::EmailTemplates,
                "/email-templates",
                "Email templates",
                "Workspace",
                Some(Permission::EmailTemplatesManage),
            ),
            (Nav::Team, "/team", "Team", "Administration", Some(Permission::TeamView)),
            (
                Nav::Roles,
                "/roles",
                "Roles",
                "Administration",
                Some(Permission::RolesView),
            ),
            (
                Nav::Settings,
                "/settings/company",
                "Company settings",
                "Administration",
                Some(Permission::SettingsManage),
            ),
            (
                Nav::Audit,
                "/audit",
                "Audit log",
                "Administration",
                Some(Permission::AuditView),
            ),
            (
                Nav::Outbox,
                "/outbox",
                "Email outbox",
                "Administration",
                Some(Permission::OutboxView),
            ),
            (Nav::Account, "/account", "My account", "You", None),
        ];
        entries
            .into_iter()
            .filter(|(_, _, _, _, needs)| needs.is_none_or(|p| permissions.allows(p)))
            .map(|(nav, href, label, section, _)| NavLink {
                href,
                label,
                active: nav == active,
                section,
            })
            .collect()
    }

    /// Whether `link` starts a new section in the sidebar.
    pub fn starts_section(&self, index: &usize) -> bool {
        *index == 0 || self.nav.get(index - 1).map(|l| l.section) != self.nav.get(*index).map(|l| l.section)
    }
}
