//! Email template pages: list, create, edit with preview, delete.

use super::placeholders::{self, Values, format_expiry};
use super::queries;
use super::wording::language_name;
use crate::applicants::models::LANGUAGES;
use crate::audit::{self, EventKind};
use crate::auth::permissions::Permission;
use crate::db;
use crate::error::AppError;
use crate::questionnaires::forms::parse_name;
use crate::web::EmptyForm;
use crate::web::{Chrome, CsrfForm, Ctx, FlashKind, FormErrors, Nav, redirect, render_status};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::OptionalExtension;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// The template form, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct TemplateForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
    /// The version of the template the form was filled from (editing only).
    #[serde(default)]
    pub lock_version: String,
    /// The language the template is written in: its link's expiry date
    /// and the email's footer follow it.
    #[serde(default)]
    pub language: String,
    /// Set by the Preview button: show the text as it would be sent, without saving.
    #[serde(default)]
    pub preview: Option<String>,
}

impl TemplateForm {
    fn check(&self) -> FormErrors {
        let mut errors = FormErrors::new();
        // A preview saves nothing, so it needs no name yet; a bad one
        // typed is still said.
        let previewing_unnamed = self.preview.is_some() && self.name.trim().is_empty();
        if let Err(e) = parse_name(&self.name)
            && !previewing_unnamed
        {
            errors.add("name", e);
        }
        for (field, message) in placeholders::problems(&self.subject, &self.body) {
            errors.also(field, message);
        }
        // Empty: a form from before templates had a language (see `content`).
        if !self.language.is_empty() && !LANGUAGES.iter().any(|(code, _)| *code == self.language) {
            errors.add("language", "Choose a language from the list.");
        }
        errors
    }

    /// What it says, as saved: the name as checked (spaces collapsed and
    /// accents composed, so two names that read the same are one name); a
    /// form without a language (opened before templates had one) keeps
    /// `saved`'s, English for a new template.
    fn content<'a>(&'a self, name: &'a str, saved: Option<&'a str>) -> queries::Content<'a> {
        queries::Content {
            name,
            subject: self.subject.trim(),
            body: &self.body,
            language: if self.language.is_empty() {
                saved.unwrap_or("en")
            } else {
                &self.language
            },
        }
    }
}

/// One template in the list.
pub struct TemplateRow {
    pub id: String,
    /// Saved under older rules that it no longer meets (say, the link in
    /// the subject): sessions refuse it until it is edited.
    pub needs_change: bool,
    pub name: String,
    pub subject: String,
    /// The language it is written in, by name.
    pub language: String,
    pub updated: String,
}

/// GET /email-templates
#[derive(Template)]
#[template(path = "admin/email_templates/index.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub rows: Vec<TemplateRow>,
}

/// GET /email-templates/new and /email-templates/{id}
#[derive(Template)]
#[template(path = "admin/email_templates/form.html")]
pub struct FormPage {
    pub chrome: Chrome,
    pub action: String,
    pub id: Option<String>,
    pub form: TemplateForm,
    pub errors: FormErrors,
    pub preview_subject: String,
    pub preview_body: String,
    /// The template's language, by name.
    pub language_name: String,
    pub languages: &'static [(&'static str, &'static str)],
    pub placeholders: [&'static str; 4],
}

/// GET /email-templates
pub async fn list_templates(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::EmailTemplatesManage)?;
    let rows = db::run(ctx.pool(), |conn| Ok(queries::list(conn)?)).await?;
    let rows = rows
        .into_iter()
        .map(|t| TemplateRow {
            id: t.id.to_string(),
            needs_change: t.needs_change(),
            language: language_name(&t.language),
            name: t.name,
            subject: t.subject,
            updated: ctx.member.format_time(t.updated_at),
        })
        .collect();
    render_status(
        StatusCode::OK,
        &ListPage {
            chrome: ctx.chrome("Email templates", Nav::EmailTemplates),
            rows,
        },
    )
}

/// The template form with `errors`; answered 422 when there are any (409
/// for a save someone else made), unless `status` says otherwise.
async fn form_page(
    ctx: &Ctx,
    id: Option<Uuid>,
    form: TemplateForm,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    form_page_with_status(ctx, id, form, errors, None).await
}

async fn form_page_with_status(
    ctx: &Ctx,
    id: Option<Uuid>,
    form: TemplateForm,
    errors: FormErrors,
    status: Option<StatusCode>,
) -> Result<HttpResponse, AppError> {
    let company = db::run(ctx.pool(), |conn| Ok(crate::settings::queries::company_name(conn)?)).await?;
    // An unknown code reads as English, in the date and the name alike.
    let language = form.language.as_str();
    let values = Values {
        session_url: format!("{}/v/EXAMPLE-TOKEN", ctx.state().settings.base_url),
        applicant_name: "Ana Lima".into(),
        link_expires_at: format_expiry(ctx.now() + chrono::Duration::hours(72), language),
        company_name: company,
        ..Values::default()
    };
    let status = if let Some(status) = status {
        status
    } else if errors.is_empty() {
        StatusCode::OK
    } else if errors.get("conflict").is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &FormPage {
            chrome: ctx.chrome(
                if id.is_some() {
                    "Edit email template"
                } else {
                    "New email template"
                },
                Nav::EmailTemplates,
            ),
            action: id.map_or("/email-templates".to_string(), |id| format!("/email-templates/{id}")),
            id: id.map(|id| id.to_string()),
            preview_subject: placeholders::render(&form.subject, &values),
            preview_body: placeholders::render(&form.body, &values),
            language_name: language_name(language),
            languages: &LANGUAGES,
            form,
            errors,
            placeholders: placeholders::KNOWN,
        },
    )
}

/// GET /email-templates/new
pub async fn new_template_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::EmailTemplatesManage)?;
    let form = TemplateForm {
        name: String::new(),
        subject: super::DEFAULT_SUBJECT.into(),
        body: super::DEFAULT_BODY.into(),
        language: "en".into(),
        ..Default::default()
    };
    form_page(&ctx, None, form, FormErrors::new()).await
}

/// POST /email-templates
pub async fn create_template(ctx: Ctx, CsrfForm(form): CsrfForm<TemplateForm>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::EmailTemplatesManage)?;
    let errors = form.check();
    if !errors.is_empty() || form.preview.is_some() {
        return form_page(&ctx, None, form, errors).await;
    }
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let values = form.clone();
    let created = db::run(ctx.pool(), move |conn| {
        // As checked: spaces collapsed and accents composed, so two names
        // that read the same are one name.
        let name = parse_name(&values.name).unwrap_or_default();
        if queries::name_taken(conn, &name, None)? {
            return Ok(None);
        }
        let content = values.content(&name, None);
        let id = queries::create(conn, &content, by, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::EmailTemplateCreated,
            Some(("email_template", id.to_string())),
            json!({ "name": name, "language": language_name(content.language) }),
        )?;
        Ok(Some(id))
    })
    .await?;
    match created {
        Some(_) => {
            ctx.flash(FlashKind::Success, "Email template saved.");
            Ok(redirect("/email-templates"))
        }
        None => {
            let mut errors = FormErrors::new();
            errors.add("name", "Another template already has this name.");
            form_page(&ctx, None, form, errors).await
        }
    }
}

/// GET /email-templates/{id}
pub async fn edit_template_form(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::EmailTemplatesManage)?;
    let id = crate::web::parse_id(&path)?;
    let t = db::run(ctx.pool(), move |conn| Ok(queries::find(conn, id)?)).await?;
    // A template saved under older rules says at once what to change.
    let mut errors = FormErrors::new();
    for (field, problem) in t.problems() {
        errors.add(field, problem);
    }
    form_page_with_status(
        &ctx,
        Some(id),
        TemplateForm {
            name: t.name,
            subject: t.subject,
            body: t.body,
            lock_version: t.lock_version.to_string(),
            language: t.language,
            ..Default::default()
        },
        errors,
        Some(StatusCode::OK),
    )
    .await
}

/// POST /email-templates/{id}
pub async fn update_template(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<TemplateForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::EmailTemplatesManage)?;
    let id = crate::web::parse_id(&path)?;
    let errors = form.check();
    if !errors.is_empty() || form.preview.is_some() {
        return form_page(&ctx, Some(id), form, errors).await;
    }
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let values = form.clone();
    let seen: Option<i32> = form.lock_version.trim().parse().ok();
    let saved = db::run(ctx.pool(), move |conn| {
        let Some(before) = queries::find(conn, id).optional()? else {
            // Deleted meanwhile, or an address that never named one.
            if !audit::queries::recorded(conn, EventKind::EmailTemplateDeleted, "email_template", &id.to_string())? {
                return Err(AppError::NotFound);
            }
            return Ok(Err(SaveRefused::Deleted));
        };
        // As checked: spaces collapsed and accents composed, so two names
        // that read the same are one name.
        let name = parse_name(&values.name).unwrap_or_default();
        if queries::name_taken(conn, &name, Some(id))? {
            return Ok(Err(SaveRefused::NameTaken));
        }
        let Some(seen) = seen else {
            return Ok(Err(SaveRefused::Unreadable));
        };
        let content = values.content(&name, Some(&before.language));
        if queries::update(conn, (id, seen), &content, by, now)? == 0 {
            // Oneself in another tab is told so, not by one's own name.
            let who = match queries::saved_by(conn, id)? {
                Some((member, _)) if member == by => "You (in another tab, perhaps)".to_string(),
                Some((_, name)) => name,
                None => "Someone else".to_string(),
            };
            return Ok(Err(match queries::find(conn, id).optional()? {
                Some(saved) => SaveRefused::SavedMeanwhile(who, saved.lock_version),
                None => SaveRefused::Deleted,
            }));
        }
        audit::record(
            conn,
            now,
            &actor,
            EventKind::EmailTemplateUpdated,
            Some(("email_template", id.to_string())),
            changes(&before, &content),
        )?;
        Ok(Ok(()))
    })
    .await?;
    let refused = match saved {
        Ok(()) => {
            ctx.flash(FlashKind::Success, "Email template saved.");
            return Ok(redirect("/email-templates"));
        }
        Err(refused) => refused,
    };
    let mut errors = FormErrors::new();
    let mut form = form;
    let mut editing = Some(id);
    match refused {
        SaveRefused::NameTaken => errors.add("name", "Another template already has this name."),
        SaveRefused::Unreadable => errors.add("form", "The form could not be read: reload the page and try again."),
        SaveRefused::SavedMeanwhile(who, version) => {
            // The form now carries the version saved meanwhile (read after
            // the refused save): saving again is a choice to replace it.
            form.lock_version = version.to_string();
            errors.add(
                "conflict",
                format!(
                    "{who} saved this template meanwhile, so these changes were not saved. Your text is kept \
                     below: save again to replace that version, or open the template afresh to see it."
                ),
            );
        }
        SaveRefused::Deleted => {
            // The text is kept, on a form that saves it as a new template.
            editing = None;
            errors.add(
                "conflict",
                "This template was deleted meanwhile. Your text is kept below: save it as a new template.",
            );
        }
    }
    form_page(&ctx, editing, form, errors).await
}

/// Why a template's edit was not saved.
enum SaveRefused {
    NameTaken,
    /// The form's version is not a number.
    Unreadable,
    /// Someone (by name) saved the template meanwhile, now at this version.
    SavedMeanwhile(String, i32),
    Deleted,
}

/// What an edit changed, for the audit log: the template decides what
/// applicants are sent, so its trail says what it said before.
fn changes(before: &queries::EmailTemplate, after: &queries::Content<'_>) -> serde_json::Value {
    let queries::Content {
        name,
        subject,
        body,
        language,
    } = *after;
    let mut changed = serde_json::Map::new();
    changed.insert("name".into(), json!(name));
    if before.name != name {
        changed.insert("renamed from".into(), json!(before.name));
    }
    if before.subject != subject {
        changed.insert(
            "subject".into(),
            json!(format!("{} \u{2192} {subject}", before.subject)),
        );
    }
    if before.body != body {
        changed.insert("body before".into(), json!(before.body));
    }
    if before.language != language {
        changed.insert(
            "language".into(),
            json!(format!(
                "{} \u{2192} {}",
                language_name(&before.language),
                language_name(language)
            )),
        );
    }
    serde_json::Value::Object(changed)
}

/// POST /email-templates/{id}/delete
pub async fn delete_template(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::EmailTemplatesManage)?;
    let id = crate::web::parse_id(&path)?;
    let (now, actor) = (ctx.now(), ctx.actor());
    let name = db::run(ctx.pool(), move |conn| {
        let t = match queries::find(conn, id) {
            Ok(t) => t,
            // The same click posted twice finds only the audit record.
            Err(diesel::result::Error::NotFound)
                if audit::queries::recorded(
                    conn,
                    EventKind::EmailTemplateDeleted,
                    "email_template",
                    &id.to_string(),
                )? =>
            {
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        queries::delete(conn, id)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::EmailTemplateDeleted,
            Some(("email_template", id.to_string())),
            // What it said, as an edit keeps what it said before.
            json!({ "name": t.name, "subject": t.subject, "body": t.body }),
        )?;
        Ok(Some(t.name))
    })
    .await?;
    match name {
        Some(name) => ctx.flash(FlashKind::Success, format!("Email template “{name}” deleted.")),
        None => ctx.flash(FlashKind::Info, "This email template was already deleted."),
    }
    Ok(redirect("/email-templates"))
}
