//! Export a flow with its questionnaires as JSON, and import it back, so
//! flows can be reviewed in a diff and moved between installations.

use super::definition::{FlowDefinition, StepConfig};
use super::forms::FLOW_KINDS;
use super::queries;
use crate::error::AppError;
use crate::questionnaires::definition::QuestionnaireDefinition;
use crate::questionnaires::forms::{free_name, parse_name};
use crate::questionnaires::queries as questionnaires;
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The format marker every export carries.
pub const FORMAT: &str = "veridesk.flow.v1";

/// A flow as exported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowExport {
    /// Always [`FORMAT`].
    pub format: String,
    pub name: String,
    pub kind: String,
    pub definition: FlowDefinition,
    /// The questionnaires its steps use; steps refer to them by `id`.
    #[serde(default)]
    pub questionnaires: Vec<QuestionnaireExport>,
    /// Images the flow refers to (its logo).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<AssetExport>,
}

/// An image carried inside an export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetExport {
    /// Hex SHA-256 of the bytes: the name the definition uses.
    pub sha256: String,
    pub content_type: String,
    /// The bytes, base64-encoded.
    pub base64: String,
}

impl AssetExport {
    /// The bytes, if the asset is intact: decodable, matching its name,
    /// and an accepted image type.
    fn bytes(&self) -> Result<Vec<u8>, String> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&self.base64)
            .map_err(|_| "its data is not base64".to_string())?;
        if hex::encode(sha2::Sha256::digest(&bytes)) != self.sha256 {
            return Err("its data does not match its sha256".into());
        }
        crate::settings::forms::logo_content_type(&bytes)?;
        Ok(bytes)
    }
}

/// A questionnaire as exported with a flow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireExport {
    /// The id steps use to refer to it within the file.
    pub id: Uuid,
    pub name: String,
    pub definition: QuestionnaireDefinition,
}

/// Exports the flow's current version (the draft if there is one).
pub fn export(conn: &mut PgConnection, id: Uuid) -> Result<FlowExport, AppError> {
    let summary = queries::find(conn, id)?;
    let version = summary.current().ok_or(AppError::NotFound)?;
    let mut definition = version.parsed()?;
    let mut exported = Vec::new();
    for step in &mut definition.steps {
        if let StepConfig::Questionnaire {
            questionnaire_id,
            questionnaire_version_id,
        } = &mut step.config
        {
            let pinned = questionnaire_version_id.take();
            if exported.iter().any(|q: &QuestionnaireExport| q.id == *questionnaire_id) {
                continue;
            }
            let found = questionnaires::find(conn, *questionnaire_id)?;
            let content = match pinned {
                Some(v) => questionnaires::version(conn, v)?.parsed(),
                None => found.version.parsed(),
            };
            exported.push(QuestionnaireExport {
                id: *questionnaire_id,
                name: found.name,
                definition: content,
            });
        }
    }
    let mut assets = Vec::new();
    if let Some(name) = &definition.settings.logo
        && let Some((bytes, content_type)) = crate::assets::find(conn, name)?
    {
        use base64::Engine;
        assets.push(AssetExport {
            sha256: name.clone(),
            content_type,
            base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        });
    }
    Ok(FlowExport {
        format: FORMAT.into(),
        name: summary.flow.name,
        kind: summary.flow.kind,
        definition,
        questionnaires: exported,
        assets,
    })
}

/// Reads an export, reporting a syntax error with its position.
pub fn parse(json: &str) -> Result<FlowExport, Vec<String>> {
    if json.trim().is_empty() {
        return Err(vec!["Paste the contents of an exported flow file.".into()]);
    }
    serde_json::from_str(json).map_err(|e| vec![format!("This is not a Veridesk flow export: {e}.")])
}

/// Every problem with an export, all at once.
pub fn problems(export: &FlowExport) -> Vec<String> {
    let mut p = Vec::new();
    if export.format != FORMAT {
        p.push(format!(
            "The format is “{}”; this installation reads “{FORMAT}”.",
            export.format
        ));
    }
    if let Err(e) = parse_name(&export.name) {
        p.push(format!("Flow name: {e}"));
    }
    if !FLOW_KINDS.iter().any(|(k, _)| *k == export.kind) {
        p.push(format!("Flow kind “{}” is not regular or on_demand.", export.kind));
    }
    let ids: BTreeSet<Uuid> = export.questionnaires.iter().map(|q| q.id).collect();
    if ids.len() != export.questionnaires.len() {
        p.push("Two questionnaires in the file share an id.".into());
    }
    let mut step_ids = BTreeSet::new();
    for (i, step) in export.definition.steps.iter().enumerate() {
        if !step_ids.insert(step.id) {
            p.push(format!("Step {}: its id is used by another step.", i + 1));
        }
    }
    p.extend(export.definition.problems(&|q| ids.contains(&q)));
    if let Some(logo) = &export.definition.settings.logo
        && !export.assets.iter().any(|a| &a.sha256 == logo)
    {
        p.push("The flow's logo is missing from the file's assets.".into());
    }
    for asset in &export.assets {
        if let Err(e) = asset.bytes() {
            p.push(format!("Asset {}: {e}.", asset.sha256));
        }
    }
    for q in &export.questionnaires {
        if let Err(e) = parse_name(&q.name) {
            p.push(format!("Questionnaire “{}”: {e}", q.name));
        }
        p.extend(
            q.definition
                .problems()
                .into_iter()
                .map(|e| format!("Questionnaire “{}”: {e}", q.name)),
        );
    }
    p
}

/// Creates a new draft flow, and new questionnaires, from a checked export.
/// Returns the flow's id and the questionnaires it created (id, name).
pub fn import(
    conn: &mut PgConnection,
    export: &FlowExport,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<(Uuid, Vec<(Uuid, String)>), AppError> {
    // Only the asset the flow uses is stored (and so served publicly).
    for asset in export
        .assets
        .iter()
        .filter(|a| export.definition.settings.logo.as_ref() == Some(&a.sha256))
    {
        let bytes = asset.bytes().map_err(AppError::BadRequest)?;
        let content_type = crate::settings::forms::logo_content_type(&bytes).map_err(AppError::BadRequest)?;
        crate::assets::store(conn, &bytes, content_type, now)?;
    }
    let mut new_ids: BTreeMap<Uuid, Uuid> = BTreeMap::new();
    let mut names: BTreeMap<Uuid, String> = BTreeMap::new();
    for q in &export.questionnaires {
        // Imported next to its original, it takes the next free name.
        // Tidied as the forms tidy names; `problems` refused what cannot be.
        let tidy = parse_name(&q.name).map_err(AppError::BadRequest)?;
        let name = free_name(&tidy, |n| questionnaires::name_taken(conn, n, None))?;
        let id = questionnaires::create(conn, &name, &q.definition, by, now)?;
        new_ids.insert(q.id, id);
        names.insert(id, name);
    }
    let mut definition = export.definition.clone();
    definition.settings.brand_colour = definition
        .settings
        .brand_colour
        .as_deref()
        .and_then(|c| crate::settings::forms::parse_colour(c).ok());
    for step in &mut definition.steps {
        if let StepConfig::Questionnaire {
            questionnaire_id,
            questionnaire_version_id,
        } = &mut step.config
        {
            *questionnaire_id = new_ids
                .get(questionnaire_id)
                .copied()
                .ok_or(AppError::BadRequest("unknown questionnaire".into()))?;
            *questionnaire_version_id = None;
        }
    }
    let tidy = parse_name(&export.name).map_err(AppError::BadRequest)?;
    let flow_name = free_name(&tidy, |n| queries::name_taken(conn, n, None))?;
    let flow = queries::create(conn, &flow_name, &export.kind, &definition, by, now)?;
    let created = names.into_iter().collect();
    Ok((flow, created))
}
