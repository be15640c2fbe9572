//! Questionnaire templates.

use super::definition::{Answers, FILE_TYPES, Question, QuestionKind, QuestionnaireDefinition};
use super::forms::QuestionForm;
use super::queries::QuestionnaireSummary;
use crate::web::{Chrome, FormErrors};
use askama::Template;
use std::collections::BTreeMap;

/// One questionnaire in the list.
pub struct ListRow {
    pub id: String,
    pub name: String,
    pub version: i32,
    pub questions: usize,
    pub frozen: bool,
    pub updated: String,
    pub updated_by: String,
}

/// GET /questionnaires
#[derive(Template)]
#[template(path = "admin/questionnaires/index.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub rows: Vec<ListRow>,
    pub search: String,
    pub can_edit: bool,
    pub name: String,
    pub errors: FormErrors,
}

/// One question in the editor.
pub struct QuestionRow {
    pub id: String,
    pub label: String,
    pub type_label: &'static str,
    pub required: bool,
    pub section: bool,
    pub show_if: String,
}

impl QuestionRow {
    /// Summarises `q`.
    pub fn new(q: &Question) -> Self {
        Self {
            id: q.id.clone(),
            label: q.label.clone(),
            type_label: q.kind.label(),
            required: q.required,
            section: q.kind.is_section(),
            show_if: q
                .show_if
                .as_ref()
                .map(|s| format!("when {} is {}", s.question, s.values.join(" or ")))
                .unwrap_or_default(),
        }
    }
}

/// GET /questionnaires/{id}
#[derive(Template)]
#[template(path = "admin/questionnaires/editor.html")]
pub struct EditorPage {
    pub chrome: Chrome,
    pub q: QuestionnaireSummary,
    pub questions: Vec<QuestionRow>,
    pub problems: Vec<String>,
    pub used_by: Vec<String>,
    pub can_edit: bool,
    pub types: &'static [(&'static str, &'static str)],
    pub updated: String,
    pub name: String,
    /// What was typed in the "add question" form, when it failed.
    pub new_label: String,
    pub errors: FormErrors,
}

/// GET /questionnaires/{id}/questions/{question}
#[derive(Template)]
#[template(path = "admin/questionnaires/question.html")]
pub struct QuestionPage {
    pub chrome: Chrome,
    pub questionnaire_id: String,
    pub questionnaire_name: String,
    pub original_id: String,
    pub type_key: &'static str,
    pub type_label: &'static str,
    pub form: QuestionForm,
    pub errors: FormErrors,
    pub problems: Vec<String>,
    /// Earlier questions that can drive show-if: (id, label).
    pub earlier: Vec<(String, String)>,
    pub file_types: &'static [(&'static str, &'static str)],
    pub can_edit: bool,
    /// Why the page is read-only, when it is (see `flows::locked_note`).
    pub locked_note: &'static str,
}

impl QuestionPage {
    /// The file types list for the template.
    pub fn file_type_list() -> &'static [(&'static str, &'static str)] {
        &FILE_TYPES
    }
}

/// A question as the applicant sees it.
pub struct FieldView {
    pub id: String,
    pub label: String,
    pub help: String,
    pub required: bool,
    pub type_key: &'static str,
    pub options: Vec<String>,
    pub value: String,
    pub values: Vec<String>,
    pub min: String,
    pub max: String,
    pub accept: String,
    pub error: String,
    pub visible: bool,
    pub show_if_question: String,
    pub show_if_values: String,
    pub section: bool,
}

impl FieldView {
    /// Whether option `o` is among the answers.
    pub fn has(&self, o: &str) -> bool {
        self.values.iter().any(|v| v == o) || self.value == o
    }
}

/// The questions of `def` filled with `answers`, `errors` and visibility.
pub fn field_views(
    def: &QuestionnaireDefinition,
    answers: &Answers,
    errors: &BTreeMap<String, String>,
) -> Vec<FieldView> {
    let visible = def.visible(answers);
    def.questions
        .iter()
        .map(|q| {
            let answer = answers.get(&q.id);
            let values = answer.map(|a| a.values()).unwrap_or_default();
            let (min, max) = match &q.kind {
                QuestionKind::Number { min, max } => (min.map(|v| v.to_string()), max.map(|v| v.to_string())),
                QuestionKind::Date { min, max } => (min.map(|v| v.to_string()), max.map(|v| v.to_string())),
                _ => (None, None),
            };
            let accept = match &q.kind {
                QuestionKind::FileUpload { allowed, .. } => FILE_TYPES
                    .iter()
                    .filter(|(k, _)| allowed.iter().any(|a| a == k))
                    .map(|(_, ct)| *ct)
                    .collect::<Vec<_>>()
                    .join(","),
                _ => String::new(),
            };
            FieldView {
                id: q.id.clone(),
                label: q.label.clone(),
                help: q.help.clone(),
                required: q.required,
                type_key: q.kind.key(),
                options: q.kind.options().to_vec(),
                value: values.first().cloned().unwrap_or_default(),
                values,
                min: min.unwrap_or_default(),
                max: max.unwrap_or_default(),
                accept,
                error: errors.get(&q.id).cloned().unwrap_or_default(),
                visible: visible.get(&q.id).copied().unwrap_or(true),
                show_if_question: q.show_if.as_ref().map(|s| s.question.clone()).unwrap_or_default(),
                show_if_values: q
                    .show_if
                    .as_ref()
                    .and_then(|s| serde_json::to_string(&s.values).ok())
                    .unwrap_or_default(),
                section: q.kind.is_section(),
            }
        })
        .collect()
}

/// GET/POST /questionnaires/{id}/preview
#[derive(Template)]
#[template(path = "admin/questionnaires/preview.html")]
pub struct PreviewPage {
    pub chrome: Chrome,
    pub id: String,
    pub name: String,
    pub version: i32,
    pub fields: Vec<FieldView>,
    pub countries: Vec<(&'static str, &'static str)>,
    pub checked: bool,
    pub accepted: Vec<(String, String)>,
    pub error_count: usize,
}
