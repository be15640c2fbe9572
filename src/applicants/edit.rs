//! Editing an applicant's details: a typo in an email address must be
//! fixable before the next link goes out. The form is the create form
//! without the flow (moved from the profile, where the verification moves
//! with it). The timeline records each change with its old and new value;
//! the purge empties those details with the rest of the applicant's events.

use super::forms::ApplicantForm;
use super::models::{Applicant, KINDS, LANGUAGES, NewApplicant};
use super::pages::NewPage;
use super::queries;
use crate::audit::{self, EventKind};
use crate::auth::permissions::Permission;
use crate::db;
use crate::db::schema::{applicant_search, applicants};
use crate::error::AppError;
use crate::web::{CsrfForm, Ctx, FlashKind, FormErrors, Nav, parse_id, redirect, render_status};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use uuid::Uuid;

const TAKEN: &str = "Another applicant already has this external user id.";

/// Why an applicant's details cannot change, if they cannot.
fn not_editable(a: &Applicant) -> Option<&'static str> {
    if a.purged_at.is_some() {
        Some("This applicant's data was deleted; nothing can change any more.")
    } else if a.deletion_scheduled_at.is_some() {
        Some("This applicant is scheduled for deletion; restore it first.")
    } else {
        None
    }
}

async fn edit_page(
    ctx: &Ctx,
    id: Uuid,
    form: ApplicantForm,
    errors: FormErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    render_status(
        status,
        &NewPage {
            chrome: ctx.chrome("Edit applicant", Nav::Applicants),
            form,
            errors,
            kinds: &KINDS,
            languages: &LANGUAGES,
            countries: crate::domain::countries().collect(),
            flows: Vec::new(),
            editing: Some(id.to_string()),
            notice,
        },
    )
}

/// GET /applicants/{id}/edit
pub async fn edit_applicant_form(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsView)?;
    ctx.require(Permission::ApplicantsCreate)?;
    let id = parse_id(&path)?;
    let applicant = db::read(ctx.pool(), move |conn| Ok(queries::find(conn, id)?.0)).await?;
    if let Some(message) = not_editable(&applicant) {
        ctx.flash(FlashKind::Error, message);
        return Ok(redirect(&format!("/applicants/{id}")));
    }
    let form = ApplicantForm::from_applicant(&applicant);
    edit_page(&ctx, id, form, FormErrors::new(), None, StatusCode::OK).await
}

/// What saving the form came to.
enum Saved {
    Done,
    Unchanged,
    Refused(&'static str),
    /// Someone changed the applicant since the form was opened: who, and
    /// the details as they are now.
    Meanwhile(String, Box<ApplicantForm>),
    IdTaken,
}

/// POST /applicants/{id}
pub async fn update_applicant(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ApplicantForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsView)?;
    ctx.require(Permission::ApplicantsCreate)?;
    let id = parse_id(&path)?;
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    // The flow is not the form's to change.
    let mut form = form;
    form.flow_id.clear();
    form.email_kept = db::read(ctx.pool(), move |conn| Ok(queries::find(conn, id)?.0.email)).await?;
    let edited = match form.parse(&[], by, now) {
        Ok(edited) => edited,
        Err(errors) => return edit_page(&ctx, id, form, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let Ok(seen) = form.lock_version.trim().parse::<i32>() else {
        let notice = "The form could not be read: reload the page and try again.".to_string();
        return edit_page(
            &ctx,
            id,
            form,
            FormErrors::new(),
            Some(notice),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let saved = db::run(ctx.pool(), move |conn| {
        let current = queries::find_applicant_for_update(conn, id)?;
        if let Some(message) = not_editable(&current) {
            return Ok(Saved::Refused(message));
        }
        if current.lock_version != seen {
            return Ok(Saved::Meanwhile(
                super::profile::changed_meanwhile(conn, id, by)?,
                Box::new(ApplicantForm::from_applicant(&current)),
            ));
        }
        let changes = changes(&current, &edited);
        if changes.is_empty() {
            return Ok(Saved::Unchanged);
        }
        // In a savepoint, so a duplicate id (the partial unique index) is
        // told as such, and the transaction stays usable.
        let written = conn.transaction(|conn| save(conn, id, &edited, now));
        match written {
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => return Ok(Saved::IdTaken),
            other => other?,
        }
        audit::record(
            conn,
            now,
            &actor,
            EventKind::ApplicantEdited,
            Some(("applicant", id.to_string())),
            serde_json::Value::Object(changes),
        )?;
        Ok(Saved::Done)
    })
    .await?;
    match saved {
        Saved::Done => {
            ctx.flash(FlashKind::Success, "Applicant details saved.");
            Ok(redirect(&format!("/applicants/{id}")))
        }
        Saved::Unchanged => {
            ctx.flash(FlashKind::Info, "Nothing was changed.");
            Ok(redirect(&format!("/applicants/{id}")))
        }
        Saved::Refused(message) => {
            ctx.flash(FlashKind::Error, message);
            Ok(redirect(&format!("/applicants/{id}")))
        }
        Saved::Meanwhile(who, now) => {
            let mut errors = FormErrors::new();
            let form = form.merged_with(&now, &mut errors);
            let notice = format!(
                "{who} Your changes were not saved. The form below shows their changes where you left a field as it was, and what you typed elsewhere{}. Save again to apply it.",
                if errors.is_empty() {
                    ""
                } else {
                    "; a field you both changed says so"
                }
            );
            edit_page(&ctx, id, form, errors, Some(notice), StatusCode::CONFLICT).await
        }
        Saved::IdTaken => {
            let mut errors = FormErrors::new();
            errors.add("external_user_id", TAKEN);
            edit_page(&ctx, id, form, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// Writes the edited details, and the search text made of them.
fn save(
    conn: &mut PgConnection,
    id: Uuid,
    edited: &NewApplicant,
    now: chrono::DateTime<chrono::Utc>,
) -> QueryResult<()> {
    diesel::update(applicants::table.find(id))
        .set((
            applicants::kind.eq(&edited.kind),
            applicants::external_user_id.eq(&edited.external_user_id),
            applicants::name.eq(&edited.name),
            applicants::email.eq(&edited.email),
            applicants::phone.eq(&edited.phone),
            applicants::language.eq(&edited.language),
            applicants::date_of_birth.eq(edited.date_of_birth),
            applicants::country.eq(&edited.country),
            applicants::supplied_info.eq(&edited.supplied_info),
            applicants::lock_version.eq(applicants::lock_version + 1),
            applicants::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(applicant_search::table.filter(applicant_search::applicant_id.eq(id)))
        .set(applicant_search::search_text.eq(&edited.search_text))
        .execute(conn)?;
    Ok(())
}

/// Each changed detail as `field: "old → new"`, for the timeline; supplied
/// info, which can be long, is only said to have changed.
fn changes(current: &Applicant, edited: &NewApplicant) -> serde_json::Map<String, serde_json::Value> {
    fn shown(value: Option<String>) -> String {
        value.filter(|v| !v.is_empty()).unwrap_or_else(|| "(none)".to_string())
    }
    let label = |kinds: &[(&str, &str)], key: &str| kinds.iter().find(|(k, _)| *k == key).map(|(_, l)| l.to_string());
    let pairs = [
        ("type", label(&KINDS, &current.kind), label(&KINDS, &edited.kind)),
        ("name", Some(current.name.clone()), Some(edited.name.clone())),
        (
            "external_user_id",
            Some(current.external_user_id.clone()),
            Some(edited.external_user_id.clone()),
        ),
        ("email", current.email.clone(), edited.email.clone()),
        ("phone", current.phone.clone(), edited.phone.clone()),
        (
            "language",
            label(&LANGUAGES, &current.language),
            label(&LANGUAGES, &edited.language),
        ),
        (
            "date_of_birth",
            current.date_of_birth.map(|d| d.to_string()),
            edited.date_of_birth.map(|d| d.to_string()),
        ),
        ("country", current.country.clone(), edited.country.clone()),
    ];
    let mut changed = serde_json::Map::new();
    for (field, old, new) in pairs {
        if old != new {
            changed.insert(field.into(), format!("{} → {}", shown(old), shown(new)).into());
        }
    }
    if current.supplied_info != edited.supplied_info {
        changed.insert("supplied_info".into(), "changed".into());
    }
    changed
}
