//! Roles: the four built-in ones and custom roles made by ticking permissions.

mod forms;
mod handlers;
pub mod models;
mod pages;
pub mod queries;

use actix_web::web;

/// Mounts the roles pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/roles", web::get().to(handlers::list_roles))
        .route("/roles", web::post().to(handlers::create_role))
        .route("/roles/new", web::get().to(handlers::new_role_form))
        .route("/roles/{id}", web::get().to(handlers::edit_role_form))
        .route("/roles/{id}", web::post().to(handlers::update_role))
        .route("/roles/{id}/delete", web::post().to(handlers::delete_role));
}
