//! Email templates for verification link emails: a name, a subject and a
//! body with `{{placeholders}}`.

mod handlers;
pub mod placeholders;
pub mod queries;

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

/// The subject and body new templates start with.
pub const DEFAULT_SUBJECT: &str = "Please verify your identity with {{company_name}}";
/// The body new templates start with.
pub const DEFAULT_BODY: &str = "Hello {{applicant_name}},\n\n{{company_name}} needs to verify your identity. It takes about five minutes on your phone or computer.\n\nStart here: {{session_url}}\n\nThe link works until {{link_expires_at}}.\n\nThank you.";
