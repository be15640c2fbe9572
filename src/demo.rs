//! Demo data, so a fresh installation looks alive: a company, one member
//! per built-in role, a custom role, a pending invitation and some history.

use crate::audit::{self, Actor, EventKind};
use crate::auth::password::hash_blocking;
use crate::auth::permissions::{BuiltinRole, Permission, PermissionSet};
use crate::domain::{EmailAddress, PersonName, SecretToken};
use crate::error::AppError;
use crate::outbox::{self, emails};
use crate::roles::queries::{builtin_role_id, create_role};
use crate::settings::queries::{SettingsUpdate, update};
use crate::team::queries::{create_active_member, create_invitation};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::json;

/// The demo owner's sign-in.
pub const OWNER_EMAIL: &str = "owner@veridesk.test";
/// The demo owner's password.
pub const OWNER_PASSWORD: &str = "demo-owner-password-2026";
/// The other demo members' password.
pub const MEMBER_PASSWORD: &str = "demo-member-password-2026";

/// Seeds demo data unless members exist. Returns false when it did nothing.
pub fn seed(conn: &mut PgConnection, now: DateTime<Utc>, base_url: &str) -> Result<bool, AppError> {
    if crate::auth::queries::any_member(conn)? {
        return Ok(false);
    }
    let owner_hash = hash_blocking(OWNER_PASSWORD)?;
    let member_hash = hash_blocking(MEMBER_PASSWORD)?;
    let people = [
        (OWNER_EMAIL, "Olivia Hart", BuiltinRole::Owner, &owner_hash),
        ("admin@veridesk.test", "Adam Reyes", BuiltinRole::Admin, &member_hash),
        (
            "officer@veridesk.test",
            "Chiara Bianchi",
            BuiltinRole::ComplianceOfficer,
            &member_hash,
        ),
        (
            "viewer@veridesk.test",
            "Victor Lindqvist",
            BuiltinRole::Viewer,
            &member_hash,
        ),
    ];
    let mut owner_id = None;
    for (i, (email, name, role, hash)) in people.iter().enumerate() {
        let email = EmailAddress::parse(email).map_err(AppError::internal)?;
        let name = PersonName::parse(name).map_err(AppError::internal)?;
        let role_id = builtin_role_id(conn, *role)?;
        let created = now - Duration::days(30 - i as i64 * 5);
        let id = create_active_member(conn, &email, &name, hash, role_id, created)?;
        owner_id.get_or_insert(id);
        let actor = Actor {
            kind: "member",
            member_id: Some(id),
            label: email.to_string(),
            ip: Some("203.0.113.10".into()),
            user_agent: Some("Mozilla/5.0 (demo)".into()),
        };
        audit::record(
            conn,
            created + Duration::hours(1),
            &actor,
            EventKind::SignedIn,
            Some(("member", id.to_string())),
            json!({}),
        )?;
    }
    let owner_id = owner_id.ok_or_else(|| AppError::internal("no owner seeded"))?;
    update(
        conn,
        &SettingsUpdate {
            name: "Northwind Compliance Ltd".into(),
            address: "12 Harbour Street\nDublin D02 XY45\nIreland".into(),
            contact_email: "compliance@northwind.test".into(),
            sender_name: "Northwind Compliance".into(),
            brand_colour: "#2f5bea".into(),
        },
        owner_id,
        now - Duration::days(29),
    )?;
    let analyst = PermissionSet::from_permissions(&[
        Permission::ApplicantsView,
        Permission::ScreeningRun,
        Permission::ReportsView,
    ]);
    let role_id = create_role(
        conn,
        "Screening analyst",
        "Reviews screening hits; cannot decide on applicants.",
        analyst.codes(),
        now - Duration::days(20),
    )?;
    let owner_actor = Actor {
        kind: "member",
        member_id: Some(owner_id),
        label: OWNER_EMAIL.into(),
        ip: Some("203.0.113.10".into()),
        user_agent: Some("Mozilla/5.0 (demo)".into()),
    };
    audit::record(
        conn,
        now - Duration::days(20),
        &owner_actor,
        EventKind::RoleCreated,
        Some(("role", role_id.to_string())),
        json!({ "name": "Screening analyst" }),
    )?;
    let invitee = EmailAddress::parse("new.analyst@veridesk.test").map_err(AppError::internal)?;
    let token = SecretToken::generate();
    let invited = create_invitation(conn, &invitee, role_id, owner_id, &token.hash, now - Duration::hours(2))?;
    let mail = emails::Invitation {
        company: "Northwind Compliance Ltd",
        inviter: "Olivia Hart",
        role: "Screening analyst",
        url: &format!("{base_url}/invitations/{}", token.plain),
        expires: &(now + Duration::days(7)).format("%Y-%m-%d %H:%M UTC").to_string(),
    }
    .compose(invitee.as_str())?;
    outbox::queue(conn, now - Duration::hours(2), mail)?;
    audit::record(
        conn,
        now - Duration::hours(2),
        &owner_actor,
        EventKind::Invited,
        Some(("member", invited.to_string())),
        json!({ "email": invitee.as_str(), "role": "Screening analyst" }),
    )?;
    Ok(true)
}
