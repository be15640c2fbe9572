//! Signing in and out, password resets, lockouts and first-run setup.

mod forms;
mod handlers;
mod pages;
pub mod password;
pub mod permissions;
pub mod queries;

pub use pages::InvalidLinkPage as InvalidLink;

use actix_web::web;

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
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}
