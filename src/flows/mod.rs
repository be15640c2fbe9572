//! Verification flows: versioned templates of steps.

pub mod definition;
pub mod forms;
mod handlers;
mod pages;
pub mod queries;
pub mod transfer;

pub(crate) use pages::locked_note;

use actix_web::web;

/// Mounts the flow pages. `/flows/import` comes before `/flows/{id}`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/flows", web::get().to(handlers::list_flows))
        .route("/flows", web::post().to(handlers::create_flow))
        .route("/flows/import", web::get().to(handlers::import_form))
        .route("/flows/import", web::post().to(handlers::import_flow))
        .route("/flows/{id}", web::get().to(handlers::flow_editor))
        .route("/flows/{id}/rename", web::post().to(handlers::rename_flow))
        .route("/flows/{id}/duplicate", web::post().to(handlers::duplicate_flow))
        .route("/flows/{id}/archive", web::post().to(handlers::archive_flow))
        .route("/flows/{id}/unarchive", web::post().to(handlers::unarchive_flow))
        .route("/flows/{id}/settings", web::post().to(handlers::save_settings))
        .route("/flows/{id}/logo", web::post().to(handlers::upload_logo))
        .route("/flows/{id}/logo/delete", web::post().to(handlers::remove_logo))
        .route("/flows/{id}/steps", web::post().to(handlers::add_step))
        .route("/flows/{id}/steps/{step}", web::get().to(handlers::step_form))
        .route("/flows/{id}/steps/{step}", web::post().to(handlers::save_step))
        .route("/flows/{id}/steps/{step}/move", web::post().to(handlers::move_step))
        .route("/flows/{id}/steps/{step}/delete", web::post().to(handlers::remove_step))
        .route("/flows/{id}/publish", web::post().to(handlers::publish_flow))
        .route("/flows/{id}/discard", web::post().to(handlers::discard_draft))
        .route("/flows/{id}/versions", web::get().to(handlers::flow_versions))
        .route("/flows/{id}/preview", web::get().to(handlers::preview_flow))
        .route("/flows/{id}/export", web::get().to(handlers::export_flow));
}
