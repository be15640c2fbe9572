//! Verification session templates.

use super::forms::SessionForm;
use super::issue::Issued;
use crate::web::{Chrome, CurrentMember, FormErrors};
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
    /// Saved under older rules: offered, but not choosable, until edited.
    pub needs_change: bool,
    /// Written in another language than the applicant's: its name, said
    /// beside the template's.
    pub other_language: Option<String>,
}

/// GET /applicants/{id}/sessions/new
#[derive(Template)]
#[template(path = "admin/sessions/new.html")]
pub struct NewSessionPage {
    pub chrome: Chrome,
    pub applicant_id: String,
    pub applicant_name: String,
    /// Says which language the email's starting text is in: the applicant's.
    pub subject_hint: String,
    /// The applicant's language, by name.
    pub text_language: String,
    /// Whether the chosen flow is among those offered (one refused for the
    /// applicant's type is not: the list then asks for a choice).
    pub flow_listed: bool,
    /// What the empty flow list says.
    pub no_flows: &'static str,
    /// What the officer should know before sending: a decision it undoes.
    pub notice: Option<String>,
    /// No session can be created (data deleted or to be, a final
    /// rejection): the notice says why, and the button is disabled.
    pub refused: bool,
    pub form: SessionForm,
    pub errors: FormErrors,
    pub flows: Vec<FlowChoice>,
    pub templates: Vec<TemplateChoice>,
}

impl NewSessionPage {
    /// Whether a template is in another language than the applicant's.
    fn any_other_language(&self) -> bool {
        self.templates.iter().any(|t| t.other_language.is_some())
    }
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

impl CreatedPage {
    /// The page for a link just `issued` to an applicant, with times in the
    /// member's zone.
    pub fn new(
        chrome: Chrome,
        member: &CurrentMember,
        applicant_id: uuid::Uuid,
        applicant_name: String,
        flow_name: String,
        issued: Issued,
    ) -> Self {
        Self {
            chrome,
            applicant_id: applicant_id.to_string(),
            applicant_name,
            url: issued.url,
            expires: member.format_time(issued.expires_at),
            session_minutes: issued.session_minutes,
            flow_name,
            email_status: if issued.email_to.is_some() {
                "queued".into()
            } else {
                String::new()
            },
            email_to: issued.email_to.unwrap_or_default(),
            email_cc: issued.email_cc.join(", "),
            email_message: issued.email_message.map(|m| m.to_string()).unwrap_or_default(),
        }
    }
}
