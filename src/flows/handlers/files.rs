//! Export to a file and import from one, for moving flows between
//! installations.

use super::*;

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
