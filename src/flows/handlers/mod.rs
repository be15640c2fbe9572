//! Flow handlers. Here: the list and creating a flow. By part: the draft
//! and its editor ([`draft`]), a flow as a whole ([`catalog`]), the
//! applicant's preview ([`preview`]), export and import ([`files`]).

mod catalog;
mod draft;
mod files;
mod preview;

pub use catalog::{archive_flow, duplicate_flow, flow_versions, rename_flow, unarchive_flow};
pub use draft::{
    add_step, discard_draft, flow_editor, move_step, publish_flow, remove_logo, remove_step, save_settings, save_step,
    step_form, upload_logo,
};
use draft::{editor_page_named, questionnaire_names};
pub use files::{export_flow, import_flow, import_form};
pub use preview::preview_flow;

use super::definition::{Audience, FlowDefinition, Step, StepConfig, StepKind};
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
        .map(|s| {
            let parsed = |v: Option<&super::queries::FlowVersion>| v.and_then(|v| v.parsed().ok());
            let (live, draft) = (parsed(s.live.as_ref()), parsed(s.draft.as_ref()));
            FlowRow {
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
                // The draft's steps, as the editor shows them.
                steps: draft.as_ref().or(live.as_ref()).map_or(0, |d| d.steps.len()),
                // The live version's audience, which decides; a draft's change is said beside it.
                audience: match (live.map(|d| d.settings.audience), draft.map(|d| d.settings.audience)) {
                    (Some(live), Some(draft)) if live != draft => {
                        format!("{} (draft: {})", live.label(), draft.label())
                    }
                    (Some(live), _) => live.label().to_string(),
                    (None, draft) => draft.unwrap_or_default().label().to_string(),
                },
                updated: ctx.member.format_time(s.flow.updated_at),
                updated_by: s.updated_by.clone().unwrap_or_default(),
                applicants: counts.iter().find(|(f, _)| *f == s.flow.id).map_or(0, |(_, n)| *n),
            }
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
