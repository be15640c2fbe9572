//! Issuing a link for a verification (and emailing it), shared by the
//! create-session form and the profile's actions.

use super::queries;
use crate::audit::{self, EventKind};
use crate::domain::SecretToken;
use crate::email_templates::placeholders::{Values, format_expiry};
use crate::error::AppError;
use crate::outbox;
use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use serde_json::json;
use uuid::Uuid;

/// An email to send with the link.
pub struct LinkEmail {
    pub to: String,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    /// What `{{message}}` in the body stands for.
    pub message: String,
    /// The language of the saved template whose text it is, if any: its
    /// link's expiry date and footer follow it. `None`: the applicant's.
    pub language: Option<String>,
}

/// A link just issued; `url` holds the secret and is shown once.
pub struct Issued {
    pub url: String,
    pub expires_at: DateTime<Utc>,
    pub session_minutes: i32,
    pub email_to: Option<String>,
    pub email_cc: Vec<String>,
    /// The queued email, whose delivery the confirmation page follows.
    pub email_message: Option<Uuid>,
}

/// Issues a link to `verification` (of `applicant`), queues its email, and
/// adds both to the applicant's timeline through `events`, which the caller
/// writes. `note` is what the officer says to the applicant: the page behind
/// the link shows it, so it reaches them also when no email is sent.
#[allow(clippy::too_many_arguments)]
pub fn issue_link(
    conn: &mut PgConnection,
    base_url: &str,
    applicant: &crate::applicants::models::Applicant,
    verification: Uuid,
    expires_in: Duration,
    session_minutes: i32,
    max_attempts: i32,
    email: Option<LinkEmail>,
    note: Option<&str>,
    events: &mut audit::Batch<'_>,
) -> Result<Issued, AppError> {
    let now = events.at();
    let token = SecretToken::generate();
    let url = format!("{base_url}/v/{}", token.plain);
    let expires_at = now + expires_in;
    // The email is queued first so the link is stored once, already pointing
    // at it; both commit or roll back together.
    let queued = match &email {
        Some(email) => {
            let (company_name, sender_name) = crate::settings::queries::email_names(conn)?;
            let language = email.language.as_deref().unwrap_or(&applicant.language);
            let values = Values {
                session_url: url.clone(),
                applicant_name: applicant.name.clone(),
                link_expires_at: format_expiry(expires_at, language),
                company_name,
                message: email.message.clone(),
            };
            let mut message =
                super::email::compose(&email.to, &email.cc, &email.subject, &email.body, &values, language)?;
            message.applicant = Some(applicant.id);
            Some(outbox::queue_from(conn, now, &sender_name, message)?)
        }
        None => None,
    };
    queries::create_link(
        conn,
        queries::NewLink {
            applicant: applicant.id,
            verification,
            token_hash: &token.hash,
            expires_at,
            session_minutes,
            max_attempts,
            email_message: queued,
            created_by: events.actor().member_id,
            note,
        },
        now,
    )?;
    let subject = Some(("applicant", applicant.id.to_string()));
    events.add(
        EventKind::LinkCreated,
        subject.clone(),
        json!({ "expires_at": expires_at.to_rfc3339(), "session_minutes": session_minutes }),
    );
    let mut issued = Issued {
        url,
        expires_at,
        session_minutes,
        email_to: None,
        email_cc: Vec::new(),
        email_message: queued,
    };
    if let Some(email) = email {
        events.add(
            EventKind::LinkEmailQueued,
            subject,
            json!({ "to": email.to, "cc": email.cc.join(", ") }),
        );
        issued.email_to = Some(email.to);
        issued.email_cc = email.cc;
    }
    Ok(issued)
}
