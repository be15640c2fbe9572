//! Roles pages.

use super::forms::{RoleForm, ValidRole};
use super::models::Role;
use super::pages::{RoleFormPage, RoleRow, RolesPage, permission_groups};
use super::queries;
use crate::audit::{self, EventKind};
use crate::auth::permissions::Permission;
use crate::db;
use crate::error::AppError;
use crate::web::{CsrfForm, Ctx, FlashKind, FormErrors, Nav, redirect, render, render_status};
use crate::web::{EmptyForm, parse_id};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::json;

/// GET /roles
pub async fn list_roles(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::RolesView)?;
    let rows = db::run(ctx.pool(), |conn| Ok(queries::list_roles(conn)?)).await?;
    let roles = rows
        .into_iter()
        .map(|(role, members)| RoleRow {
            permission_count: role.permission_set().len(),
            role,
            members,
        })
        .collect();
    render(&RolesPage {
        roles,
        can_manage: ctx.can(Permission::RolesManage),
        total_permissions: Permission::ALL.len(),
        chrome: ctx.chrome("Roles", Nav::Roles),
    })
}

/// Which role a form page is about.
struct Target<'a> {
    /// `None` for a new role.
    role: Option<&'a Role>,
    read_only: bool,
    members: i64,
}

/// A custom role holding permissions the member does not: changing it
/// would change what its holders, possibly the member's seniors, may do.
/// The same rule as the team's (a member beyond reach).
fn beyond_reach(ctx: &Ctx, role: &Role) -> bool {
    !role.permission_set().is_subset_of(&ctx.member.permissions)
}

impl Target<'_> {
    const NEW: Target<'static> = Target {
        role: None,
        read_only: false,
        members: 0,
    };
}

fn form_page(ctx: &Ctx, target: Target<'_>, form: RoleForm, errors: FormErrors) -> RoleFormPage {
    let (title, action) = match target.role {
        Some(role) => (role.name.clone(), format!("/roles/{}", role.id)),
        None => ("New role".to_string(), "/roles".to_string()),
    };
    RoleFormPage {
        chrome: ctx.chrome(title, Nav::Roles),
        action,
        read_only: target.read_only,
        builtin: target.role.is_some_and(|r| r.builtin().is_some()),
        beyond_reach: target
            .role
            .is_some_and(|r| r.builtin().is_none() && beyond_reach(ctx, r)),
        members: target.members,
        form,
        errors,
        groups: permission_groups(),
    }
}

/// A member may only put into a role the permissions they hold themselves.
fn within_own_permissions(ctx: &Ctx, valid: ValidRole) -> Result<ValidRole, FormErrors> {
    if valid.permissions.is_subset_of(&ctx.member.permissions) {
        Ok(valid)
    } else {
        let mut errors = FormErrors::new();
        errors.add("permissions", "You can only tick permissions that your own role has.");
        Err(errors)
    }
}

/// GET /roles/new
pub async fn new_role_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::RolesManage)?;
    render(&form_page(&ctx, Target::NEW, RoleForm::default(), FormErrors::new()))
}

/// POST /roles
pub async fn create_role(ctx: Ctx, CsrfForm(form): CsrfForm<RoleForm>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::RolesManage)?;
    let valid = match form.parse().and_then(|valid| within_own_permissions(&ctx, valid)) {
        Ok(valid) => valid,
        Err(errors) => {
            let page = form_page(&ctx, Target::NEW, form, errors);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let (now, actor) = (ctx.now(), ctx.actor());
    let created = db::run(ctx.pool(), move |conn| {
        if queries::name_taken(conn, &valid.name, None)? {
            return Ok(None);
        }
        let codes = valid.permissions.codes();
        let id = queries::create_role(conn, &valid.name, &valid.description, codes.clone(), now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::RoleCreated,
            Some(("role", id.to_string())),
            json!({ "name": valid.name, "permissions": codes.join(", ") }),
        )?;
        Ok(Some(id))
    })
    .await?;
    match created {
        Some(_) => {
            ctx.flash(FlashKind::Success, format!("Role “{}” created.", form.name.trim()));
            Ok(redirect("/roles"))
        }
        None => {
            let mut errors = FormErrors::new();
            errors.add("name", "Another role already has this name.");
            let page = form_page(&ctx, Target::NEW, form, errors);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// GET /roles/{id}
pub async fn edit_role_form(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::RolesView)?;
    let id = parse_id(&path)?;
    let (role, members) = db::run(ctx.pool(), move |conn| {
        Ok((queries::find_role(conn, id)?, queries::members_with_role(conn, id)?))
    })
    .await?;
    let read_only = role.builtin().is_some() || !ctx.can(Permission::RolesManage) || beyond_reach(&ctx, &role);
    let form = RoleForm {
        name: role.name.clone(),
        description: role.description.clone(),
        permissions: role.permission_set().codes(),
    };
    render(&form_page(
        &ctx,
        Target {
            role: Some(&role),
            read_only,
            members,
        },
        form,
        FormErrors::new(),
    ))
}

/// POST /roles/{id}
pub async fn update_role(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::RolesManage)?;
    let id = parse_id(&path)?;
    let role = db::run(ctx.pool(), move |conn| Ok(queries::find_role(conn, id)?)).await?;
    if role.builtin().is_some() {
        return Err(AppError::Conflict(
            "Built-in roles cannot be changed. Create a custom role instead.".into(),
        ));
    }
    if beyond_reach(&ctx, &role) {
        return Err(AppError::Conflict(super::pages::BEYOND_REACH.into()));
    }
    let valid = match form.parse().and_then(|valid| within_own_permissions(&ctx, valid)) {
        Ok(valid) => valid,
        Err(errors) => {
            let page = form_page(
                &ctx,
                Target {
                    role: Some(&role),
                    read_only: false,
                    members: 0,
                },
                form,
                errors,
            );
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let (now, actor) = (ctx.now(), ctx.actor());
    let updated = db::run(ctx.pool(), move |conn| {
        if queries::name_taken(conn, &valid.name, Some(id))? {
            return Ok(false);
        }
        let codes = valid.permissions.codes();
        queries::update_role(conn, id, &valid.name, &valid.description, codes.clone(), now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::RoleUpdated,
            Some(("role", id.to_string())),
            json!({ "name": valid.name, "permissions": codes.join(", ") }),
        )?;
        Ok(true)
    })
    .await?;
    if updated {
        ctx.flash(FlashKind::Success, format!("Role “{}” saved.", form.name.trim()));
        Ok(redirect("/roles"))
    } else {
        let mut errors = FormErrors::new();
        errors.add("name", "Another role already has this name.");
        let page = form_page(
            &ctx,
            Target {
                role: Some(&role),
                read_only: false,
                members: 0,
            },
            form,
            errors,
        );
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

/// POST /roles/{id}/delete
pub async fn delete_role(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::RolesManage)?;
    let id = parse_id(&path)?;
    let (now, actor) = (ctx.now(), ctx.actor());
    let outcome = db::run(ctx.pool(), move |conn| {
        let role = queries::find_role(conn, id)?;
        if role.builtin().is_some() {
            return Ok(Err("Built-in roles cannot be deleted.".to_string()));
        }
        let holders = queries::members_with_role(conn, id)?;
        if holders > 0 {
            return Ok(Err(format!(
                "“{}” is held by {holders} member(s). Give them another role first.",
                role.name
            )));
        }
        queries::delete_role(conn, id)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::RoleDeleted,
            Some(("role", id.to_string())),
            json!({ "name": role.name }),
        )?;
        Ok(Ok(role.name))
    })
    .await?;
    ctx.flash_outcome(outcome.map(|name| format!("Role “{name}” deleted.")));
    Ok(redirect("/roles"))
}
