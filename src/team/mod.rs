//! The team: members, invitations, role changes, deactivation.

mod forms;
mod handlers;
pub mod models;
mod pages;
pub mod queries;

use actix_web::web;

/// Mounts the team pages (back-office) and the invitation pages (public).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/team", web::get().to(handlers::team_page))
        .route("/team/invitations", web::post().to(handlers::invite_member))
        .route("/team/members/{id}", web::get().to(handlers::member_page))
        .route("/team/members/{id}/resend", web::post().to(handlers::resend_invitation))
        .route("/team/members/{id}/revoke", web::post().to(handlers::revoke_invitation))
        .route("/team/members/{id}/role", web::post().to(handlers::change_role))
        .route(
            "/team/members/{id}/deactivate",
            web::post().to(handlers::deactivate_member),
        )
        .route(
            "/team/members/{id}/reactivate",
            web::post().to(handlers::reactivate_member),
        )
        .route("/invitations/{token}", web::get().to(handlers::invitation_form))
        .route("/invitations/{token}", web::post().to(handlers::accept_invitation));
}
