//! One-shot messages shown on the page after a redirect.

use actix_session::Session;
use serde::{Deserialize, Serialize};

const KEY: &str = "flash";

/// How a flash message is styled.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    /// Something worked.
    Success,
    /// Something to know.
    Info,
    /// Something failed.
    Error,
}

/// A message waiting for the next page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Flash {
    /// Its style.
    pub kind: FlashKind,
    /// Its text.
    pub text: String,
}

impl Flash {
    /// The CSS class for the message.
    pub fn css(&self) -> &'static str {
        match self.kind {
            FlashKind::Success => "flash-success",
            FlashKind::Info => "flash-info",
            FlashKind::Error => "flash-error",
        }
    }
}

/// Adds a message for the next rendered page.
pub fn push(session: &Session, kind: FlashKind, text: impl Into<String>) {
    let mut all: Vec<Flash> = session.get(KEY).ok().flatten().unwrap_or_default();
    all.push(Flash {
        kind,
        text: text.into(),
    });
    if session.insert(KEY, all).is_err() {
        tracing::warn!("could not store a flash message");
    }
}

/// Takes the waiting messages (they show once).
///
/// Checks first: `Session::remove` marks the session changed even when the
/// key is absent, which would rewrite the stored session on every page.
pub fn take(session: &Session) -> Vec<Flash> {
    if !session.contains_key(KEY) {
        return Vec::new();
    }
    session
        .remove_as::<Vec<Flash>>(KEY)
        .and_then(Result::ok)
        .unwrap_or_default()
}
