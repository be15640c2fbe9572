//! Flow handlers: list, create, edit the draft, publish, versions, preview,
//! export and import.

use super::definition::{FlowDefinition, Step, StepConfig, StepKind};
use super::forms::{AddStepForm, FLOW_KINDS, ImportForm, NewFlowForm, SettingsForm, StepForm};
use super::pages::{
    EditorPage, FlowRow, FlowsPage, ImportPage, PreviewPage, PreviewStep, StepPage, StepRow, VersionRow, VersionsPage,
    kinds, step_summary,
};
use super::{queries, transfer};
use crate::audit::{self, EventKind};
use crate::auth::permissions::Permission;
use crate::db;
use crate::error::AppError;
use crate::questionnaires::forms::{MoveForm, NameForm, parse_name};
use crate::questionnaires::queries as questionnaires;
use crate::web::{CsrfForm, Ctx, FlashKind, FormErrors, Nav, redirect, render_status};
use crate::web::{EmptyForm, parse_id};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use diesel::PgConnection;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

fn kind_label(kind: &str) -> String {
    FLOW_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind.to_string(), |(_, l)| l.to_string())
}

/// Query of the list page.
#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    archived: Option<String>,
}

async fn list_page(
    ctx: &Ctx,
    search: String,
    archived: bool,
    form: NewFlowForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let term = search.clone();
    let (rows, counts) = db::read(ctx.pool(), move |conn| {
        Ok((
            queries::list(conn, term.trim(), archived)?,
            queries::applicant_counts(conn)?,
        ))
    })
    .await?;
    let rows = rows
        .into_iter()
        .map(|s| FlowRow {
            id: s.flow.id.to_string(),
            name: s.flow.name.clone(),
            kind: kind_label(&s.flow.kind),
            state: s.state(),
            live_version: s
                .live
                .as_ref()
                .map(|v| format!("v{}", v.number))
                .unwrap_or_else(|| "—".into()),
            has_draft: s.draft.is_some(),
            steps: s.current().and_then(|v| v.parsed().ok()).map_or(0, |d| d.steps.len()),
            updated: ctx.member.format_time(s.flow.updated_at),
            updated_by: s.updated_by.clone().unwrap_or_default(),
            applicants: counts.iter().find(|(f, _)| *f == s.flow.id).map_or(0, |(_, n)| *n),
        })
        .collect();
    render_status(
        status,
        &FlowsPage {
            chrome: ctx.chrome("Flows", Nav::Flows),
            rows,
            search,
            archived,
            can_edit: ctx.can(Permission::FlowsEdit),
            kinds: kinds(),
            name: form.name,
            kind: form.kind,
            errors,
        },
    )
}

/// GET /flows
pub async fn list_flows(ctx: Ctx, query: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsView)?;
    let q = query.into_inner();
    list_page(
        &ctx,
        q.q,
        q.archived.is_some(),
        NewFlowForm::default(),
        FormErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// Flows are told apart by name (the session form, the list's filters).
const NAME_TAKEN: &str = "Another flow already has this name; flows are told apart by name.";

/// POST /flows
pub async fn create_flow(ctx: Ctx, CsrfForm(form): CsrfForm<NewFlowForm>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let refused = |form, errors| {
        list_page(
            &ctx,
            String::new(),
            false,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let mut errors = FormErrors::new();
    let name = errors.check("name", parse_name(&form.name));
    if !FLOW_KINDS.iter().any(|(k, _)| *k == form.kind) {
        errors.add("kind", "Choose regular or on-demand.");
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return refused(form, errors).await;
    };
    let (now, actor, by, kind) = (ctx.now(), ctx.actor(), ctx.member.id.0, form.kind.clone());
    let id = db::run(ctx.pool(), move |conn| {
        if queries::name_taken(conn, &name, None)? {
            return Ok(None);
        }
        let id = queries::create(conn, &name, &kind, &FlowDefinition::default(), by, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::FlowCreated,
            Some(("flow", id.to_string())),
            json!({ "name": name, "kind": kind }),
        )?;
        Ok(Some(id))
    })
    .await?;
    let Some(id) = id else {
        let mut errors = FormErrors::new();
        errors.add("name", NAME_TAKEN);
        return refused(form, errors).await;
    };
    ctx.flash(
        FlashKind::Success,
        "Flow created as a draft. Add its steps, then publish it.",
    );
    Ok(redirect(&format!("/flows/{id}")))
}

fn questionnaire_names(conn: &mut PgConnection) -> Result<BTreeMap<Uuid, String>, AppError> {
    Ok(questionnaires::choices(conn)?.into_iter().collect())
}

async fn editor_page(
    ctx: &Ctx,
    id: Uuid,
    settings: Option<SettingsForm>,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    editor_page_named(ctx, id, settings, errors, None).await
}

/// The editor, with the name field showing `typed_name` when a rename failed.
async fn editor_page_named(
    ctx: &Ctx,
    id: Uuid,
    settings: Option<SettingsForm>,
    errors: FormErrors,
    typed_name: Option<String>,
) -> Result<HttpResponse, AppError> {
    let (summary, names) = db::run(ctx.pool(), move |conn| {
        Ok((queries::find(conn, id)?, questionnaire_names(conn)?))
    })
    .await?;
    let version = summary.current().ok_or(AppError::NotFound)?;
    let def = version.parsed()?;
    let name_of = |q: Uuid| names.get(&q).cloned().unwrap_or_else(|| "deleted questionnaire".into());
    let steps = def
        .steps
        .iter()
        .map(|s| StepRow {
            id: s.id.to_string(),
            label: s.config.kind().label(),
            summary: step_summary(s, &name_of),
        })
        .collect();
    let problems = if summary.draft.is_some() {
        def.publish_problems(&|q| names.contains_key(&q))
    } else {
        Vec::new()
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &EditorPage {
            chrome: ctx.chrome(summary.flow.name.clone(), Nav::Flows),
            id: id.to_string(),
            name: typed_name.unwrap_or_else(|| summary.flow.name.clone()),
            kind_label: kind_label(&summary.flow.kind),
            state: summary.state(),
            live_version: summary.live.as_ref().map(|v| v.number),
            draft_version: summary.draft.as_ref().map(|v| v.number),
            steps,
            problems,
            addable: StepKind::ALL
                .iter()
                .filter(|k| def.can_add(**k))
                .map(|k| (k.key(), k.label()))
                .collect(),
            questionnaires: names.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(),
            settings: settings.unwrap_or_else(|| SettingsForm::from_settings(&def.settings)),
            logo: def.settings.logo.clone(),
            errors,
            can_edit: ctx.can(Permission::FlowsEdit) && summary.flow.archived_at.is_none(),
            can_publish: ctx.can(Permission::FlowsPublish) && summary.flow.archived_at.is_none(),
            can_unarchive: ctx.can(Permission::FlowsEdit) && summary.flow.archived_at.is_some(),
            updated: format!(
                "{}{}",
                ctx.member.format_time(summary.flow.updated_at),
                summary
                    .updated_by
                    .as_ref()
                    .map(|n| format!(" by {n}"))
                    .unwrap_or_default()
            ),
        },
    )
}

/// GET /flows/{id}
pub async fn flow_editor(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsView)?;
    editor_page(&ctx, parse_id(&path)?, None, FormErrors::new()).await
}

/// Applies `change` to the flow's draft (creating it from the live version
/// if needed) and records what changed. The change returns a refusal or a
/// description.
async fn edit_draft<F>(ctx: &Ctx, id: Uuid, change: F) -> Result<Result<String, String>, AppError>
where
    F: FnOnce(&mut FlowDefinition, &mut PgConnection) -> Result<Result<String, String>, AppError> + Send + 'static,
{
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    db::run(ctx.pool(), move |conn| {
        let flow = queries::lock(conn, id)?;
        if flow.archived_at.is_some() {
            return Ok(Err("This flow is archived; unarchive it to edit it.".into()));
        }
        let draft = queries::working_draft(conn, id, by, now)?;
        let mut def = draft.parsed()?;
        let what = match change(&mut def, conn)? {
            Ok(what) => what,
            Err(refusal) => return Ok(Err(refusal)),
        };
        queries::save_draft(conn, draft.id, &def, now)?;
        queries::touch(conn, id, by, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::FlowEdited,
            Some(("flow", id.to_string())),
            json!({ "change": what, "draft_version": draft.number }),
        )?;
        Ok(Ok(what))
    })
    .await
}

fn flash_outcome(ctx: &Ctx, outcome: Result<String, String>) {
    match outcome {
        Ok(message) => ctx.flash(FlashKind::Success, message),
        Err(message) => ctx.flash(FlashKind::Error, message),
    }
}

/// POST /flows/{id}/settings
pub async fn save_settings(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let id = parse_id(&path)?;
    let settings = match form.parse() {
        Ok(settings) => settings,
        Err(errors) => return editor_page(&ctx, id, Some(form), errors).await,
    };
    let outcome = edit_draft(&ctx, id, move |def, _| {
        // The logo has its own form; keep it.
        let logo = def.settings.logo.take();
        def.settings = settings;
        def.settings.logo = logo;
        Ok(Ok("Flow settings saved in the draft.".to_string()))
    })
    .await?;
    flash_outcome(&ctx, outcome);
    Ok(redirect(&format!("/flows/{id}")))
}

/// POST /flows/{id}/steps
pub async fn add_step(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<AddStepForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let id = parse_id(&path)?;
    let Some(kind) = StepKind::from_key(&form.kind) else {
        let mut errors = FormErrors::new();
        errors.add("kind", "Choose a step from the catalogue.");
        return editor_page(&ctx, id, None, errors).await;
    };
    let questionnaire: Option<Uuid> = form.questionnaire_id.parse().ok();
    if kind == StepKind::Questionnaire && questionnaire.is_none() {
        let mut errors = FormErrors::new();
        errors.add(
            "questionnaire_id",
            "Choose the questionnaire for this step (create one under Questionnaires first).",
        );
        return editor_page(&ctx, id, None, errors).await;
    }
    let outcome = edit_draft(&ctx, id, move |def, conn| {
        if !def.can_add(kind) {
            return Ok(Err(format!(
                "This flow already has its {} step; a flow can have only one.",
                kind.label()
            )));
        }
        if let Some(q) = questionnaire
            && kind == StepKind::Questionnaire
            && !questionnaires::exists(conn, q)?
        {
            return Ok(Err("That questionnaire no longer exists.".into()));
        }
        let Some(config) = kind.default_config(questionnaire) else {
            return Ok(Err("Choose the questionnaire for this step.".into()));
        };
        let at = def.insertion_index(kind);
        def.steps.insert(
            at,
            Step {
                id: Uuid::new_v4(),
                config,
            },
        );
        Ok(Ok(format!("{} step added.", kind.label())))
    })
    .await?;
    flash_outcome(&ctx, outcome);
    Ok(redirect(&format!("/flows/{id}")))
}

async fn step_page(
    ctx: &Ctx,
    id: Uuid,
    step: Uuid,
    form: Option<StepForm>,
    errors: FormErrors,
    problems: Vec<String>,
) -> Result<HttpResponse, AppError> {
    let (summary, names) = db::run(ctx.pool(), move |conn| {
        Ok((queries::find(conn, id)?, questionnaire_names(conn)?))
    })
    .await?;
    let def = summary.current().ok_or(AppError::NotFound)?.parsed()?;
    let found = def.steps.iter().find(|s| s.id == step).ok_or(AppError::NotFound)?;
    let kind = found.config.kind();
    let status = if errors.is_empty() && problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &StepPage::new(
            ctx.chrome(format!("{} · {}", summary.flow.name, kind.label()), Nav::Flows),
            id.to_string(),
            summary.flow.name.clone(),
            step.to_string(),
            kind,
            form.unwrap_or_else(|| StepForm::from_config(&found.config)),
            errors,
            problems,
            names.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(),
            ctx.can(Permission::FlowsEdit) && summary.flow.archived_at.is_none(),
        ),
    )
}

/// GET /flows/{id}/steps/{step}
pub async fn step_form(ctx: Ctx, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsView)?;
    let (id, step) = path.into_inner();
    step_page(
        &ctx,
        parse_id(&id)?,
        parse_id(&step)?,
        None,
        FormErrors::new(),
        Vec::new(),
    )
    .await
}

/// POST /flows/{id}/steps/{step}
pub async fn save_step(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let (id, step) = path.into_inner();
    let (id, step) = (parse_id(&id)?, parse_id(&step)?);
    let current = db::run(ctx.pool(), move |conn| Ok(queries::find(conn, id)?)).await?;
    let def = current.current().ok_or(AppError::NotFound)?.parsed()?;
    let kind = def
        .steps
        .iter()
        .find(|s| s.id == step)
        .ok_or(AppError::NotFound)?
        .config
        .kind();
    let config = match form.to_config(kind) {
        Ok(config) => config,
        Err(errors) => return step_page(&ctx, id, step, Some(form), errors, Vec::new()).await,
    };
    let problems = config.problems();
    if !problems.is_empty() {
        return step_page(&ctx, id, step, Some(form), FormErrors::new(), problems).await;
    }
    let outcome = edit_draft(&ctx, id, move |def, conn| {
        if let StepConfig::Questionnaire { questionnaire_id, .. } = &config
            && !questionnaires::exists(conn, *questionnaire_id)?
        {
            return Ok(Err("That questionnaire no longer exists.".into()));
        }
        let Some(target) = def.steps.iter_mut().find(|s| s.id == step) else {
            return Ok(Err("That step was removed meanwhile.".into()));
        };
        target.config = config;
        Ok(Ok(format!("{} settings saved in the draft.", kind.label())))
    })
    .await?;
    flash_outcome(&ctx, outcome);
    Ok(redirect(&format!("/flows/{id}")))
}

/// POST /flows/{id}/steps/{step}/move
pub async fn move_step(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let (id, step) = path.into_inner();
    let (id, step) = (parse_id(&id)?, parse_id(&step)?);
    let up = form.direction == "up";
    let outcome = edit_draft(&ctx, id, move |def, _| {
        let Some(index) = def.steps.iter().position(|s| s.id == step) else {
            return Ok(Err("That step was removed meanwhile.".into()));
        };
        let target = if up {
            index.checked_sub(1)
        } else {
            Some(index + 1).filter(|i| *i < def.steps.len())
        };
        let Some(target) = target else {
            return Ok(Err("It is already at the edge.".into()));
        };
        def.steps.swap(index, target);
        let moved = def.steps[target].config.kind();
        let other = def.steps[index].config.kind();
        if [moved, other].contains(&StepKind::Intro) && def.steps[0].config.kind() != StepKind::Intro {
            return Ok(Err("The Intro step can only be the first step.".into()));
        }
        if [moved, other].contains(&StepKind::FinalScreen)
            && def.steps.last().map(|s| s.config.kind()) != Some(StepKind::FinalScreen)
        {
            return Ok(Err("The Final screen can only be the last step.".into()));
        }
        Ok(Ok(format!(
            "{} moved {}.",
            moved.label(),
            if up { "up" } else { "down" }
        )))
    })
    .await?;
    flash_outcome(&ctx, outcome);
    Ok(redirect(&format!("/flows/{id}")))
}

/// POST /flows/{id}/steps/{step}/delete
pub async fn remove_step(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let (id, step) = path.into_inner();
    let (id, step) = (parse_id(&id)?, parse_id(&step)?);
    let outcome = edit_draft(&ctx, id, move |def, _| {
        let Some(index) = def.steps.iter().position(|s| s.id == step) else {
            return Ok(Err("That step was removed meanwhile.".into()));
        };
        let removed = def.steps.remove(index);
        Ok(Ok(format!("{} step removed.", removed.config.kind().label())))
    })
    .await?;
    flash_outcome(&ctx, outcome);
    Ok(redirect(&format!("/flows/{id}")))
}

/// POST /flows/{id}/publish
pub async fn publish_flow(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsPublish)?;
    let id = parse_id(&path)?;
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let outcome = db::run(ctx.pool(), move |conn| {
        let result = queries::publish(conn, id, by, now)?;
        if let Ok(number) = result {
            audit::record(
                conn,
                now,
                &actor,
                EventKind::FlowPublished,
                Some(("flow", id.to_string())),
                json!({ "version": number }),
            )?;
        }
        Ok(result)
    })
    .await?;
    match outcome {
        Ok(number) => ctx.flash(
            FlashKind::Success,
            format!("Version {number} is live. Verifications already running keep the version they started with."),
        ),
        Err(problems) => ctx.flash(FlashKind::Error, format!("Not published. {}", problems.join(" "))),
    }
    Ok(redirect(&format!("/flows/{id}")))
}

/// POST /flows/{id}/discard
pub async fn discard_draft(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let id = parse_id(&path)?;
    let (now, actor) = (ctx.now(), ctx.actor());
    let outcome = db::run(ctx.pool(), move |conn| {
        let result = queries::discard_draft(conn, id)?;
        if let Ok(number) = result {
            audit::record(
                conn,
                now,
                &actor,
                EventKind::FlowDraftDiscarded,
                Some(("flow", id.to_string())),
                json!({ "version": number }),
            )?;
        }
        Ok(result)
    })
    .await?;
    flash_outcome(
        &ctx,
        outcome.map(|n| format!("Draft version {n} discarded; the live version is unchanged.")),
    );
    Ok(redirect(&format!("/flows/{id}")))
}

/// POST /flows/{id}/rename
pub async fn rename_flow(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let id = parse_id(&path)?;
    let name = match parse_name(&form.name) {
        Ok(name) => name,
        Err(message) => {
            let mut errors = FormErrors::new();
            errors.add("name", message);
            return editor_page_named(&ctx, id, None, errors, Some(form.name)).await;
        }
    };
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let renamed = db::run(ctx.pool(), move |conn| {
        let before = queries::lock(conn, id)?.name;
        if queries::name_taken(conn, &name, Some(id))? {
            return Ok(false);
        }
        queries::rename(conn, id, &name, by, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::FlowRenamed,
            Some(("flow", id.to_string())),
            json!({ "name": format!("{before} → {name}") }),
        )?;
        Ok(true)
    })
    .await?;
    if !renamed {
        let mut errors = FormErrors::new();
        errors.add("name", NAME_TAKEN);
        return editor_page_named(&ctx, id, None, errors, Some(form.name)).await;
    }
    ctx.flash(FlashKind::Success, "Flow renamed.");
    Ok(redirect(&format!("/flows/{id}")))
}

/// POST /flows/{id}/duplicate
pub async fn duplicate_flow(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let id = parse_id(&path)?;
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let copy = db::run(ctx.pool(), move |conn| {
        let original = queries::find(conn, id)?;
        let mut def = original.current().ok_or(AppError::NotFound)?.parsed()?;
        for step in &mut def.steps {
            if let StepConfig::Questionnaire {
                questionnaire_version_id,
                ..
            } = &mut step.config
            {
                *questionnaire_version_id = None;
            }
        }
        let name = crate::questionnaires::forms::free_name(
            &crate::questionnaires::forms::copy_name(&original.flow.name),
            |n| queries::name_taken(conn, n, None),
        )?;
        let copy = queries::create(conn, &name, &original.flow.kind, &def, by, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::FlowDuplicated,
            Some(("flow", copy.to_string())),
            json!({ "from": original.flow.name, "name": name }),
        )?;
        Ok(copy)
    })
    .await?;
    ctx.flash(FlashKind::Success, "Flow duplicated as a new draft.");
    Ok(redirect(&format!("/flows/{copy}")))
}

async fn set_archived(ctx: Ctx, path: web::Path<String>, archive: bool) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let id = parse_id(&path)?;
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    db::run(ctx.pool(), move |conn| {
        let flow = queries::lock(conn, id)?;
        queries::set_archived(conn, id, archive.then_some(now), by, now)?;
        let kind = if archive {
            EventKind::FlowArchived
        } else {
            EventKind::FlowUnarchived
        };
        audit::record(
            conn,
            now,
            &actor,
            kind,
            Some(("flow", id.to_string())),
            json!({ "name": flow.name }),
        )?;
        Ok(())
    })
    .await?;
    ctx.flash(
        FlashKind::Success,
        if archive {
            "Flow archived: it can no longer be chosen for new verifications; running ones continue."
        } else {
            "Flow unarchived."
        },
    );
    Ok(redirect(&format!("/flows/{id}")))
}

/// POST /flows/{id}/archive
pub async fn archive_flow(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    set_archived(ctx, path, true).await
}

/// POST /flows/{id}/unarchive
pub async fn unarchive_flow(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    set_archived(ctx, path, false).await
}

/// GET /flows/{id}/versions
pub async fn flow_versions(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsView)?;
    let id = parse_id(&path)?;
    let (summary, rows) = db::run(ctx.pool(), move |conn| {
        Ok((queries::find(conn, id)?, queries::versions(conn, id)?))
    })
    .await?;
    let live = summary.live.as_ref().map(|v| v.number);
    let versions = rows
        .into_iter()
        .map(|(v, created_by, published_by)| VersionRow {
            number: v.number,
            status: if v.published_at.is_none() {
                "draft"
            } else if Some(v.number) == live {
                "live"
            } else {
                "superseded"
            },
            created: ctx.member.format_time(v.created_at),
            created_by: created_by.unwrap_or_default(),
            published: v.published_at.map(|t| ctx.member.format_time(t)).unwrap_or_default(),
            published_by: published_by.unwrap_or_default(),
            steps: v.parsed().map_or(0, |d| d.steps.len()),
        })
        .collect();
    render_status(
        StatusCode::OK,
        &VersionsPage {
            chrome: ctx.chrome(format!("{} · versions", summary.flow.name), Nav::Flows),
            id: id.to_string(),
            name: summary.flow.name,
            versions,
        },
    )
}

/// Query of the preview page.
#[derive(Deserialize)]
pub struct PreviewQuery {
    #[serde(default)]
    version: Option<String>,
}

/// GET /flows/{id}/preview
pub async fn preview_flow(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<PreviewQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsView)?;
    let id = parse_id(&path)?;
    let wanted: Option<i32> = query.version.as_deref().and_then(|v| v.parse().ok());
    let (summary, version, names, question_labels) = db::read(ctx.pool(), move |conn| {
        let summary = queries::find(conn, id)?;
        let versions = queries::versions(conn, id)?;
        let names = questionnaire_names(conn)?;
        let chosen = match wanted {
            Some(n) => versions
                .iter()
                .find(|(v, _, _)| v.number == n)
                .map(|(v, _, _)| v.clone()),
            None => summary.current().cloned(),
        }
        .ok_or(AppError::NotFound)?;
        let mut labels: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
        for step in chosen.parsed()?.steps {
            if let StepConfig::Questionnaire {
                questionnaire_id,
                questionnaire_version_id,
            } = step.config
            {
                let def = match questionnaire_version_id {
                    Some(v) => questionnaires::version(conn, v)?.parsed(),
                    None => match questionnaires::find(conn, questionnaire_id) {
                        Ok(q) => q.version.parsed(),
                        Err(_) => Default::default(),
                    },
                };
                labels.insert(
                    questionnaire_id,
                    def.questions.iter().map(|q| q.label.clone()).collect(),
                );
            }
        }
        Ok((summary, chosen, names, labels))
    })
    .await?;
    let def = version.parsed()?;
    let steps = def
        .steps
        .iter()
        .map(|s| {
            let kind = s.config.kind();
            let mut texts = Vec::new();
            let mut questions = Vec::new();
            match &s.config {
                StepConfig::Intro {
                    welcome_text,
                    privacy_policy_url,
                    terms_url,
                } => {
                    texts.push(("Welcome".to_string(), welcome_text.clone()));
                    if let Some(u) = privacy_policy_url {
                        texts.push(("Consent".into(), format!("I have read the privacy policy ({u})")));
                    }
                    if let Some(u) = terms_url {
                        texts.push(("Consent".into(), format!("I accept the terms ({u})")));
                    }
                }
                StepConfig::SelfieWithDocument { instructions, .. } => {
                    texts.push(("Instructions".into(), instructions.clone()))
                }
                StepConfig::FinalScreen { thank_you_text, .. } => {
                    texts.push(("Thank you".into(), thank_you_text.clone()))
                }
                StepConfig::Questionnaire { questionnaire_id, .. } => {
                    texts.push((
                        "Questionnaire".into(),
                        names.get(questionnaire_id).cloned().unwrap_or_else(|| "deleted".into()),
                    ));
                    questions = question_labels.get(questionnaire_id).cloned().unwrap_or_default();
                }
                other => texts.push((
                    "Settings".into(),
                    step_summary(
                        &Step {
                            id: s.id,
                            config: other.clone(),
                        },
                        &|q| names.get(&q).cloned().unwrap_or_default(),
                    ),
                )),
            }
            PreviewStep {
                label: kind.label(),
                what: kind.applicant_summary(),
                texts,
                questions,
            }
        })
        .collect();
    let settings = vec![
        (
            "Link expiry".to_string(),
            format!("{} hours", def.settings.link_expiry_hours),
        ),
        (
            "Session time".to_string(),
            format!("{} minutes", def.settings.session_minutes),
        ),
        ("Max attempts".to_string(), def.settings.max_attempts.to_string()),
        (
            "Auto-approve".to_string(),
            if def.settings.auto_approve {
                "on".into()
            } else {
                "off".into()
            },
        ),
        (
            "Redirect after the final screen".to_string(),
            def.settings.redirect_url.clone().unwrap_or_else(|| "none".into()),
        ),
    ];
    render_status(
        StatusCode::OK,
        &PreviewPage {
            chrome: ctx.chrome(format!("Preview · {}", summary.flow.name), Nav::Flows),
            id: id.to_string(),
            name: summary.flow.name.clone(),
            version: version.number,
            status: if version.published_at.is_some() {
                "published"
            } else {
                "draft"
            },
            intro_text: def.settings.intro_text.clone(),
            steps,
            settings,
        },
    )
}

/// GET /flows/{id}/export
pub async fn export_flow(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsView)?;
    let id = parse_id(&path)?;
    let export = db::run(ctx.pool(), move |conn| transfer::export(conn, id)).await?;
    let body = serde_json::to_string_pretty(&export).map_err(AppError::internal)?;
    let slug: String = export
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"flow-{}.json\"", slug.trim_matches('-')),
        ))
        .body(body + "\n"))
}

/// GET /flows/import
pub async fn import_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    render_status(
        StatusCode::OK,
        &ImportPage {
            chrome: ctx.chrome("Import a flow", Nav::Flows),
            json: String::new(),
            problems: Vec::new(),
        },
    )
}

/// POST /flows/import
pub async fn import_flow(ctx: Ctx, CsrfForm(form): CsrfForm<ImportForm>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let export = match transfer::parse(&form.json) {
        Ok(export) => export,
        Err(problems) => {
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ImportPage {
                    chrome: ctx.chrome("Import a flow", Nav::Flows),
                    json: form.json,
                    problems,
                },
            );
        }
    };
    let problems = transfer::problems(&export);
    if !problems.is_empty() {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportPage {
                chrome: ctx.chrome("Import a flow", Nav::Flows),
                json: form.json,
                problems,
            },
        );
    }
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let id = db::run(ctx.pool(), move |conn| {
        let (id, created) = transfer::import(conn, &export, by, now)?;
        for (questionnaire, name) in created {
            audit::record(
                conn,
                now,
                &actor,
                EventKind::QuestionnaireCreated,
                Some(("questionnaire", questionnaire.to_string())),
                json!({ "name": name, "imported_with_flow": id.to_string() }),
            )?;
        }
        audit::record(
            conn,
            now,
            &actor,
            EventKind::FlowImported,
            Some(("flow", id.to_string())),
            json!({ "name": export.name, "steps": export.definition.steps.len(), "questionnaires": export.questionnaires.len() }),
        )?;
        Ok(id)
    })
    .await?;
    ctx.flash(FlashKind::Success, "Flow imported as a draft. Review it, then publish.");
    Ok(redirect(&format!("/flows/{id}")))
}

/// POST /flows/{id}/logo (multipart)
pub async fn upload_logo(
    ctx: Ctx,
    path: web::Path<String>,
    payload: actix_multipart::Multipart,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let id = parse_id(&path)?;
    let max = crate::settings::forms::MAX_LOGO_BYTES;
    let (token, file) = match crate::web::upload::read_upload(payload, "logo", max).await {
        Ok(parts) => parts,
        Err(message) => return logo_refused(&ctx, id, message).await,
    };
    if !crate::web::csrf::verify(&ctx.visitor.session, &token) {
        return Err(AppError::Csrf);
    }
    let content_type = match crate::settings::forms::logo_content_type(&file) {
        Ok(ct) => ct,
        Err(message) => return logo_refused(&ctx, id, message).await,
    };
    let now = ctx.now();
    let outcome = edit_draft(&ctx, id, move |def, conn| {
        let name = crate::assets::store(conn, &file, content_type, now)?;
        def.settings.logo = Some(name);
        Ok(Ok("Logo saved in the draft.".to_string()))
    })
    .await?;
    flash_outcome(&ctx, outcome);
    Ok(redirect(&format!("/flows/{id}")))
}

/// The editor again, the logo field saying why the upload was refused.
async fn logo_refused(ctx: &Ctx, id: Uuid, message: impl Into<String>) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::new();
    errors.add("logo", message);
    editor_page(ctx, id, None, errors).await
}

/// POST /flows/{id}/logo/delete
pub async fn remove_logo(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let id = parse_id(&path)?;
    let outcome = edit_draft(&ctx, id, move |def, _| {
        def.settings.logo = None;
        Ok(Ok("The flow uses the company logo again (in the draft).".to_string()))
    })
    .await?;
    flash_outcome(&ctx, outcome);
    Ok(redirect(&format!("/flows/{id}")))
}
