//! Builds the HTTP application, mounts every feature and starts the
//! background workers.

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::outbox::worker::{self, Transport};
use crate::web::AppState;
use crate::web::request_span::RedactedSpan;
use crate::web::session_store::{PgSessionStore, purge_expired};
use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpResponse, HttpServer, web};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;
use tracing_actix_web::TracingLogger;

/// Security headers sent with every answer (error pages raised by a
/// middleware skip them and bring their own). Over HTTPS (secure cookies)
/// browsers are also told to keep to HTTPS for a year, so a network
/// attacker cannot downgrade a later visit and read the session cookie or a
/// link's token.
fn security_headers(https: bool) -> DefaultHeaders {
    let headers = if https {
        DefaultHeaders::new().add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        DefaultHeaders::new()
    };
    crate::error::SECURITY_HEADERS
        .iter()
        .fold(headers, |headers, &header| headers.add(header))
}

/// Where static files live: `STATIC_DIR`, `./static`, or the source tree's.
fn static_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("STATIC_DIR") {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("static");
    if local.is_dir() {
        local
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static")
    }
}

/// A built server with its state, ready to be awaited.
pub struct Application {
    /// The running server.
    pub server: Server,
    /// The port it listens on.
    pub port: u16,
    /// The shared state (tests use its clock and pool).
    pub state: AppState,
}

/// Builds the application on `listener` and starts its background workers.
/// `database_url` is the database `pool` connects to: the session listener
/// (see [`crate::web::session_cache`]) keeps a connection of its own.
pub fn build(
    settings: Settings,
    pool: DbPool,
    database_url: &str,
    clock: Clock,
    listener: TcpListener,
) -> anyhow::Result<Application> {
    let port = listener.local_addr()?.port();
    let key = match &settings.session_secret {
        Some(secret) => Key::derive_from(secret.expose().as_bytes()),
        None => {
            tracing::warn!("SESSION_SECRET is not set: sessions will not survive a restart");
            Key::generate()
        }
    };
    if settings.smtp_url.is_none() && settings.base_url.starts_with("https://") {
        tracing::warn!(
            "SMTP_URL is not set: emails stay in the development mailbox, where an Owner can read every link in them"
        );
    }
    let transport = Transport::from_settings(settings.smtp_url.as_ref().map(|s| s.expose()))?;
    let state = AppState::new(pool.clone(), settings, clock.clone());
    let settings = state.settings.clone();
    let store = PgSessionStore::new(
        pool.clone(),
        clock.clone(),
        chrono::Duration::minutes(settings.session_idle_minutes),
        chrono::Duration::hours(settings.session_absolute_hours),
        state.session_copies.clone(),
    );
    crate::web::session_cache::listen(&state.session_copies, database_url.to_string());
    let blocking_threads =
        (settings.database_pool_size as usize / settings.workers).max(2) + settings.hashing_concurrency;
    let static_dir = static_dir();
    let data = web::Data::new(state.clone());
    let server = HttpServer::new(move || {
        let sessions = SessionMiddleware::builder(store.clone(), key.clone())
            .cookie_name(crate::web::session_store::COOKIE_NAME.into())
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .cookie_secure(settings.cookie_secure)
            .cookie_content_security(CookieContentSecurity::Signed)
            .session_lifecycle(
                BrowserSession::default().state_ttl(actix_web::cookie::time::Duration::hours(
                    settings.session_absolute_hours,
                )),
            )
            .build();
        App::new()
            .wrap(security_headers(settings.cookie_secure))
            .wrap(TracingLogger::<RedactedSpan>::new())
            .wrap(actix_web::middleware::from_fn(crate::web::nul::drop_from_query))
            .app_data(data.clone())
            // Form bodies up to 1 MiB (flow imports); CsrfForm enforces the same bound.
            .app_data(web::PayloadConfig::new(1024 * 1024))
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|e, _| AppError::BadRequest(crate::web::query_problem(&e.to_string())).into()),
            )
            .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
            .route("/health", web::get().to(health))
            .route("/status", web::get().to(status_page))
            // Style sheets and scripts change with each release while their
            // names stay: browsers must ask again (a 304 when unchanged)
            // rather than guess how long a copy stays fresh, or a page of
            // the new release could run with the old script.
            .service(
                web::scope("/static")
                    .wrap(DefaultHeaders::new().add(("Cache-Control", "no-cache")))
                    .service(actix_files::Files::new("", static_dir.clone())),
            )
            .service(
                web::scope("")
                    .wrap(actix_web::middleware::from_fn(crate::error::mark_handler_reached))
                    .wrap(sessions)
                    .wrap(actix_web::middleware::from_fn(
                        crate::web::session_cache::forget_after_writes,
                    ))
                    .wrap(actix_web::middleware::from_fn(crate::error::answer_failures))
                    .configure(crate::home::routes)
                    .configure(crate::auth::routes)
                    .configure(crate::team::routes)
                    .configure(crate::roles::routes)
                    .configure(crate::settings::routes)
                    .configure(crate::account::routes)
                    .configure(crate::audit::routes)
                    .configure(crate::outbox::routes)
                    .configure(crate::questionnaires::routes)
                    .configure(crate::flows::routes)
                    .configure(crate::assets::routes)
                    .configure(crate::applicants::routes)
                    .configure(crate::email_templates::routes)
                    .configure(crate::verifications::routes)
                    .configure(crate::portal::routes)
                    .default_service(web::to(not_found)),
            )
    })
    .workers(state.settings.workers)
    .worker_max_blocking_threads(blocking_threads)
    .listen(listener)?
    .run();

    actix_web::rt::spawn(worker::run(state.clone(), transport));
    if state.settings.sweep_minutes > 0 {
        actix_web::rt::spawn(sweep(state.clone()));
    }
    Ok(Application { server, port, state })
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// GET /health: up, and the database answers.
async fn health(state: web::Data<AppState>) -> HttpResponse {
    let ok = db::run(&state.pool, |conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query("SELECT 1").execute(conn)?;
        Ok(())
    })
    .await
    .is_ok();
    if ok {
        HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
    } else {
        HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "database unavailable" }))
    }
}

/// GET /status: a public page saying the service is up, under the
/// company's name. One query and one template: the benchmarks use it as the
/// baseline a full back-office page is compared with.
#[derive(askama::Template)]
#[template(path = "status.html")]
struct StatusPage {
    company: String,
}

async fn status_page(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let company = db::run(&state.pool, |conn| Ok(crate::settings::queries::company_name(conn)?)).await?;
    crate::web::render(&StatusPage { company })
}

/// Deletes expired sessions, closes links that ran out and purges applicants
/// past their grace period, every `SWEEP_MINUTES`.
async fn sweep(state: AppState) {
    let idle = chrono::Duration::minutes(state.settings.session_idle_minutes);
    loop {
        let now = state.clock.now();
        if let Err(error) = db::read(&state.pool, move |conn| Ok(purge_expired(conn, now, idle)?)).await {
            tracing::error!(%error, "could not delete expired sessions");
        }
        // Links whose time ran out are closed, and each applicant's timeline
        // says so: both or neither.
        let closed = db::run(&state.pool, move |conn| {
            Ok(crate::verifications::queries::close_lapsed_links(conn, now)?)
        })
        .await;
        if let Err(error) = closed {
            tracing::error!(%error, "could not close links that ran out");
        }
        // Applicants whose deletion grace period ended lose their personal
        // data, each in a transaction of its own.
        let purged = db::read(&state.pool, move |conn| {
            Ok(crate::applicants::deletion::purge_due(conn, now)?)
        })
        .await;
        match purged {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "applicants purged after their deletion grace period"),
            Err(error) => tracing::error!(%error, "could not look for applicants to purge"),
        }
        // The per-IP sign-in limiter keeps a key per address; forget idle ones.
        state.signin_limiter.retain_recent();
        state.signin_pacer.retain_recent();
        tokio::time::sleep(Duration::from_secs(60 * state.settings.sweep_minutes)).await;
    }
}
