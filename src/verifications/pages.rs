//! Verification session templates.

use super::forms::SessionForm;
use crate::web::{Chrome, FormErrors};
use askama::Template;

/// A flow one may choose, with its defaults for the form's script.
pub struct FlowChoice {
    pub id: String,
    pub name: String,
    pub expiry_hours: u32,
    pub session_minutes: u32,
}

/// A saved template one may choose, with its text for the form's script.
pub struct TemplateChoice {
    pub id: String,
    pub name: String,
    pub subject: String,
    pub body: String,
}

/// GET /applicants/{id}/sessions/new
#[derive(Template)]
#[template(path = "admin/sessions/new.html")]
pub struct NewSessionPage {
    pub chrome: Chrome,
    pub applicant_id: String,
    pub applicant_name: String,
    pub form: SessionForm,
    pub errors: FormErrors,
    pub flows: Vec<FlowChoice>,
    pub templates: Vec<TemplateChoice>,
}

/// The answer to POST /applicants/{id}/sessions: the link, shown once.
#[derive(Template)]
#[template(path = "admin/sessions/created.html")]
pub struct CreatedPage {
    pub chrome: Chrome,
    pub applicant_id: String,
    pub applicant_name: String,
    pub url: String,
    pub expires: String,
    pub session_minutes: i32,
    pub flow_name: String,
    pub email_to: String,
    pub email_cc: String,
    pub email_status: String,
    /// The queued email's id, for following its delivery.
    pub email_message: String,
}
