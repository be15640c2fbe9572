//! Applicants: the people and companies being verified.

pub(crate) mod actions;
pub mod deletion;
mod edit;
pub mod forms;
mod handlers;
pub mod models;
pub mod names;
mod pages;
pub mod profile;
pub mod queries;
pub mod search;

use actix_web::web;

/// Mounts the applicant pages. `/applicants/new` comes before `/applicants/{id}`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/applicants", web::get().to(handlers::list_applicants))
        .route("/applicants", web::post().to(handlers::create_applicant))
        .route("/applicants/new", web::get().to(handlers::new_applicant_form))
        .route("/applicants/{id}", web::get().to(profile::show_applicant))
        .route("/applicants/{id}", web::post().to(edit::update_applicant))
        .route("/applicants/{id}/edit", web::get().to(edit::edit_applicant_form))
        .route("/applicants/{id}/timeline", web::get().to(profile::show_timeline));
    actions::routes(cfg);
}
