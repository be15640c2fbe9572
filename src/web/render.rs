//! Turning templates into responses.

use crate::error::AppError;
use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use askama::Template;

/// Renders `page` with 200 OK.
pub fn render(page: &impl Template) -> Result<HttpResponse, AppError> {
    render_status(StatusCode::OK, page)
}

/// Renders `page` with `status` (422 for a form that failed validation).
pub fn render_status<T: Template>(status: StatusCode, page: &T) -> Result<HttpResponse, AppError> {
    // A list runs to tens of kilobytes, past askama's estimate from the
    // template's own text: one allocation instead of a series of copies.
    let mut body = String::with_capacity(T::SIZE_HINT.max(32 * 1024));
    page.render_into(&mut body)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// A 303 redirect, the answer to every successful form post.
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
}
