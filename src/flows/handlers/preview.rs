//! The preview: a flow's version as the applicant will see it.

use super::*;

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
