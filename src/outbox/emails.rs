//! The emails Veridesk sends, each with a subject, a text and an HTML body
//! rendered from `templates/email/<name>/`.

use super::Email;
use crate::error::AppError;
use askama::Template;

/// An invitation to join the team.
pub struct Invitation<'a> {
    pub company: &'a str,
    pub inviter: &'a str,
    pub role: &'a str,
    pub url: &'a str,
    pub expires: &'a str,
}

/// A password reset link.
pub struct PasswordReset<'a> {
    pub company: &'a str,
    pub name: &'a str,
    pub url: &'a str,
}

/// Notice that sign-in was locked after repeated failures.
pub struct LockedOut<'a> {
    pub company: &'a str,
    pub name: &'a str,
    pub until: &'a str,
    pub reset_url: &'a str,
}

macro_rules! email_templates {
    ($data:ident, $kind:literal, $text_path:literal, $html_path:literal, $text:ident, $html:ident, $subject:expr) => {
        #[derive(Template)]
        #[template(path = $text_path, escape = "none")]
        struct $text<'a> {
            e: &'a $data<'a>,
        }

        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> {
            e: &'a $data<'a>,
        }

        impl $data<'_> {
            /// Renders the email for `to`.
            pub fn compose(&self, to: &str) -> Result<Email, AppError> {
                let subject: fn(&Self) -> String = $subject;
                Ok(Email {
                    kind: $kind,
                    to: to.to_string(),
                    cc: Vec::new(),
                    subject: subject(self),
                    text: $text { e: self }.render()?,
                    html: $html { e: self }.render()?,
                    applicant: None,
                })
            }
        }
    };
}

email_templates!(
    Invitation,
    "invitation",
    "email/invitation/body.txt",
    "email/invitation/body.html",
    InvitationText,
    InvitationHtml,
    |e| format!("{} invited you to {} on Veridesk", e.inviter, e.company)
);
email_templates!(
    PasswordReset,
    "password_reset",
    "email/password_reset/body.txt",
    "email/password_reset/body.html",
    PasswordResetText,
    PasswordResetHtml,
    |e| format!("Reset your {} Veridesk password", e.company)
);
email_templates!(
    LockedOut,
    "locked_out",
    "email/locked_out/body.txt",
    "email/locked_out/body.html",
    LockedOutText,
    LockedOutHtml,
    |e| format!("Sign-in to {} Veridesk paused after failed attempts", e.company)
);
