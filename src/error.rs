//! One error type for every handler.
//!
//! Each variant maps to one status and one plain page. Causes of 5xx errors
//! go to the log, never into the response body.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 404: the thing does not exist (or the caller may not know it does).
    #[error("not found")]
    NotFound,
    /// 403: signed in, but the role lacks the permission.
    #[error("forbidden")]
    Forbidden,
    /// Not signed in: redirect to sign-in, then back to `next`.
    #[error("not signed in")]
    Unauthorized {
        /// The path to come back to after signing in.
        next: Option<String>,
    },
    /// 403: the form's CSRF token is missing or wrong.
    #[error("invalid CSRF token")]
    Csrf,
    /// 400: a request no form of ours produces (tampered or truncated).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 409: the action conflicts with the current state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 410: a link that has expired or was used.
    #[error("gone: {0}")]
    Gone(String),
    /// 429: too many attempts from this client.
    #[error("too many requests")]
    TooManyRequests,
    /// 503: no database connection available right now.
    #[error("service unavailable")]
    Unavailable,
    /// 500: a bug or an outage; the cause is logged.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// An internal error with its cause, for the log.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            // Two people changing the same thing at once: the loser gets a
            // clear conflict page, never a 500.
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation
                | diesel::result::DatabaseErrorKind::ForeignKeyViolation
                | diesel::result::DatabaseErrorKind::CheckViolation,
                _,
            ) => Self::Conflict(
                "Someone changed this at the same moment. Go back, reload the page and try again.".into(),
            ),
            other => Self::internal(format!("database: {other}")),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::internal(format!("template: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(format!("blocking: {e}"))
    }
}

/// Headers every page is sent with, whatever the scheme. Over HTTPS,
/// `startup` adds Strict-Transport-Security to every answer but the error
/// pages a middleware raises, which bring only these (browsers keep the
/// former from any other page).
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
];

/// The plain page shown for every error.
#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    code: u16,
    title: &'a str,
    message: &'a str,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::Unauthorized { .. } => StatusCode::SEE_OTHER,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Gone(_) => StatusCode::GONE,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Unauthorized { next } = self {
            let location = match next {
                Some(next) => format!(
                    "/sign-in?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                ),
                None => "/sign-in".to_string(),
            };
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        let (title, message): (&str, &str) = match self {
            Self::NotFound => (
                "Page not found",
                "There is nothing at this address. It may have been removed, or the link may be mistyped.",
            ),
            Self::Forbidden => (
                "Not allowed",
                "Your role does not include permission for this page or action. Ask an admin if you need it.",
            ),
            Self::Csrf => (
                "Form expired",
                "This form was open too long or came from another site. Go back, reload the page and try again.",
            ),
            Self::BadRequest(m) | Self::Conflict(m) | Self::Gone(m) => ("Something is not right", m.as_str()),
            Self::TooManyRequests => (
                "Too many attempts",
                "Too many attempts from your network. Wait a minute and try again.",
            ),
            Self::Unavailable => ("Busy", "Veridesk is busy right now. Try again in a few seconds."),
            Self::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    "Something went wrong",
                    "An unexpected error happened on our side. It has been logged; try again, and tell your administrator if it keeps happening.",
                )
            }
            Self::Unauthorized { .. } => ("", ""),
        };
        let status = self.status_code();
        let page = ErrorPage {
            code: status.as_u16(),
            title,
            message,
        };
        let body = page.render().unwrap_or_else(|_| format!("{} {title}", status.as_u16()));
        // As every rendered page: a conflict's message may name a member or
        // an applicant, and a shared computer's cache must not keep it.
        let mut response = HttpResponse::build(status);
        response
            .content_type("text/html; charset=utf-8")
            .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
        // Errors raised by a middleware leave without the headers every
        // answer gets (`startup::security_headers`): an error page brings
        // its own.
        for &(name, value) in SECURITY_HEADERS {
            response.insert_header((name, value));
        }
        response.body(body)
    }
}

/// Set by [`mark_handler_reached`] once a request got past the session
/// middleware to its handler.
#[derive(Clone, Default)]
struct HandlerReached(std::rc::Rc<std::cell::Cell<bool>>);

/// Middleware, around the session middleware: an error raised by a
/// middleware around the handlers would otherwise reach the browser as the
/// session middleware's empty 500. A server error is logged and answered
/// with a page: "busy" when the request never reached its handler (the
/// session could not be read: the database is away, say), as a pool
/// timeout is; "something went wrong" when it did (the session could not
/// be saved after the handler ran), since what the handler did may have
/// been committed and "try again" could do it twice. Other errors, and
/// handlers' and extractors' own errors (answers already), pass untouched.
pub async fn answer_failures<B: actix_web::body::MessageBody>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<actix_web::dev::ServiceResponse<B>, actix_web::Error> {
    use actix_web::HttpMessage;
    let reached = HandlerReached::default();
    req.extensions_mut().insert(reached.clone());
    next.call(req).await.map_err(|error| {
        if !error.as_response_error().status_code().is_server_error() {
            return error;
        }
        if reached.0.get() {
            AppError::internal(format!("after the handler: {error}")).into()
        } else {
            tracing::error!(%error, "request failed before its handler");
            AppError::Unavailable.into()
        }
    })
}

/// Middleware, inside the session middleware: notes for
/// [`answer_failures`] that the request reached its handler.
pub async fn mark_handler_reached<B: actix_web::body::MessageBody>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<actix_web::dev::ServiceResponse<B>, actix_web::Error> {
    use actix_web::HttpMessage;
    if let Some(reached) = req.extensions().get::<HandlerReached>() {
        reached.0.set(true);
    }
    next.call(req).await
}
