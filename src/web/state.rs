//! What every handler can reach: pool, settings, clock and shared services.

use crate::applicants::names::NamesCache;
use crate::auth::password::Hasher;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::DbPool;
use crate::web::session_cache::SessionCache;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use tokio::sync::Notify;

/// Shared application state, cloned cheaply into every worker.
#[derive(Clone)]
pub struct AppState {
    /// Database connections.
    pub pool: DbPool,
    /// Runtime settings.
    pub settings: Arc<Settings>,
    /// The application's notion of now.
    pub clock: Clock,
    /// Password hashing on a bounded pool.
    pub hasher: Hasher,
    /// Wakes the outbox worker when a message was queued.
    pub outbox_wakeup: Arc<Notify>,
    /// Sign-in attempts per client IP.
    pub signin_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Sign-in attempts per email typed, known or not: a burst is slowed
    /// down (see [`crate::auth::slow_down`]) before the lock stops it.
    pub signin_pacer: Arc<DefaultKeyedRateLimiter<String>>,
    /// Flow and member names for the applicants list.
    pub names: Arc<NamesCache>,
    /// Recently loaded sessions (see [`super::session_cache`]).
    pub session_copies: Arc<SessionCache>,
}

impl AppState {
    /// Builds the state from its parts.
    pub fn new(pool: DbPool, settings: Settings, clock: Clock) -> Self {
        let per_minute = NonZeroU32::new(settings.signin_rate_per_minute).unwrap_or(NonZeroU32::MIN);
        let hasher = Hasher::new(settings.hashing_concurrency);
        Self {
            pool,
            settings: Arc::new(settings),
            clock,
            hasher,
            outbox_wakeup: Arc::new(Notify::new()),
            signin_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            signin_pacer: Arc::new(RateLimiter::keyed(crate::auth::pace())),
            names: Arc::default(),
            session_copies: SessionCache::new(),
        }
    }
}
