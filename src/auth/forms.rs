//! Authentication form inputs, as typed.

use serde::Deserialize;

/// POST /sign-in
#[derive(Deserialize, Default)]
pub struct SignInForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: String,
}

/// POST /forgot-password
#[derive(Deserialize, Default)]
pub struct ForgotForm {
    #[serde(default)]
    pub email: String,
}

/// POST /reset-password/{token}
#[derive(Deserialize, Default)]
pub struct ResetForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirmation: String,
}

/// POST /setup
#[derive(Deserialize, Default)]
pub struct SetupForm {
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirmation: String,
}
