//! Flow templates.

use super::definition::{AML_SOURCES, DOCUMENT_TYPES, IMAGE_SOURCES, MONITORING, NETWORKS, Step, StepConfig, StepKind};
use super::forms::{FLOW_KINDS, SettingsForm, StepForm};
use crate::web::{Chrome, FormErrors};
use askama::Template;

/// Label of a key in a (key, label) list.
fn label_of(list: &[(&str, &'static str)], key: &str) -> String {
    list.iter()
        .find(|(k, _)| *k == key)
        .map_or(key.to_string(), |(_, l)| l.to_string())
}

/// One line describing a step's settings.
pub fn step_summary(step: &Step, questionnaire_name: &dyn Fn(uuid::Uuid) -> String) -> String {
    let join = |keys: &[String], list: &[(&str, &'static str)]| {
        keys.iter().map(|k| label_of(list, k)).collect::<Vec<_>>().join(", ")
    };
    match &step.config {
        StepConfig::Intro {
            privacy_policy_url,
            terms_url,
            ..
        } => {
            let consents = usize::from(privacy_policy_url.is_some()) + usize::from(terms_url.is_some());
            format!("Welcome text · {consents} consent checkbox(es)")
        }
        StepConfig::DocumentCheck {
            countries,
            document_types,
            min_age,
            ..
        } => format!(
            "{} · {} · minimum age {min_age}",
            join(document_types, &DOCUMENT_TYPES),
            if countries.is_empty() {
                "all countries".to_string()
            } else {
                countries.join(", ")
            }
        ),
        StepConfig::Liveness { attempts } => format!("{attempts} attempt(s)"),
        StepConfig::FaceMatch { sources, threshold } => {
            format!("{} · threshold {threshold}", join(sources, &IMAGE_SOURCES))
        }
        StepConfig::SelfieWithDocument { .. } => "Photo holding the document".into(),
        StepConfig::EmailVerification(c) | StepConfig::PhoneVerification(c) => {
            if c.one_time_code {
                format!(
                    "One-time code · {} attempts · valid {} min",
                    c.attempts, c.code_validity_minutes
                )
            } else {
                "Without a code".into()
            }
        }
        StepConfig::Aml {
            threshold,
            monitoring,
            source,
        } => format!(
            "Threshold {threshold} · monitoring {} · data from {}",
            label_of(&MONITORING, monitoring).to_lowercase(),
            label_of(&AML_SOURCES, source).to_lowercase()
        ),
        StepConfig::CryptoWallet {
            networks,
            hold_threshold,
        } => format!("{} · hold from risk {hold_threshold}", join(networks, &NETWORKS)),
        StepConfig::Questionnaire { questionnaire_id, .. } => format!("“{}”", questionnaire_name(*questionnaire_id)),
        StepConfig::FinalScreen { redirect, .. } => if *redirect {
            "Thank-you page, then redirect"
        } else {
            "Thank-you page"
        }
        .into(),
    }
}

/// One flow in the list.
pub struct FlowRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub state: &'static str,
    pub live_version: String,
    pub has_draft: bool,
    pub steps: usize,
    /// Who the flow is for ([`super::definition::Audience::label`]): the
    /// live version's, with a draft's change beside it.
    pub audience: String,
    pub updated: String,
    pub updated_by: String,
    /// Applicants currently on the flow.
    pub applicants: i64,
}

/// GET /flows
#[derive(Template)]
#[template(path = "admin/flows/index.html")]
pub struct FlowsPage {
    pub chrome: Chrome,
    pub rows: Vec<FlowRow>,
    pub search: String,
    pub archived: bool,
    pub can_edit: bool,
    pub kinds: &'static [(&'static str, &'static str)],
    pub name: String,
    pub kind: String,
    pub errors: FormErrors,
}

/// One step in the editor.
pub struct StepRow {
    pub id: String,
    pub label: &'static str,
    pub summary: String,
}

/// GET /flows/{id}
#[derive(Template)]
#[template(path = "admin/flows/editor.html")]
pub struct EditorPage {
    pub chrome: Chrome,
    pub id: String,
    pub name: String,
    pub kind_label: String,
    pub state: &'static str,
    pub live_version: Option<i32>,
    pub draft_version: Option<i32>,
    pub steps: Vec<StepRow>,
    pub problems: Vec<String>,
    pub addable: Vec<(&'static str, &'static str)>,
    pub questionnaires: Vec<(String, String)>,
    pub settings: SettingsForm,
    /// Who a flow can be for: (key, label).
    pub audiences: Vec<(&'static str, &'static str)>,
    /// The flow's own logo (asset name), if any.
    pub logo: Option<String>,
    pub errors: FormErrors,
    pub can_edit: bool,
    /// Why the page is read-only, when it is (see [`locked_note`]).
    pub locked_note: &'static str,
    pub can_publish: bool,
    pub can_unarchive: bool,
    pub updated: String,
}

/// Why a flow's editor and step pages (and a questionnaire's question
/// page) are read-only to a member: the flow is archived (nobody changes it
/// until it is unarchived), or the member may not edit flows. Empty when
/// they may change it, which is what `can_edit` says.
pub fn locked_note(may_edit: bool, archived: bool) -> &'static str {
    if archived {
        "Archived: unarchive the flow to change it."
    } else if !may_edit {
        "Read only: changing it needs the permission to create and edit flows and questionnaires."
    } else {
        ""
    }
}

/// GET /flows/{id}/steps/{step}
#[derive(Template)]
#[template(path = "admin/flows/step.html")]
pub struct StepPage {
    pub chrome: Chrome,
    pub flow_id: String,
    pub flow_name: String,
    pub step_id: String,
    pub kind: &'static str,
    pub form: StepForm,
    pub errors: FormErrors,
    pub problems: Vec<String>,
    pub questionnaires: Vec<(String, String)>,
    pub can_edit: bool,
    /// Why the page is read-only, when it is (see [`locked_note`]).
    pub locked_note: &'static str,
    pub document_types: &'static [(&'static str, &'static str)],
    pub image_sources: &'static [(&'static str, &'static str)],
    pub networks: &'static [(&'static str, &'static str)],
    pub monitoring: &'static [(&'static str, &'static str)],
    pub aml_sources: &'static [(&'static str, &'static str)],
}

impl StepPage {
    /// The option lists every step page needs.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        chrome: Chrome,
        flow_id: String,
        flow_name: String,
        step_id: String,
        kind: StepKind,
        form: StepForm,
        errors: FormErrors,
        problems: Vec<String>,
        questionnaires: Vec<(String, String)>,
        locked_note: &'static str,
    ) -> Self {
        Self {
            chrome,
            flow_id,
            flow_name,
            step_id,
            kind: kind.key(),
            form,
            errors,
            problems,
            questionnaires,
            can_edit: locked_note.is_empty(),
            locked_note,
            document_types: &DOCUMENT_TYPES,
            image_sources: &IMAGE_SOURCES,
            networks: &NETWORKS,
            monitoring: &MONITORING,
            aml_sources: &AML_SOURCES,
        }
    }
}

/// One version in the history.
pub struct VersionRow {
    pub number: i32,
    pub status: &'static str,
    pub created: String,
    pub created_by: String,
    pub published: String,
    pub published_by: String,
    pub steps: usize,
}

/// GET /flows/{id}/versions
#[derive(Template)]
#[template(path = "admin/flows/versions.html")]
pub struct VersionsPage {
    pub chrome: Chrome,
    pub id: String,
    pub name: String,
    pub versions: Vec<VersionRow>,
}

/// A step as the applicant meets it.
pub struct PreviewStep {
    pub label: &'static str,
    pub what: &'static str,
    pub texts: Vec<(String, String)>,
    pub questions: Vec<String>,
}

/// GET /flows/{id}/preview
#[derive(Template)]
#[template(path = "admin/flows/preview.html")]
pub struct PreviewPage {
    pub chrome: Chrome,
    pub id: String,
    pub name: String,
    pub version: i32,
    pub status: &'static str,
    pub intro_text: String,
    pub steps: Vec<PreviewStep>,
    pub settings: Vec<(String, String)>,
}

/// GET/POST /flows/import
#[derive(Template)]
#[template(path = "admin/flows/import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub json: String,
    pub problems: Vec<String>,
}

/// The kinds with their labels, for templates.
pub fn kinds() -> &'static [(&'static str, &'static str)] {
    &FLOW_KINDS
}
