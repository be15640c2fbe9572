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
            let body = without_nul(&body);
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

/// The form body without NUL characters, encoded (`%00`) or raw.
/// PostgreSQL text cannot hold them, so a NUL pasted into any field would
/// make the write fail; nobody means to type one, and dropping it keeps the
/// rest of what was typed.
fn without_nul(body: &[u8]) -> Vec<u8> {
    let mut current = body.to_vec();
    // Removing one can join its neighbours into another (`%%0000`), so
    // until none is left.
    loop {
        let mut out = Vec::with_capacity(current.len());
        let mut rest = current.as_slice();
        while let Some((&first, tail)) = rest.split_first() {
            if rest.starts_with(b"%00") {
                rest = &rest[3..];
            } else {
                if first != 0 {
                    out.push(first);
                }
                rest = tail;
            }
        }
        if out.len() == current.len() {
            return out;
        }
        current = out;
    }
}

#[cfg(test)]
mod nul_tests {
    use super::without_nul;

    #[test]
    fn nul_characters_are_dropped_from_form_bodies() {
        assert_eq!(
            without_nul(b"a=x%00y&b=%2500z"),
            b"a=xy&b=%2500z".to_vec(),
            "an encoded % stays"
        );
        assert_eq!(without_nul(b"a=x%00%00"), b"a=x".to_vec());
        assert_eq!(
            without_nul(&[b'a', b'=', 0, b'1']),
            b"a=1".to_vec(),
            "a raw NUL goes too"
        );
        assert_eq!(
            without_nul(b"a=%%0000"),
            b"a=".to_vec(),
            "nor one that removing another makes"
        );
        assert_eq!(without_nul(&[b'a', b'=', b'%', 0, b'0', b'0']), b"a=".to_vec());
    }
}
