//! Company settings template.

use super::forms::SettingsForm;
use crate::web::{Chrome, FormErrors};
use askama::Template;

/// GET /settings/company
#[derive(Template)]
#[template(path = "admin/settings/company.html")]
pub struct CompanySettingsPage {
    pub chrome: Chrome,
    pub form: SettingsForm,
    pub errors: FormErrors,
    pub has_logo: bool,
    pub logo_error: Option<String>,
    pub logo_version: i64,
    /// Why the form came back, besides its fields' messages.
    pub notice: Option<String>,
}
