//! Typed settings read from the environment once, at start-up.
//!
//! An invalid value stops the process with a message naming the variable,
//! so a typo never turns into a surprising default in production.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

/// A value that must never be printed, e.g. in a `Debug` of the settings.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: String) -> Self {
        Self(value)
    }
    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// All runtime settings. Every field maps to one documented variable.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `BIND_ADDRESS`: where the HTTP server listens.
    pub bind_address: SocketAddr,
    /// `BASE_URL`: the public address used in emailed links.
    pub base_url: String,
    /// `DATABASE_URL`: PostgreSQL to use; unset starts a private cluster under `DATA_DIR`.
    pub database_url: Option<Secret>,
    /// `DATABASE_POOL_SIZE`: connections in the pool. The default, twice the
    /// cores plus one, keeps PostgreSQL busy without making its backends
    /// take turns on the CPU: on 2 cores, 5 connections create about a
    /// tenth more verification sessions per second than 10 do.
    pub database_pool_size: u32,
    /// `DATA_DIR`: where the private PostgreSQL cluster and other local state live.
    pub data_dir: PathBuf,
    /// `LOCAL_PG_PORT`: the port of the private PostgreSQL cluster (when `DATABASE_URL` is unset).
    pub local_pg_port: u16,
    /// `SESSION_SECRET`: at least 64 characters signing the session cookie; unset generates one per start.
    pub session_secret: Option<Secret>,
    /// `SESSION_IDLE_MINUTES`: a session unused this long ends.
    pub session_idle_minutes: i64,
    /// `SESSION_ABSOLUTE_HOURS`: a session ends this long after sign-in, used or not.
    pub session_absolute_hours: i64,
    /// `COOKIE_SECURE`: mark cookies Secure (defaults to true when `BASE_URL` is https).
    pub cookie_secure: bool,
    /// `SMTP_URL`: e.g. `smtp://user:pass@mail.example.com:587?tls=required`; unset keeps mail in the development mailbox.
    pub smtp_url: Option<Secret>,
    /// `MAIL_FROM`: the address emails are sent from.
    pub mail_from: String,
    /// `OUTBOX_POLL_MS`: how often the outbox worker looks for due messages.
    pub outbox_poll_ms: u64,
    /// `SIGNIN_RATE_PER_MINUTE`: sign-in attempts allowed per client IP per minute.
    pub signin_rate_per_minute: u32,
    /// `HASHING_CONCURRENCY`: password hashes computed at once (the rest wait).
    pub hashing_concurrency: usize,
    /// `WORKERS`: HTTP worker threads.
    pub workers: usize,
    /// `SWEEP_MINUTES`: how often expired sessions are deleted, links that ran
    /// out are closed and applicants past their grace period are purged (the
    /// first sweep runs at start); 1 to 1440. The purge is a retention
    /// promise, so the environment cannot turn it off; only the tests set 0
    /// here, and run each sweep themselves at the time they choose.
    pub sweep_minutes: u64,
    /// `TRUST_PROXY`: take the client IP from the last `X-Forwarded-For`
    /// entry, the one the proxy in front appended (only behind such a proxy).
    pub trust_proxy: bool,
}

/// A variable that could not be used, with the reason.
#[derive(Debug, thiserror::Error)]
#[error("invalid environment variable {name}: {reason}")]
pub struct ConfigError {
    /// The variable's name.
    pub name: &'static str,
    /// What is wrong with its value.
    pub reason: String,
}

fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|e: T::Err| ConfigError {
            name,
            reason: format!("{raw:?} is not valid ({e})"),
        }),
    }
}

fn ranged<T>(name: &'static str, default: T, min: T, max: T) -> Result<T, ConfigError>
where
    T: FromStr + PartialOrd + std::fmt::Display + Copy,
    T::Err: std::fmt::Display,
{
    let value = parse(name, default)?;
    if value < min || value > max {
        return Err(ConfigError {
            name,
            reason: format!("{value} is outside {min}..={max}"),
        });
    }
    Ok(value)
}

fn boolean(name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match var(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
        Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
        Some(v) => Err(ConfigError {
            name,
            reason: format!("{v:?} is not a boolean (use true or false)"),
        }),
    }
}

impl Settings {
    /// Reads and validates every variable.
    pub fn from_env() -> Result<Self, ConfigError> {
        let bind_address: SocketAddr = parse("BIND_ADDRESS", ([127, 0, 0, 1], 8080).into())?;
        let base_url = var("BASE_URL")
            .unwrap_or_else(|| format!("http://{bind_address}"))
            .trim_end_matches('/')
            .to_string();
        let parsed = url::Url::parse(&base_url).map_err(|e| ConfigError {
            name: "BASE_URL",
            reason: format!("{base_url:?} is not a URL ({e})"),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ConfigError {
                name: "BASE_URL",
                reason: "must start with http:// or https://".into(),
            });
        }
        let database_url = var("DATABASE_URL").map(Secret::new);
        if let Some(url) = &database_url
            && !url.expose().starts_with("postgres://")
            && !url.expose().starts_with("postgresql://")
        {
            return Err(ConfigError {
                name: "DATABASE_URL",
                reason: "must start with postgres:// or postgresql://".into(),
            });
        }
        let session_secret = var("SESSION_SECRET").map(Secret::new);
        if let Some(secret) = &session_secret
            && secret.expose().len() < 64
        {
            return Err(ConfigError {
                name: "SESSION_SECRET",
                reason: "must be at least 64 characters (e.g. `openssl rand -hex 32`)".into(),
            });
        }
        let smtp_url = var("SMTP_URL").map(Secret::new);
        if let Some(url) = &smtp_url
            && !url.expose().starts_with("smtp://")
            && !url.expose().starts_with("smtps://")
        {
            return Err(ConfigError {
                name: "SMTP_URL",
                reason: "must start with smtp:// or smtps://".into(),
            });
        }
        let mail_from = var("MAIL_FROM").unwrap_or_else(|| "veridesk@localhost".into());
        if mail_from.parse::<lettre::Address>().is_err() {
            return Err(ConfigError {
                name: "MAIL_FROM",
                reason: format!("{mail_from:?} is not an email address"),
            });
        }
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            bind_address,
            cookie_secure: boolean("COOKIE_SECURE", parsed.scheme() == "https")?,
            base_url,
            database_url,
            database_pool_size: ranged("DATABASE_POOL_SIZE", (2 * cores + 1).min(200) as u32, 2, 200)?,
            data_dir: PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "var".into())),
            local_pg_port: ranged("LOCAL_PG_PORT", 54329, 1024, 65535)?,
            session_secret,
            session_idle_minutes: ranged("SESSION_IDLE_MINUTES", 60, 1, 24 * 60)?,
            session_absolute_hours: ranged("SESSION_ABSOLUTE_HOURS", 12, 1, 24 * 30)?,
            smtp_url,
            mail_from,
            outbox_poll_ms: ranged("OUTBOX_POLL_MS", 1000, 10, 600_000)?,
            signin_rate_per_minute: ranged("SIGNIN_RATE_PER_MINUTE", 30, 1, u32::MAX)?,
            hashing_concurrency: ranged("HASHING_CONCURRENCY", 1, 1, 64)?,
            workers: ranged("WORKERS", cores, 1, 256)?,
            sweep_minutes: ranged("SWEEP_MINUTES", 10, 1, 24 * 60)?,
            trust_proxy: boolean("TRUST_PROXY", false)?,
        })
    }
}
