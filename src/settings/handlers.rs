//! Company settings handlers.

use super::forms::{MAX_LOGO_BYTES, SettingsForm, logo_content_type};
use super::pages::CompanySettingsPage;
use super::queries;
use crate::audit::{self, EventKind};
use crate::auth::permissions::Permission;
use crate::db;
use crate::error::AppError;
use crate::web::EmptyForm;
use crate::web::{CsrfForm, Ctx, FlashKind, FormErrors, Nav, csrf, redirect, render_status};
use actix_multipart::Multipart;
use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use serde_json::json;

async fn settings_page(
    ctx: &Ctx,
    form: Option<SettingsForm>,
    errors: FormErrors,
    logo_error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    settings_page_with(ctx, form, errors, logo_error, None, status).await
}

async fn settings_page_with(
    ctx: &Ctx,
    form: Option<SettingsForm>,
    errors: FormErrors,
    logo_error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let current = db::run(ctx.pool(), |conn| Ok(queries::load(conn)?)).await?;
    let form = form.unwrap_or_else(|| SettingsForm::of(&current, saved_at(current.updated_at)));
    render_status(
        status,
        &CompanySettingsPage {
            chrome: ctx.chrome("Company settings", Nav::Settings),
            form,
            errors,
            has_logo: current.logo_content_type.is_some(),
            logo_error,
            logo_version: current.updated_at.timestamp(),
            notice,
        },
    )
}

/// The version a settings form carries: when they were last saved, to the
/// microsecond.
fn saved_at(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// GET /settings/company
pub async fn company_settings(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::SettingsManage)?;
    settings_page(&ctx, None, FormErrors::new(), None, StatusCode::OK).await
}

/// POST /settings/company
pub async fn update_company_settings(
    ctx: Ctx,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::SettingsManage)?;
    let mut form = form;
    form.contact_email_kept = Some(db::read(ctx.pool(), |conn| Ok(queries::load(conn)?.contact_email)).await?);
    let values = match form.parse() {
        Ok(values) => values,
        Err(errors) => return settings_page(&ctx, Some(form), errors, None, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let seen = form.seen.trim().to_string();
    let saved = db::run(ctx.pool(), move |conn| {
        let before = queries::load_for_update(conn)?;
        let stamp = saved_at(before.updated_at);
        if !seen.is_empty() && seen != stamp {
            let who = match queries::saved_by(conn)? {
                (Some(member), _) if member == by => "You saved the settings in another tab".to_string(),
                (_, name) => format!("{name} saved the settings"),
            };
            return Ok(Err((who, SettingsForm::of(&before, stamp))));
        }
        let mut changed = serde_json::Map::new();
        for (field, old, new) in [
            ("name", &before.name, &values.name),
            ("address", &before.address, &values.address),
            ("contact_email", &before.contact_email, &values.contact_email),
            ("sender_name", &before.sender_name, &values.sender_name),
            ("brand_colour", &before.brand_colour, &values.brand_colour),
        ] {
            if old != new {
                changed.insert(field.to_string(), json!(format!("{old} → {new}")));
            }
        }
        queries::update(conn, &values, by, now)?;
        if !changed.is_empty() {
            audit::record(
                conn,
                now,
                &actor,
                EventKind::SettingsUpdated,
                Some(("company", "settings".into())),
                serde_json::Value::Object(changed),
            )?;
        }
        Ok(Ok(()))
    })
    .await?;
    if let Err((who, now)) = saved {
        let mut errors = FormErrors::new();
        let form = form.merged_with(&now, &mut errors);
        let notice = format!(
            "{who} after this page was shown, so yours were not saved. The form below shows those changes where you left a field as it was, and what you typed elsewhere{}. Save again to apply it.",
            if errors.is_empty() {
                ""
            } else {
                "; a field you both changed says so"
            }
        );
        return settings_page_with(&ctx, Some(form), errors, None, Some(notice), StatusCode::CONFLICT).await;
    }
    ctx.flash(FlashKind::Success, "Company settings saved.");
    Ok(redirect("/settings/company"))
}

/// POST /settings/company/logo (multipart)
pub async fn upload_logo(ctx: Ctx, payload: Multipart) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::SettingsManage)?;
    let (token, file) = match crate::web::upload::read_upload(payload, "logo", MAX_LOGO_BYTES).await {
        Ok(parts) => parts,
        Err(message) => {
            return settings_page(
                &ctx,
                None,
                FormErrors::new(),
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if !csrf::verify(&ctx.visitor.session, &token) {
        return Err(AppError::Csrf);
    }
    let content_type = match logo_content_type(&file) {
        Ok(ct) => ct,
        Err(message) => {
            return settings_page(
                &ctx,
                None,
                FormErrors::new(),
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let size = file.len();
    db::run(ctx.pool(), move |conn| {
        queries::set_logo(conn, Some((file, content_type)), by, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::SettingsUpdated,
            Some(("company", "settings".into())),
            json!({ "logo": format!("uploaded ({content_type}, {size} bytes)") }),
        )?;
        Ok(())
    })
    .await?;
    ctx.flash(FlashKind::Success, "Logo uploaded.");
    Ok(redirect("/settings/company"))
}

/// POST /settings/company/logo/delete
pub async fn delete_logo(ctx: Ctx, _form: CsrfForm<EmptyForm>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::SettingsManage)?;
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    db::run(ctx.pool(), move |conn| {
        queries::set_logo(conn, None, by, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::SettingsUpdated,
            Some(("company", "settings".into())),
            json!({ "logo": "removed" }),
        )?;
        Ok(())
    })
    .await?;
    ctx.flash(FlashKind::Success, "Logo removed.");
    Ok(redirect("/settings/company"))
}

/// GET /brand/logo — public: applicants' pages show it.
pub async fn logo(v: crate::web::Visitor) -> Result<HttpResponse, AppError> {
    let found = db::run(&v.state.pool, |conn| Ok(queries::logo(conn)?)).await?;
    let (bytes, content_type) = found.ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(bytes))
}
