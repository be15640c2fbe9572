//! Signing in and out, password resets, lockouts and first-run setup.

mod forms;
mod handlers;
mod pages;
pub mod password;
pub mod permissions;
pub mod queries;

pub use pages::InvalidLinkPage as InvalidLink;

use actix_web::web;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;
use std::time::Duration;

/// The pace of sign-in attempts for one email: three at once, then one
/// every two seconds. Typing a password again now and then never waits; a
/// run of guesses slows down before five failures lock the account.
pub fn pace() -> Quota {
    Quota::per_minute(NonZeroU32::MIN.saturating_add(29)).allow_burst(NonZeroU32::MIN.saturating_add(2))
}

/// The longest an attempt is held back.
const MOST_HELD: Duration = Duration::from_secs(5);

/// Holds a sign-in attempt for `email` back until its pace allows it, or
/// for [`MOST_HELD`] at most. Keyed by the email as typed (lower-cased),
/// whether or not a member has it, so the wait tells nothing about which
/// emails exist.
pub async fn slow_down(pacer: &DefaultKeyedRateLimiter<String>, email: &str) {
    use governor::clock::{Clock, DefaultClock};
    let key = email.trim().to_lowercase();
    let deadline = tokio::time::Instant::now() + MOST_HELD;
    while let Err(not_until) = pacer.check_key(&key) {
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return;
        }
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        tokio::time::sleep(wait.min(deadline - now)).await;
    }
}

/// Mounts the public authentication pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in", web::get().to(handlers::sign_in_form))
        .route("/sign-in", web::post().to(handlers::sign_in))
        .route("/sign-out", web::post().to(handlers::sign_out))
        .route("/forgot-password", web::get().to(handlers::forgot_password_form))
        .route("/forgot-password", web::post().to(handlers::forgot_password))
        .route("/reset-password/{token}", web::get().to(handlers::reset_password_form))
        .route("/reset-password/{token}", web::post().to(handlers::reset_password))
        .route("/setup", web::get().to(handlers::setup_form))
        .route("/setup", web::post().to(handlers::setup));
}

/// Where to go after signing in: only local paths, never another site.
///
/// Browsers drop tabs and newlines inside URLs, so `/\t/evil.test` would
/// become `//evil.test`: any whitespace, control character or backslash is
/// refused outright.
pub fn safe_next(next: &str) -> &str {
    let plain = !next.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if plain && next.starts_with('/') && !next.starts_with("//") {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/audit?kind=x"), "/audit?kind=x");
        for evil in [
            "//evil.test",
            "/\t/evil.test",
            "/\\evil.test",
            "https://evil.test",
            "/\n/evil",
            "/ /x",
            "",
        ] {
            assert_eq!(safe_next(evil), "/", "{evil:?}");
        }
    }
}
