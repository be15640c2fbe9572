//! Questionnaires: versioned forms used by questionnaire steps.

pub mod definition;
pub mod forms;
pub mod handlers;
mod pages;
pub mod queries;

pub use pages::{FieldView, field_views};

use actix_web::web;

/// Mounts the questionnaire pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/questionnaires", web::get().to(handlers::list_questionnaires))
        .route("/questionnaires", web::post().to(handlers::create_questionnaire))
        .route("/questionnaires/{id}", web::get().to(handlers::questionnaire_editor))
        .route(
            "/questionnaires/{id}/rename",
            web::post().to(handlers::rename_questionnaire),
        )
        .route(
            "/questionnaires/{id}/duplicate",
            web::post().to(handlers::duplicate_questionnaire),
        )
        .route(
            "/questionnaires/{id}/delete",
            web::post().to(handlers::delete_questionnaire),
        )
        .route("/questionnaires/{id}/preview", web::get().to(handlers::preview))
        .route("/questionnaires/{id}/preview", web::post().to(handlers::check_preview))
        .route("/questionnaires/{id}/questions", web::post().to(handlers::add_question))
        .route(
            "/questionnaires/{id}/questions/{question}",
            web::get().to(handlers::question_form),
        )
        .route(
            "/questionnaires/{id}/questions/{question}",
            web::post().to(handlers::save_question),
        )
        .route(
            "/questionnaires/{id}/questions/{question}/move",
            web::post().to(handlers::move_question),
        )
        .route(
            "/questionnaires/{id}/questions/{question}/delete",
            web::post().to(handlers::delete_question),
        );
}
