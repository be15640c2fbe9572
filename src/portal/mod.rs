//! The applicant portal: the page behind a session link. No account, no
//! back-office chrome; the company's (or the flow's) name, colour and logo.

mod handlers;
pub mod words;

use actix_web::web;

/// Mounts the portal and its brand stylesheet.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v/{token}", web::get().to(handlers::landing))
        .route("/v/{token}", web::post().to(handlers::start))
        .route("/v/{token}", web::head().to(handlers::head))
        .route("/brand/colour/{hex}.css", web::get().to(handlers::brand_css));
}
