//! The draft: the editor page, its settings, steps and logo, and turning
//! the draft into the live version (publish) or throwing it away.

use super::*;
use crate::flows::pages::locked_note;

pub(super) fn questionnaire_names(conn: &mut PgConnection) -> Result<BTreeMap<Uuid, String>, AppError> {
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
pub(super) async fn editor_page_named(
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
    let note = locked_note(ctx.can(Permission::FlowsEdit), summary.flow.archived_at.is_some());
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
            audiences: Audience::ALL.iter().map(|a| (a.key(), a.label())).collect(),
            logo: def.settings.logo.clone(),
            errors,
            can_edit: note.is_empty(),
            locked_note: note,
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
    // A form from before the audience was a setting (a tab left open, a
    // script) sends none: the draft keeps its own rather than becoming
    // open to every type.
    let keep_audience = form.audience.trim().is_empty();
    let outcome = edit_draft(&ctx, id, move |def, _| {
        // The logo has its own form; keep it.
        let logo = def.settings.logo.take();
        let audience = def.settings.audience;
        def.settings = settings;
        def.settings.logo = logo;
        if keep_audience {
            def.settings.audience = audience;
        }
        // Who the flow is for decides who may be put on it: said, and
        // so recorded in the audit log, when it changes.
        Ok(Ok(if def.settings.audience == audience {
            "Flow settings saved in the draft.".to_string()
        } else {
            format!(
                "Flow settings saved in the draft: now for {}, no longer {}.",
                def.settings.audience.label(),
                audience.label()
            )
        }))
    })
    .await?;
    ctx.flash_outcome(outcome);
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
    ctx.flash_outcome(outcome);
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
            locked_note(ctx.can(Permission::FlowsEdit), summary.flow.archived_at.is_some()),
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
    ctx.flash_outcome(outcome);
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
    ctx.flash_outcome(outcome);
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
    ctx.flash_outcome(outcome);
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
        let Ok(number) = result else {
            return Ok(result.map(|n| (n, String::new())));
        };
        audit::record(
            conn,
            now,
            &actor,
            EventKind::FlowPublished,
            Some(("flow", id.to_string())),
            json!({ "version": number }),
        )?;
        // Applicants on the flow whose type it is no longer for: a new
        // session for them needs another flow, which the officer should hear now.
        let audience = crate::verifications::queries::usable_flow(conn, id)?
            .map_or(Audience::Anyone, |f| f.definition.settings.audience);
        let others = queries::applicants_not_admitted(conn, id, audience)?;
        let note = match (others, audience) {
            (0, _) | (_, Audience::Anyone) => String::new(),
            (n, audience) => format!(
                " {n} applicant{} on this flow {} not of the type it is now for ({}): a new session for them needs another flow.",
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" },
                audience.label()
            ),
        };
        Ok(Ok((number, note)))
    })
    .await?;
    ctx.flash_outcome(
        outcome
            .map(|(number, note)| {
                format!(
                    "Version {number} is live. Verifications already running keep the version they started with.{note}"
                )
            })
            .map_err(|problems| format!("Not published. {}", problems.join(" "))),
    );
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
    ctx.flash_outcome(outcome.map(|n| format!("Draft version {n} discarded; the live version is unchanged.")));
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
    ctx.flash_outcome(outcome);
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
    ctx.flash_outcome(outcome);
    Ok(redirect(&format!("/flows/{id}")))
}
