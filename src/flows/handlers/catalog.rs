//! A flow as a whole: rename, duplicate, archive and unarchive, and the
//! list of its versions.

use super::*;

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
