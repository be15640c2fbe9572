//! Questionnaire handlers: list, create, edit questions, duplicate, delete, preview.

use super::definition::{Answer, Answers, Question, QuestionKind, QuestionnaireDefinition};
use super::forms::{AddQuestionForm, MoveForm, NameForm, QuestionForm, key_from_label, parse_name};
use super::pages::{EditorPage, ListPage, ListRow, PreviewPage, QuestionPage, QuestionRow, field_views};
use super::queries;
use crate::audit::{self, EventKind};
use crate::auth::permissions::Permission;
use crate::db;
use crate::error::AppError;
use crate::web::{CsrfForm, Ctx, FlashKind, FormErrors, Nav, redirect, render_status};
use crate::web::{EmptyForm, parse_id};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Query of the list page.
#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn list_page(
    ctx: &Ctx,
    search: String,
    name: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let term = search.clone();
    let rows = db::run(ctx.pool(), move |conn| Ok(queries::list(conn, term.trim())?)).await?;
    let rows = rows
        .into_iter()
        .map(|s| ListRow {
            id: s.id.to_string(),
            questions: s
                .version
                .parsed()
                .questions
                .iter()
                .filter(|q| !q.kind.is_section())
                .count(),
            version: s.version.number,
            frozen: s.version.frozen_at.is_some(),
            updated: ctx.member.format_time(s.updated_at),
            updated_by: s.updated_by.unwrap_or_default(),
            name: s.name,
        })
        .collect();
    render_status(
        status,
        &ListPage {
            chrome: ctx.chrome("Questionnaires", Nav::Questionnaires),
            rows,
            search,
            can_edit: ctx.can(Permission::FlowsEdit),
            name,
            errors,
        },
    )
}

/// GET /questionnaires
pub async fn list_questionnaires(ctx: Ctx, query: web::Query<SearchQuery>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsView)?;
    list_page(
        &ctx,
        query.into_inner().q,
        String::new(),
        FormErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// Questionnaires are told apart by name (a questionnaire step's choices).
const NAME_TAKEN: &str = "Another questionnaire already has this name; questionnaires are told apart by name.";

/// POST /questionnaires
pub async fn create_questionnaire(ctx: Ctx, CsrfForm(form): CsrfForm<NameForm>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let name = match parse_name(&form.name) {
        Ok(name) => name,
        Err(message) => {
            let mut errors = FormErrors::new();
            errors.add("name", message);
            return list_page(&ctx, String::new(), form.name, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let id = db::run(ctx.pool(), move |conn| {
        if queries::name_taken(conn, &name, None)? {
            return Ok(None);
        }
        let id = queries::create(conn, &name, &QuestionnaireDefinition::default(), by, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::QuestionnaireCreated,
            Some(("questionnaire", id.to_string())),
            json!({ "name": name }),
        )?;
        Ok(Some(id))
    })
    .await?;
    let Some(id) = id else {
        let mut errors = FormErrors::new();
        errors.add("name", NAME_TAKEN);
        return list_page(&ctx, String::new(), form.name, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    ctx.flash(FlashKind::Success, "Questionnaire created. Add its questions below.");
    Ok(redirect(&format!("/questionnaires/{id}")))
}

async fn editor_page(
    ctx: &Ctx,
    id: Uuid,
    name: Option<String>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    editor_page_with(ctx, id, name, String::new(), errors, status).await
}

/// The editor, with the "add question" label showing what was typed.
async fn editor_page_with(
    ctx: &Ctx,
    id: Uuid,
    name: Option<String>,
    new_label: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (q, used_by) = db::run(ctx.pool(), move |conn| {
        Ok((queries::find(conn, id)?, queries::used_by(conn, id)?))
    })
    .await?;
    let def = q.version.parsed();
    render_status(
        status,
        &EditorPage {
            chrome: ctx.chrome(q.name.clone(), Nav::Questionnaires),
            questions: def.questions.iter().map(QuestionRow::new).collect(),
            problems: def.problems(),
            used_by,
            can_edit: ctx.can(Permission::FlowsEdit),
            types: &QuestionKind::KEYS,
            updated: ctx.member.format_time(q.updated_at),
            name: name.unwrap_or_else(|| q.name.clone()),
            new_label,
            errors,
            q,
        },
    )
}

/// GET /questionnaires/{id}
pub async fn questionnaire_editor(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsView)?;
    editor_page(&ctx, parse_id(&path)?, None, FormErrors::new(), StatusCode::OK).await
}

/// POST /questionnaires/{id}/rename
pub async fn rename_questionnaire(
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
            return editor_page(&ctx, id, Some(form.name), errors, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let renamed = db::run(ctx.pool(), move |conn| {
        let before = queries::find(conn, id)?.name;
        if queries::name_taken(conn, &name, Some(id))? {
            return Ok(false);
        }
        queries::rename(conn, id, &name, by, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::QuestionnaireEdited,
            Some(("questionnaire", id.to_string())),
            json!({ "renamed": format!("{before} → {name}") }),
        )?;
        Ok(true)
    })
    .await?;
    if !renamed {
        let mut errors = FormErrors::new();
        errors.add("name", NAME_TAKEN);
        return editor_page(&ctx, id, Some(form.name), errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    ctx.flash(FlashKind::Success, "Questionnaire renamed.");
    Ok(redirect(&format!("/questionnaires/{id}")))
}

/// Applies `change` to the newest definition and saves it (into a new
/// version when the current one is frozen), with an audit event.
/// The change returns a refusal message or a description of what it did.
async fn edit<F>(ctx: &Ctx, id: Uuid, change: F) -> Result<Result<String, String>, AppError>
where
    F: FnOnce(&mut QuestionnaireDefinition) -> Result<String, String> + Send + 'static,
{
    let outcome = edit_with(ctx, id, move |def| change(def).map(|what| (what, ()))).await?;
    Ok(outcome.map(|(message, ())| message))
}

/// [`edit`] for a change that also hands back a value (e.g. a new question's key).
async fn edit_with<F, R>(ctx: &Ctx, id: Uuid, change: F) -> Result<Result<(String, R), String>, AppError>
where
    F: FnOnce(&mut QuestionnaireDefinition) -> Result<(String, R), String> + Send + 'static,
    R: Send + 'static,
{
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    db::run(ctx.pool(), move |conn| {
        // Lock first, so concurrent edits apply one after the other to fresh content.
        queries::lock(conn, id)?;
        let current = queries::find(conn, id)?;
        let mut def = current.version.parsed();
        let (what, value) = match change(&mut def) {
            Ok(done) => done,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let number = queries::save(conn, id, &def, by, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::QuestionnaireEdited,
            Some(("questionnaire", id.to_string())),
            json!({ "change": what, "version": number }),
        )?;
        let note = if number != current.version.number {
            format!(
                "{what} Version {} is used by a published flow, so this change is in new version {number}.",
                current.version.number
            )
        } else {
            what
        };
        Ok(Ok((note, value)))
    })
    .await
}

/// POST /questionnaires/{id}/questions
pub async fn add_question(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<AddQuestionForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let id = parse_id(&path)?;
    let Some(kind) = QuestionKind::default_for(&form.kind) else {
        let mut errors = FormErrors::new();
        errors.add("kind", "Choose a question type.");
        return editor_page_with(
            &ctx,
            id,
            None,
            form.label.clone(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let label = form.label.trim().to_string();
    let problem = if label.is_empty() || label.chars().count() > 300 {
        Some("Write the question (up to 300 characters).".to_string())
    } else {
        crate::domain::check_label(&label, "The question").err()
    };
    if let Some(problem) = problem {
        let mut errors = FormErrors::new();
        errors.add("label", problem);
        return editor_page_with(
            &ctx,
            id,
            None,
            form.label.clone(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let outcome = edit_with(&ctx, id, move |def| {
        let taken: Vec<String> = def.questions.iter().map(|q| q.id.clone()).collect();
        let key = key_from_label(&label, &taken);
        def.questions.push(Question {
            id: key.clone(),
            label: label.clone(),
            help: String::new(),
            required: !kind.is_section(),
            kind,
            show_if: None,
        });
        Ok((format!("Question “{label}” added."), key))
    })
    .await?;
    let key = outcome.as_ref().map(|(_, key)| key.clone()).unwrap_or_default();
    let outcome = outcome.map(|(message, _)| message);
    ctx.flash_outcome(outcome);
    Ok(redirect(&format!("/questionnaires/{id}/questions/{key}")))
}

async fn question_page(
    ctx: &Ctx,
    id: Uuid,
    question: &str,
    form: Option<QuestionForm>,
    errors: FormErrors,
    problems: Vec<String>,
) -> Result<HttpResponse, AppError> {
    let q = db::run(ctx.pool(), move |conn| Ok(queries::find(conn, id)?)).await?;
    let def = q.version.parsed();
    let index = def
        .questions
        .iter()
        .position(|x| x.id == question)
        .ok_or(AppError::NotFound)?;
    let current = &def.questions[index];
    let earlier = def.questions[..index]
        .iter()
        .filter(|x| {
            !x.kind.is_section()
                && !matches!(
                    x.kind,
                    QuestionKind::FileUpload { .. }
                        | QuestionKind::Date { .. }
                        | QuestionKind::Email
                        | QuestionKind::Phone
                        | QuestionKind::LongText
                )
        })
        .map(|x| (x.id.clone(), x.label.clone()))
        .collect();
    let status = if errors.is_empty() && problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &QuestionPage {
            chrome: ctx.chrome(format!("{} · {}", q.name, current.label), Nav::Questionnaires),
            questionnaire_id: id.to_string(),
            questionnaire_name: q.name.clone(),
            original_id: current.id.clone(),
            type_key: current.kind.key(),
            type_label: current.kind.label(),
            form: form.unwrap_or_else(|| QuestionForm::from_question(current)),
            errors,
            problems,
            earlier,
            file_types: QuestionPage::file_type_list(),
            can_edit: ctx.can(Permission::FlowsEdit),
            locked_note: crate::flows::locked_note(ctx.can(Permission::FlowsEdit), false),
        },
    )
}

/// GET /questionnaires/{id}/questions/{question}
pub async fn question_form(ctx: Ctx, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsView)?;
    let (id, question) = path.into_inner();
    question_page(&ctx, parse_id(&id)?, &question, None, FormErrors::new(), Vec::new()).await
}

/// POST /questionnaires/{id}/questions/{question}
pub async fn save_question(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<QuestionForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let (id, question) = path.into_inner();
    let id = parse_id(&id)?;
    let current = db::run(ctx.pool(), move |conn| Ok(queries::find(conn, id)?.version.parsed())).await?;
    let index = current
        .questions
        .iter()
        .position(|x| x.id == question)
        .ok_or(AppError::NotFound)?;
    let updated = match form.to_question(&current.questions[index].kind) {
        Ok(q) => q,
        Err(errors) => return question_page(&ctx, id, &question, Some(form), errors, Vec::new()).await,
    };
    // Check the whole questionnaire with the change, so show-if rules stay valid.
    let mut candidate = current.clone();
    let old_key = question.clone();
    candidate.replace_question(index, updated);
    let problems = candidate.problems();
    if !problems.is_empty() {
        return question_page(&ctx, id, &question, Some(form), FormErrors::new(), problems).await;
    }
    let label = candidate.questions[index].label.clone();
    let saved = candidate.questions[index].clone();
    let outcome = edit(&ctx, id, move |def| {
        // Apply the change to the fresh content, so a concurrent edit of
        // another question is kept, and check the result again.
        let Some(at) = def.questions.iter().position(|x| x.id == old_key) else {
            return Err("That question was removed meanwhile.".to_string());
        };
        def.replace_question(at, saved);
        let problems = def.problems();
        if !problems.is_empty() {
            return Err(format!("Not saved: {}", problems.join(" ")));
        }
        Ok(format!("Question “{label}” saved."))
    })
    .await?;
    ctx.flash_outcome(outcome);
    Ok(redirect(&format!("/questionnaires/{id}")))
}

/// POST /questionnaires/{id}/questions/{question}/move
pub async fn move_question(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let (id, question) = path.into_inner();
    let id = parse_id(&id)?;
    let up = form.direction == "up";
    let outcome = edit(&ctx, id, move |def| {
        let index = def
            .questions
            .iter()
            .position(|x| x.id == question)
            .ok_or("That question no longer exists.")?;
        let target = if up {
            index.checked_sub(1)
        } else {
            Some(index + 1).filter(|i| *i < def.questions.len())
        };
        let Some(target) = target else {
            return Err("It is already at the edge.".to_string());
        };
        def.questions.swap(index, target);
        let problems = def.problems();
        if let Some(problem) = problems.into_iter().find(|p| p.contains("comes later")) {
            return Err(format!("Cannot move it there: {problem}"));
        }
        Ok("Question moved.".to_string())
    })
    .await?;
    ctx.flash_outcome(outcome);
    Ok(redirect(&format!("/questionnaires/{id}")))
}

/// POST /questionnaires/{id}/questions/{question}/delete
pub async fn delete_question(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let (id, question) = path.into_inner();
    let id = parse_id(&id)?;
    let outcome = edit(&ctx, id, move |def| {
        let index = def
            .questions
            .iter()
            .position(|x| x.id == question)
            .ok_or("That question no longer exists.")?;
        let dependants: Vec<String> = def
            .questions
            .iter()
            .filter(|q| q.show_if.as_ref().is_some_and(|s| s.question == question))
            .map(|q| format!("“{}”", q.label))
            .collect();
        if !dependants.is_empty() {
            return Err(format!(
                "{} depend on this question; change their show-if first.",
                dependants.join(", ")
            ));
        }
        let removed = def.questions.remove(index);
        Ok(format!("Question “{}” removed.", removed.label))
    })
    .await?;
    ctx.flash_outcome(outcome);
    Ok(redirect(&format!("/questionnaires/{id}")))
}

/// POST /questionnaires/{id}/duplicate
pub async fn duplicate_questionnaire(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let id = parse_id(&path)?;
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let copy = db::run(ctx.pool(), move |conn| {
        let original = queries::find(conn, id)?;
        let name = super::forms::free_name(&super::forms::copy_name(&original.name), |n| {
            queries::name_taken(conn, n, None)
        })?;
        let copy = queries::create(conn, &name, &original.version.parsed(), by, now)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::QuestionnaireDuplicated,
            Some(("questionnaire", copy.to_string())),
            json!({ "from": original.name, "name": name }),
        )?;
        Ok(copy)
    })
    .await?;
    ctx.flash(FlashKind::Success, "Questionnaire duplicated.");
    Ok(redirect(&format!("/questionnaires/{copy}")))
}

/// POST /questionnaires/{id}/delete
pub async fn delete_questionnaire(
    ctx: Ctx,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsEdit)?;
    let id = parse_id(&path)?;
    let (now, actor) = (ctx.now(), ctx.actor());
    let outcome = db::run(ctx.pool(), move |conn| {
        let q = queries::find(conn, id)?;
        let used_by = queries::used_by(conn, id)?;
        if !used_by.is_empty() {
            return Ok(Err(format!(
                "“{}” is used by the flow(s) {}; remove it from them first.",
                q.name,
                used_by.join(", ")
            )));
        }
        queries::delete(conn, id)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::QuestionnaireDeleted,
            Some(("questionnaire", id.to_string())),
            json!({ "name": q.name }),
        )?;
        Ok(Ok(q.name))
    })
    .await?;
    match outcome {
        Ok(name) => {
            ctx.flash(FlashKind::Success, format!("Questionnaire “{name}” deleted."));
            Ok(redirect("/questionnaires"))
        }
        Err(message) => {
            ctx.flash(FlashKind::Error, message);
            Ok(redirect(&format!("/questionnaires/{id}")))
        }
    }
}

/// Answers from a preview (or portal) form: fields named `a.<question id>`.
pub fn answers_from_form(fields: &[(String, String)], def: &QuestionnaireDefinition) -> Answers {
    let mut answers = Answers::new();
    for q in &def.questions {
        let key = format!("a.{}", q.id);
        let values: Vec<String> = fields
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .collect();
        if values.is_empty() {
            continue;
        }
        let answer = if matches!(q.kind, QuestionKind::MultipleChoice { .. }) {
            Answer::Many(values)
        } else {
            Answer::One(values.into_iter().next().unwrap_or_default())
        };
        answers.insert(q.id.clone(), answer);
    }
    answers
}

async fn preview_page(ctx: &Ctx, id: Uuid, submitted: Option<Vec<(String, String)>>) -> Result<HttpResponse, AppError> {
    let q = db::run(ctx.pool(), move |conn| Ok(queries::find(conn, id)?)).await?;
    let def = q.version.parsed();
    let checked = submitted.is_some();
    let answers = submitted.map(|f| answers_from_form(&f, &def)).unwrap_or_default();
    let (errors, accepted) = if checked {
        match def.validate_answers(&answers) {
            Ok(accepted) => (BTreeMap::new(), accepted),
            Err(errors) => (errors, Answers::new()),
        }
    } else {
        (BTreeMap::new(), Answers::new())
    };
    let page = PreviewPage {
        chrome: ctx.chrome(format!("Preview · {}", q.name), Nav::Questionnaires),
        id: id.to_string(),
        name: q.name.clone(),
        version: q.version.number,
        fields: field_views(&def, &answers, &errors),
        countries: crate::domain::countries().collect(),
        checked,
        accepted: accepted
            .iter()
            .map(|(k, v)| (k.clone(), v.values().join(", ")))
            .collect(),
        error_count: errors.len(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(status, &page)
}

/// GET /questionnaires/{id}/preview
pub async fn preview(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsView)?;
    preview_page(&ctx, parse_id(&path)?, None).await
}

/// POST /questionnaires/{id}/preview: checks the answers as the portal will.
pub async fn check_preview(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FlowsView)?;
    preview_page(&ctx, parse_id(&path)?, Some(fields)).await
}
