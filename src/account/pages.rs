//! Account template.

use crate::web::{Chrome, FormErrors};
use askama::Template;

/// GET /account
#[derive(Template)]
#[template(path = "admin/account/index.html")]
pub struct AccountPage {
    pub chrome: Chrome,
    pub name: String,
    pub time_zone: String,
    pub email: String,
    pub errors: FormErrors,
    pub password_errors: FormErrors,
    pub zones: Vec<&'static str>,
}
