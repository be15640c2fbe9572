//! Verifications: one run of one flow version for one applicant, the
//! session links that open it, and the emails that carry them.

mod email;
pub use email::KIND as LINK_EMAIL_KIND;
mod forms;
mod handlers;
pub mod issue;
pub mod links;
pub mod pages;
pub mod queries;

use actix_web::web;

/// Mounts the session pages (under an applicant).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/applicants/{id}/sessions/new",
        web::get().to(handlers::new_session_form),
    )
    .route("/applicants/{id}/sessions", web::post().to(handlers::create_session))
    .route(
        "/applicants/{id}/emails/{message}",
        web::get().to(handlers::link_email_status),
    );
}
