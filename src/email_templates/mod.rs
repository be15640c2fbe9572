//! Email templates for verification link emails: a name, a subject and a
//! body with `{{placeholders}}`.

mod handlers;
pub mod placeholders;
pub mod queries;
pub mod wording;

use actix_web::web;

/// Mounts the email template pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/email-templates", web::get().to(handlers::list_templates))
        .route("/email-templates", web::post().to(handlers::create_template))
        .route("/email-templates/new", web::get().to(handlers::new_template_form))
        .route("/email-templates/{id}", web::get().to(handlers::edit_template_form))
        .route("/email-templates/{id}", web::post().to(handlers::update_template))
        .route(
            "/email-templates/{id}/delete",
            web::post().to(handlers::delete_template),
        );
}

/// The subject new templates start with: the English invitation's.
pub const DEFAULT_SUBJECT: &str = wording::ENGLISH.invitation.subject;
/// The body new templates start with: the English invitation's.
pub const DEFAULT_BODY: &str = wording::ENGLISH.invitation.body;
