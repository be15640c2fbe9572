//! Account handlers.

use super::pages::AccountPage;
use crate::audit::{self, EventKind};
use crate::db;
use crate::domain::{Password, PersonName, parse_time_zone};
use crate::error::AppError;
use crate::team::queries::{set_password, update_profile as save_profile};
use crate::web::session_store::MEMBER_KEY;
use crate::web::{CsrfForm, Ctx, FlashKind, FormErrors, Nav, redirect, render_status};
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

/// POST /account, as typed.
#[derive(Deserialize, Default)]
pub struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
}

/// POST /account/password, as typed.
#[derive(Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

fn page(
    ctx: &Ctx,
    name: String,
    time_zone: String,
    errors: FormErrors,
    password_errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    render_status(
        status,
        &AccountPage {
            chrome: ctx.chrome("My account", Nav::Account),
            name,
            time_zone,
            email: ctx.member.email.clone(),
            errors,
            password_errors,
            zones: chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect(),
        },
    )
}

/// GET /account
pub async fn account_page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    page(
        &ctx,
        ctx.member.name.clone(),
        ctx.member.time_zone.name().to_string(),
        FormErrors::new(),
        FormErrors::new(),
        StatusCode::OK,
    )
}

/// POST /account
pub async fn update_profile(ctx: Ctx, CsrfForm(form): CsrfForm<ProfileForm>) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::new();
    let name = errors.check("name", PersonName::parse(&form.name));
    let zone = errors.check("time_zone", parse_time_zone(&form.time_zone));
    let (Some(name), Some(zone)) = (name, zone) else {
        return page(
            &ctx,
            form.name,
            form.time_zone,
            errors,
            FormErrors::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let (now, actor, id) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let before = (ctx.member.name.clone(), ctx.member.time_zone.name().to_string());
    db::run(ctx.pool(), move |conn| {
        save_profile(conn, id, name.as_str(), zone.name(), now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::ProfileUpdated,
            Some(("member", id.to_string())),
            json!({ "name": format!("{} → {}", before.0, name.as_str()), "time_zone": format!("{} → {}", before.1, zone.name()) }),
        )?;
        Ok(())
    })
    .await?;
    ctx.flash(FlashKind::Success, "Your profile was saved.");
    Ok(redirect("/account"))
}

/// POST /account/password
pub async fn change_password(ctx: Ctx, CsrfForm(form): CsrfForm<PasswordForm>) -> Result<HttpResponse, AppError> {
    // Guessing the current password from a stolen session is throttled like sign-in.
    if ctx
        .state()
        .signin_limiter
        .check_key(&ctx.visitor.client.rate_key())
        .is_err()
    {
        return Err(AppError::TooManyRequests);
    }
    let id = ctx.member.id.0;
    let current_hash = db::run(ctx.pool(), move |conn| {
        use crate::db::schema::members;
        Ok(members::table
            .find(id)
            .select(members::password_hash)
            .first::<Option<String>>(conn)?)
    })
    .await?;
    let mut errors = FormErrors::new();
    if !ctx
        .state()
        .hasher
        .verify(form.current_password.clone(), current_hash)
        .await?
    {
        errors.add("current_password", "That is not your current password.");
        let (now, actor) = (ctx.now(), ctx.actor());
        db::run(ctx.pool(), move |conn| {
            let details = json!({ "reason": "wrong current password when changing it" });
            audit::record(
                conn,
                now,
                &actor,
                EventKind::SignInFailed,
                Some(("member", id.to_string())),
                details,
            )?;
            Ok(())
        })
        .await?;
    }
    let password = errors.check("password", Password::parse(&form.password, &ctx.member.email));
    if form.password != form.password_confirmation {
        errors.add("password_confirmation", "The two passwords are not the same.");
    }
    let (Some(password), true) = (password, errors.is_empty()) else {
        return page(
            &ctx,
            ctx.member.name.clone(),
            ctx.member.time_zone.name().to_string(),
            FormErrors::new(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let hash = ctx.state().hasher.hash(password.expose().to_string()).await?;
    let (now, actor) = (ctx.now(), ctx.actor());
    db::run(ctx.pool(), move |conn| {
        set_password(conn, id, &hash, now)?;
        crate::auth::queries::cancel_password_resets(conn, id, now)?;
        // Other sessions of this member end; this one is renewed below.
        crate::web::session_store::end_sessions_of(conn, id)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::PasswordChanged,
            Some(("member", id.to_string())),
            json!({}),
        )?;
        Ok(())
    })
    .await?;
    // Our own session row was deleted with the others: start a fresh one.
    let session = &ctx.visitor.session;
    session.renew();
    session
        .insert(MEMBER_KEY, id)
        .map_err(|e| AppError::internal(format!("session: {e}")))?;
    ctx.flash(
        FlashKind::Success,
        "Your password was changed. Other sessions were signed out.",
    );
    Ok(redirect("/account"))
}
