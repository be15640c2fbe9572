//! Authentication templates (no back-office chrome).

use crate::web::{Flash, FormErrors};
use askama::Template;

/// GET /sign-in
#[derive(Template)]
#[template(path = "auth/sign_in.html")]
pub struct SignInPage {
    pub title: &'static str,
    pub flashes: Vec<Flash>,
    pub csrf: String,
    pub email: String,
    pub next: String,
    pub error: Option<String>,
    pub setup_available: bool,
}

/// GET /forgot-password
#[derive(Template)]
#[template(path = "auth/forgot_password.html")]
pub struct ForgotPage {
    pub title: &'static str,
    pub flashes: Vec<Flash>,
    pub csrf: String,
    pub email: String,
    pub errors: FormErrors,
    pub sent: bool,
}

/// GET /reset-password/{token}
#[derive(Template)]
#[template(path = "auth/reset_password.html")]
pub struct ResetPage {
    pub title: &'static str,
    pub flashes: Vec<Flash>,
    pub csrf: String,
    pub action: String,
    pub email: String,
    pub errors: FormErrors,
}

/// A link that no longer works (expired, used, revoked).
#[derive(Template)]
#[template(path = "auth/invalid_link.html")]
pub struct InvalidLinkPage {
    pub title: &'static str,
    pub flashes: Vec<Flash>,
    pub message: &'static str,
}

/// GET /setup
#[derive(Template)]
#[template(path = "auth/setup.html")]
pub struct SetupPage {
    pub title: &'static str,
    pub flashes: Vec<Flash>,
    pub csrf: String,
    pub company: String,
    pub name: String,
    pub email: String,
    pub errors: FormErrors,
}
