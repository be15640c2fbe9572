//! Team handlers: the team page, invitations, role changes, deactivation.

use super::forms::{AcceptForm, InviteForm, ResendForm, RoleChangeForm};
use super::models::{Member, status};
use super::pages::{AcceptPage, MemberPage, MemberRow, TeamPage};
use super::queries::{self, PendingInvitation};
use crate::audit::{self, Actor, EventKind};
use crate::auth::permissions::{Permission, PermissionSet};
use crate::db;
use crate::domain::{EmailAddress, Password, PersonName, SecretToken};
use crate::error::AppError;
use crate::outbox::{self, emails};
use crate::roles::models::Role;
use crate::settings::queries::company_name;
use crate::web::session_store::end_sessions_of;
use crate::web::{CsrfForm, Ctx, CurrentMember, FlashKind, FormErrors, Nav, Visitor, redirect, render, render_status};
use crate::web::{EmptyForm, parse_id};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use diesel::PgConnection;
use serde_json::json;
use uuid::Uuid;

fn member_row(
    m: &Member,
    role: &Role,
    inv: Option<&PendingInvitation>,
    viewer: &CurrentMember,
    now: chrono::DateTime<chrono::Utc>,
    deliveries: &[(String, String, Option<String>)],
) -> MemberRow {
    // Only for an open invitation, and only when its email did not go.
    let invitation_email = deliveries
        .iter()
        .find(|(to, _, _)| inv.is_some() && *to == m.email)
        .and_then(|(_, status, error)| match status.as_str() {
            "failed" | "retrying" => Some(format!(
                "invitation email {status}{}",
                error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
            )),
            _ => None,
        })
        .unwrap_or_default();
    MemberRow {
        id: m.id.to_string(),
        name: m.name.clone(),
        email: m.email.clone(),
        role: role.name.clone(),
        status: m.status.clone(),
        last_signin: m.last_signin_at.map(|t| viewer.format_time(t)).unwrap_or_default(),
        invitation_expires: inv.map(|i| viewer.format_time(i.expires_at)).unwrap_or_default(),
        invitation_expired: inv.is_some_and(|i| i.expires_at <= now),
        invitation_sent: inv.map_or(0, |i| i.sent_count),
        invitation_email,
    }
}

async fn team_page_with(
    ctx: &Ctx,
    invite: InviteForm,
    errors: FormErrors,
    status_code: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (rows, roles, deliveries) = db::run(ctx.pool(), |conn| {
        let rows = queries::list_members(conn)?;
        let invited: Vec<String> = rows
            .iter()
            .filter(|(_, _, inv)| inv.is_some())
            .map(|(m, _, _)| m.email.clone())
            .collect();
        let deliveries = queries::invitation_deliveries(conn, &invited)?;
        Ok((rows, queries::role_choices(conn)?, deliveries))
    })
    .await?;
    let now = ctx.now();
    let members = rows
        .iter()
        .map(|(m, r, inv)| member_row(m, r, inv.as_ref(), &ctx.member, now, &deliveries))
        .collect();
    // Only roles this member may give are offered.
    let roles = roles
        .into_iter()
        .filter(|r| r.permission_set().is_subset_of(&ctx.member.permissions))
        .collect();
    render_status(
        status_code,
        &TeamPage {
            chrome: ctx.chrome("Team", Nav::Team),
            members,
            roles,
            invite,
            errors,
            can_invite: ctx.can(Permission::TeamInvite),
            can_manage: ctx.can(Permission::TeamManage),
            can_grant_owner: ctx.member.is_owner(),
        },
    )
}

/// GET /team
pub async fn team_page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::TeamView)?;
    team_page_with(&ctx, InviteForm::default(), FormErrors::new(), StatusCode::OK).await
}

/// What an invitation email needs from the inviting member's request.
struct Inviter {
    name: String,
    base_url: String,
    expires: String,
}

impl Inviter {
    fn of(ctx: &Ctx) -> Self {
        let member = &ctx.member;
        Self {
            name: if member.name.is_empty() {
                member.email.clone()
            } else {
                member.name.clone()
            },
            base_url: ctx.state().settings.base_url.clone(),
            expires: member.format_time(ctx.now() + queries::INVITATION_TTL),
        }
    }

    /// Composes and queues the invitation email carrying `token`.
    fn queue_email(
        &self,
        conn: &mut PgConnection,
        token: &str,
        email: &str,
        role: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), AppError> {
        let company = company_name(conn)?;
        let mail = emails::Invitation {
            company: &company,
            inviter: &self.name,
            role,
            url: &format!("{}/invitations/{token}", self.base_url),
            expires: &self.expires,
        }
        .compose(email)?;
        outbox::queue(conn, now, mail)?;
        Ok(())
    }
}

/// POST /team/invitations
pub async fn invite_member(ctx: Ctx, CsrfForm(form): CsrfForm<InviteForm>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::TeamInvite)?;
    let mut errors = FormErrors::new();
    let email = errors.check("email", EmailAddress::parse(&form.email));
    let role_id = errors.check(
        "role_id",
        form.role_id.parse::<Uuid>().map_err(|_| "Choose a role.".to_string()),
    );
    let (Some(email), Some(role_id)) = (email, role_id) else {
        return team_page_with(&ctx, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let (now, actor) = (ctx.now(), ctx.actor());
    let inviter = Inviter::of(&ctx);
    let inviter_id = ctx.member.id.0;
    let is_owner = ctx.member.is_owner();
    let held = ctx.member.permissions.clone();
    let outcome = db::run(ctx.pool(), move |conn| {
        let Ok(role) = crate::roles::queries::find_role(conn, role_id) else {
            return Ok(Err((
                "role_id",
                "That role no longer exists; choose another.".to_string(),
            )));
        };
        if role.is_owner() && !is_owner {
            return Ok(Err((
                "role_id",
                "Only an Owner can invite someone as Owner.".to_string(),
            )));
        }
        if !role.permission_set().is_subset_of(&held) {
            return Ok(Err((
                "role_id",
                "You can only invite with a role whose permissions you hold yourself.".to_string(),
            )));
        }
        if let Some(existing) = queries::find_by_email(conn, email.as_str())? {
            let message = if existing.status == status::INVITED {
                "This person is already invited. Use “Resend” in the list to send the link again."
            } else {
                "This person is already a member of the team."
            };
            return Ok(Err(("email", message.to_string())));
        }
        let token = SecretToken::generate();
        let member_id = queries::create_invitation(conn, &email, role.id, inviter_id, &token.hash, now)?;
        inviter.queue_email(conn, &token.plain, email.as_str(), &role.name, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::Invited,
            Some(("member", member_id.to_string())),
            json!({ "email": email.as_str(), "role": role.name }),
        )?;
        Ok(Ok(email))
    })
    .await?;
    match outcome {
        Ok(email) => {
            ctx.state().outbox_wakeup.notify_one();
            ctx.flash(
                FlashKind::Success,
                format!("Invitation sent to {email}. The link works for 7 days."),
            );
            Ok(redirect("/team"))
        }
        Err((field, message)) => {
            errors.add(field, message);
            team_page_with(&ctx, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// GET /team/members/{id}
pub async fn member_page(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::TeamView)?;
    let id = parse_id(&path)?;
    let ((member, role), inv, roles, deliveries) = db::read(ctx.pool(), move |conn| {
        let (member, role) = queries::find_member(conn, id)?;
        let inv = queries::pending_invitation(conn, id)?;
        // Only an open invitation's email matters.
        let deliveries = match inv {
            Some(_) => queries::invitation_deliveries(conn, std::slice::from_ref(&member.email))?,
            None => Vec::new(),
        };
        Ok(((member, role), inv, queries::role_choices(conn)?, deliveries))
    })
    .await?;
    let now = ctx.now();
    // The member's own role, and the roles this member may give.
    let roles = roles
        .into_iter()
        .filter(|r| r.id == role.id || r.permission_set().is_subset_of(&ctx.member.permissions))
        .collect();
    render(&MemberPage {
        member: member_row(&member, &role, inv.as_ref(), &ctx.member, now, &deliveries),
        role_id: role.id.to_string(),
        roles,
        can_manage: ctx.can(Permission::TeamManage)
            && (!role.is_owner() || ctx.member.is_owner())
            && beyond_reach(&member, &role, &ctx.member.permissions).is_none(),
        out_of_reach: if !ctx.can(Permission::TeamManage) || member.id == ctx.member.id.0 {
            None
        } else if role.is_owner() && !ctx.member.is_owner() {
            Some("Only an Owner can change the role or access of an Owner.".to_string())
        } else {
            beyond_reach(&member, &role, &ctx.member.permissions)
        },
        can_invite: ctx.can(Permission::TeamInvite),
        can_grant_owner: ctx.member.is_owner(),
        is_self: member.id == ctx.member.id.0,
        joined: ctx.member.format_time(member.created_at),
        chrome: ctx.chrome(
            if member.name.is_empty() {
                member.email.clone()
            } else {
                member.name.clone()
            },
            Nav::Team,
        ),
    })
}

/// Runs a member action and turns its refusal into a flash message.
async fn member_action<F>(ctx: &Ctx, id: Uuid, action: F) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut PgConnection, Member, Role) -> Result<Result<String, String>, AppError> + Send + 'static,
{
    let outcome = db::run(ctx.pool(), move |conn| {
        let (member, role) = queries::find_member(conn, id)?;
        action(conn, member, role)
    })
    .await?;
    ctx.flash_outcome(outcome);
    ctx.state().outbox_wakeup.notify_one();
    Ok(redirect(&format!("/team/members/{id}")))
}

/// Refuses to act on a member whose role holds a permission the acting
/// member does not: a narrowly scoped team manager must not be able to
/// demote or lock out the admins above them. The same rule limits the roles
/// they can give.
fn beyond_reach(member: &Member, role: &Role, held: &PermissionSet) -> Option<String> {
    (!role.permission_set().is_subset_of(held)).then(|| {
        format!(
            "{} holds permissions you do not. Only someone who holds them all can change this.",
            display(member)
        )
    })
}

fn display(member: &Member) -> String {
    if member.name.is_empty() {
        member.email.clone()
    } else {
        member.name.clone()
    }
}

/// POST /team/members/{id}/resend
pub async fn resend_invitation(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ResendForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::TeamInvite)?;
    let id = parse_id(&path)?;
    let (now, actor) = (ctx.now(), ctx.actor());
    let sent_before = form.sent_before();
    let inviter = Inviter::of(&ctx);
    let is_owner = ctx.member.is_owner();
    let held = ctx.member.permissions.clone();
    member_action(&ctx, id, move |conn, member, role| {
        if member.status != status::INVITED {
            return Ok(Err(format!(
                "{} has already joined; there is no invitation to resend.",
                display(&member)
            )));
        }
        if role.is_owner() && !is_owner {
            return Ok(Err("Only an Owner can resend an Owner invitation.".into()));
        }
        // As for revoking: a new link to a role above one's own would let
        // a narrowly scoped inviter keep an admin's invitation in their hands.
        if let Some(refusal) = beyond_reach(&member, &role, &held) {
            return Ok(Err(refusal));
        }
        let token = SecretToken::generate();
        if queries::renew_invitation(conn, member.id, &token.hash, sent_before, now)? == 0 {
            let open = queries::pending_invitation(conn, member.id)?;
            return Ok(match open {
                // The same click, posted twice: the first one sent it.
                Some(_) => Ok(format!(
                    "The invitation was already sent again to {}; the latest email holds the link that works.",
                    member.email
                )),
                None => Err("This invitation is no longer open.".into()),
            });
        }
        inviter.queue_email(conn, &token.plain, &member.email, &role.name, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::InvitationResent,
            Some(("member", member.id.to_string())),
            json!({ "email": member.email }),
        )?;
        Ok(Ok(format!(
            "Invitation sent again to {}. The previous link no longer works.",
            member.email
        )))
    })
    .await
}

/// POST /team/members/{id}/revoke
pub async fn revoke_invitation(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::TeamInvite)?;
    let id = parse_id(&path)?;
    let (now, actor) = (ctx.now(), ctx.actor());
    let is_owner = ctx.member.is_owner();
    let held = ctx.member.permissions.clone();
    let outcome = db::run(ctx.pool(), move |conn| {
        // Locked: two revokes at once make one, and the other finds it done.
        let (member, role) = match queries::find_member_for_update(conn, id) {
            Ok(found) => found,
            // A revoked invitation takes its member with it; the same click
            // posted twice finds only the audit record.
            Err(diesel::result::Error::NotFound)
                if audit::queries::recorded(conn, EventKind::InvitationRevoked, "member", &id.to_string())? =>
            {
                return Ok(Ok("This invitation was already revoked.".to_string()));
            }
            Err(e) => return Err(e.into()),
        };
        if member.status != status::INVITED {
            return Ok(Err(format!(
                "{} has already joined; deactivate them instead.",
                display(&member)
            )));
        }
        if role.is_owner() && !is_owner {
            return Ok(Err("Only an Owner can revoke an Owner invitation.".into()));
        }
        if let Some(refusal) = beyond_reach(&member, &role, &held) {
            return Ok(Err(refusal));
        }
        queries::revoke_invitation(conn, member.id)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::InvitationRevoked,
            Some(("member", member.id.to_string())),
            json!({ "email": member.email }),
        )?;
        Ok(Ok(format!(
            "Invitation to {} revoked; the link no longer works.",
            member.email
        )))
    })
    .await?;
    match outcome {
        Ok(message) => {
            ctx.flash(FlashKind::Success, message);
            Ok(redirect("/team"))
        }
        Err(message) => {
            ctx.flash(FlashKind::Error, message);
            Ok(redirect(&format!("/team/members/{id}")))
        }
    }
}

/// POST /team/members/{id}/role
pub async fn change_role(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<RoleChangeForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::TeamManage)?;
    let id = parse_id(&path)?;
    let (now, actor) = (ctx.now(), ctx.actor());
    let is_owner = ctx.member.is_owner();
    let new_role_id: Option<Uuid> = form.role_id.parse().ok();
    let held = ctx.member.permissions.clone();
    member_action(&ctx, id, move |conn, member, role| {
        let Some(new_role) = new_role_id.and_then(|rid| crate::roles::queries::find_role(conn, rid).ok()) else {
            return Ok(Err("Choose a role from the list.".into()));
        };
        if new_role.id == role.id {
            return Ok(Ok(format!("{} already has the role {}.", display(&member), role.name)));
        }
        if (role.is_owner() || new_role.is_owner()) && !is_owner {
            return Ok(Err("Only an Owner can grant or remove the Owner role.".into()));
        }
        if let Some(refusal) = beyond_reach(&member, &role, &held) {
            return Ok(Err(refusal));
        }
        if !new_role.permission_set().is_subset_of(&held) {
            return Ok(Err("You can only give a role whose permissions you hold yourself.".into()));
        }
        if role.is_owner() && member.status == status::ACTIVE {
            let owners = queries::active_owner_ids(conn)?;
            if owners == [member.id] {
                return Ok(Err(format!(
                    "{} is the last active Owner. Make someone else Owner first, so the team is never left without one.",
                    display(&member)
                )));
            }
        }
        queries::set_role(conn, member.id, new_role.id, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::RoleChanged,
            Some(("member", member.id.to_string())),
            json!({ "email": member.email, "from": role.name, "to": new_role.name }),
        )?;
        Ok(Ok(format!("{} is now {}.", display(&member), new_role.name)))
    })
    .await
}

/// POST /team/members/{id}/deactivate
pub async fn deactivate_member(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::TeamManage)?;
    let id = parse_id(&path)?;
    let (now, actor) = (ctx.now(), ctx.actor());
    let is_owner = ctx.member.is_owner();
    let self_id = ctx.member.id.0;
    let held = ctx.member.permissions.clone();
    member_action(&ctx, id, move |conn, member, role| {
        if member.id == self_id {
            return Ok(Err("You cannot deactivate yourself. Ask another admin.".into()));
        }
        match member.status.as_str() {
            status::INVITED => {
                return Ok(Err(
                    "This person has not joined yet; revoke the invitation instead.".into()
                ));
            }
            status::DEACTIVATED => return Ok(Ok(format!("{} is already deactivated.", display(&member)))),
            _ => {}
        }
        if role.is_owner() {
            if !is_owner {
                return Ok(Err("Only an Owner can deactivate an Owner.".into()));
            }
            if queries::active_owner_ids(conn)? == [member.id] {
                return Ok(Err(format!(
                    "{} is the last active Owner and cannot be deactivated.",
                    display(&member)
                )));
            }
        }
        if let Some(refusal) = beyond_reach(&member, &role, &held) {
            return Ok(Err(refusal));
        }
        queries::set_status(conn, member.id, status::DEACTIVATED, now)?;
        crate::auth::queries::cancel_password_resets(conn, member.id, now)?;
        let ended = end_sessions_of(conn, member.id)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::Deactivated,
            Some(("member", member.id.to_string())),
            json!({ "email": member.email, "sessions_ended": ended }),
        )?;
        Ok(Ok(format!(
            "{} is deactivated and was signed out everywhere.",
            display(&member)
        )))
    })
    .await
}

/// POST /team/members/{id}/reactivate
pub async fn reactivate_member(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::TeamManage)?;
    let id = parse_id(&path)?;
    let (now, actor) = (ctx.now(), ctx.actor());
    let is_owner = ctx.member.is_owner();
    let held = ctx.member.permissions.clone();
    member_action(&ctx, id, move |conn, member, role| {
        if member.status != status::DEACTIVATED {
            return Ok(Err(format!("{} is not deactivated.", display(&member))));
        }
        if role.is_owner() && !is_owner {
            return Ok(Err("Only an Owner can reactivate an Owner.".into()));
        }
        if let Some(refusal) = beyond_reach(&member, &role, &held) {
            return Ok(Err(refusal));
        }
        queries::set_status(conn, member.id, status::ACTIVE, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::Reactivated,
            Some(("member", member.id.to_string())),
            json!({ "email": member.email }),
        )?;
        Ok(Ok(format!("{} can sign in again.", display(&member))))
    })
    .await
}

/// The page for an invitation link that no longer works; one already
/// accepted (sent twice, or opened again) says to sign in instead.
async fn invitation_gone(v: &Visitor, hash: Vec<u8>) -> Result<HttpResponse, AppError> {
    let accepted = db::read(&v.state.pool, move |conn| {
        Ok(queries::invitation_accepted(conn, &hash)?)
    })
    .await?;
    render_status(
        StatusCode::GONE,
        &if accepted {
            crate::auth::InvalidLink {
                title: "This invitation was accepted",
                flashes: Vec::new(),
                message: "You have joined already: sign in with your email and the password you chose.",
            }
        } else {
            crate::auth::InvalidLink {
                title: "This invitation no longer works",
                flashes: Vec::new(),
                message: "Invitations work once and expire after 7 days; a resent invitation replaces the earlier link. Ask your administrator to send a new one.",
            }
        },
    )
}

/// GET /invitations/{token}
pub async fn invitation_form(v: Visitor, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let hash = SecretToken::hash(&token);
    let now = v.now();
    let found = db::run(&v.state.pool, move |conn| {
        Ok(match queries::find_open_invitation(conn, &hash, now)? {
            Some(found) => Some((found, company_name(conn)?)),
            None => None,
        })
    })
    .await?;
    let Some(((_, member, role), company)) = found else {
        return invitation_gone(&v, SecretToken::hash(&token)).await;
    };
    render(&AcceptPage {
        title: "Join your team on Veridesk",
        flashes: Vec::new(),
        csrf: v.csrf(),
        action: format!("/invitations/{}", token.as_str()),
        email: member.email,
        company,
        role: role.name,
        name: String::new(),
        errors: FormErrors::new(),
    })
}

/// POST /invitations/{token}
pub async fn accept_invitation(
    v: Visitor,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    let hash = SecretToken::hash(&token);
    let now = v.now();
    let lookup = hash.clone();
    let found = db::run(&v.state.pool, move |conn| {
        Ok(match queries::find_open_invitation(conn, &lookup, now)? {
            Some(found) => Some((found, company_name(conn)?)),
            None => None,
        })
    })
    .await?;
    let Some(((invitation_id, member, role), company)) = found else {
        return invitation_gone(&v, SecretToken::hash(&token)).await;
    };
    let mut errors = FormErrors::new();
    let name = errors.check("name", PersonName::parse(&form.name));
    let password = errors.check("password", Password::parse(&form.password, &member.email));
    if form.password != form.password_confirmation {
        errors.add("password_confirmation", "The two passwords are not the same.");
    }
    let (Some(name), Some(password), true) = (name, password, errors.is_empty()) else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AcceptPage {
                title: "Join your team on Veridesk",
                flashes: Vec::new(),
                csrf: v.csrf(),
                action: format!("/invitations/{}", token.as_str()),
                email: member.email,
                company,
                role: role.name,
                name: form.name,
                errors,
            },
        );
    };
    let password_hash = v.state.hasher.hash(password.expose().to_string()).await?;
    let actor = Actor::member_at_door(member.id, &member.email, &v.client);
    let email = member.email.clone();
    let accepted = db::run(&v.state.pool, move |conn| {
        // Re-check inside the transaction: the link may have been used or
        // revoked while the password was being hashed.
        if queries::find_open_invitation(conn, &hash, now)?.is_none() {
            return Ok(false);
        }
        if !queries::accept_invitation(conn, invitation_id, member.id, name.as_str(), &password_hash, now)? {
            return Ok(false);
        }
        audit::record(
            conn,
            now,
            &actor,
            EventKind::InvitationAccepted,
            Some(("member", member.id.to_string())),
            json!({ "email": member.email, "role": role.name }),
        )?;
        Ok(true)
    })
    .await?;
    if !accepted {
        return invitation_gone(&v, SecretToken::hash(&token)).await;
    }
    v.flash(
        FlashKind::Success,
        format!("Welcome! Your account {email} is ready. Sign in with your new password."),
    );
    Ok(redirect("/sign-in"))
}
