//! A member's own account: name, time zone, password.

mod handlers;
mod pages;

use actix_web::web;

/// Mounts the account pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(handlers::account_page))
        .route("/account", web::post().to(handlers::update_profile))
        .route("/account/password", web::post().to(handlers::change_password));
}
