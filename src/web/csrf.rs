//! Synchroniser-token CSRF protection.
//!
//! Each session holds a random token; every form carries it in a hidden
//! `csrf_token` field; [`CsrfForm`] refuses a post whose token does not
//! match, before the handler runs. Handlers that take a form therefore
//! cannot forget the check.

use crate::domain::SecretToken;
use crate::error::AppError;
use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use subtle::ConstantTimeEq;

const KEY: &str = "csrf";
/// Largest form body accepted. Flow imports (JSON with a base64 logo of up
/// to 512 KB) are the largest forms; file uploads use multipart instead.
const FORM_LIMIT: usize = 1024 * 1024;

/// The session's token, created on first use.
pub fn token(session: &Session) -> String {
    if let Ok(Some(existing)) = session.get::<String>(KEY) {
        return existing;
    }
    rotate(session)
}

/// Replaces the token (at sign-in, so a token seen before sign-in is useless after).
pub fn rotate(session: &Session) -> String {
    let fresh = SecretToken::generate().plain;
    if session.insert(KEY, &fresh).is_err() {
        tracing::warn!("could not store the CSRF token");
    }
    fresh
}

/// Whether `presented` is the session's token (constant-time comparison).
pub fn verify(session: &Session, presented: &str) -> bool {
    match session.get::<String>(KEY) {
        Ok(Some(expected)) => !presented.is_empty() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes())),
        _ => false,
    }
}

#[derive(Deserialize)]
struct TokenOnly {
    #[serde(default)]
    csrf_token: String,
}

/// A url-encoded form whose CSRF token has been checked.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let body = Bytes::from_request(req, payload);
        let is_form = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        Box::pin(async move {
            if !is_form {
                return Err(AppError::BadRequest(
                    "This address expects a form submitted from a Veridesk page.".into(),
                ));
            }
            // Past the server's payload limit the body is refused unread,
            // as `Overflow`: that is a form too large, not an unreadable one.
            let body = body
                .await
                .map_err(|e| match e.as_error::<actix_web::error::PayloadError>() {
                    Some(actix_web::error::PayloadError::Overflow) => {
                        AppError::BadRequest("The form is too large.".into())
                    }
                    _ => AppError::BadRequest("The form could not be read.".into()),
                })?;
            if body.len() > FORM_LIMIT {
                return Err(AppError::BadRequest("The form is too large.".into()));
            }
            let body = super::nul::without_nul(&body);
            let token: TokenOnly = serde_html_form::from_bytes(&body).map_err(|_| AppError::Csrf)?;
            if !verify(&session, &token.csrf_token) {
                return Err(AppError::Csrf);
            }
            serde_html_form::from_bytes(&body)
                .map(CsrfForm)
                .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}.")))
        })
    }
}
