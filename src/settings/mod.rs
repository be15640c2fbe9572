//! Company settings: identity, sender name, brand colour and logo.

pub mod forms;
mod handlers;
mod pages;
pub mod queries;

use actix_web::web;

/// Mounts the settings pages and the public logo.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/settings/company", web::get().to(handlers::company_settings))
        .route("/settings/company", web::post().to(handlers::update_company_settings))
        .route("/settings/company/logo", web::post().to(handlers::upload_logo))
        .route("/settings/company/logo/delete", web::post().to(handlers::delete_logo))
        .route("/brand/logo", web::get().to(handlers::logo));
}
