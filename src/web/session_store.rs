//! actix-session storage in PostgreSQL.
//!
//! Sessions live server-side so that deactivating a member can delete their
//! sessions at once. The cookie holds a random key; the table holds only its
//! SHA-256. Idle and absolute lifetimes are enforced here, on load, and
//! `last_seen_at` is written at most once a minute to keep reads cheap.
//!
//! Loading a session also loads its member and their role, in the same
//! query, and hands them to [`super::Ctx`] under [`LOADED_MEMBER_KEY`]: a
//! signed-in page then costs one database round trip before its own queries
//! instead of two. That entry is rebuilt on every load and removed before
//! every save, so it is never stored.
//!
//! Loaded sessions are also kept in memory for a few seconds
//! ([`super::session_cache`]), which saves that round trip too. Every write
//! of a session's state gives it a new tag, stored with the state and
//! carried in the cookie after the key (`<key>.<tag>`): a copy serves only
//! the tag the browser presents. Deactivation and role changes apply on the
//! member's next request in the process that made them, and within
//! milliseconds (the listener's poll) in the others.

use crate::auth::queries::{SessionMember, SessionRole, signed_in_member};
use crate::clock::Clock;
use crate::db::DbPool;
use crate::db::schema::{members, roles, sessions};
use crate::domain::SecretToken;
use crate::web::session_cache::{CachedSession, SessionCache};
use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "id";
/// The session key under which the signed-in member's id is kept.
pub const MEMBER_KEY: &str = "member_id";
/// The session key under which `load` puts the signed-in member (a JSON
/// [`super::CurrentMember`]); derived on load, never stored.
pub const LOADED_MEMBER_KEY: &str = "_loaded_member";
/// The key under which the stored state keeps its tag; not handed out.
const TAG_KEY: &str = "_tag";
/// How often `last_seen_at` is written.
const SEEN_EVERY: Duration = Duration::seconds(60);

/// The key's secret and the tag of the state the browser last received
/// (empty for cookies from before tags).
fn split_key(key: &SessionKey) -> (&str, &str) {
    let key: &str = key.as_ref();
    key.split_once('.').unwrap_or((key, ""))
}

/// A new tag, for state just written.
fn new_tag() -> String {
    Uuid::new_v4().simple().to_string()
}

/// The cookie's value for a key and the tag of its state.
fn key_with_tag(token: &str, tag: &str) -> anyhow::Result<SessionKey> {
    Ok(SessionKey::try_from(format!("{token}.{tag}"))?)
}

/// Whether a session begun at `created_at` and last seen at `last_seen_at`
/// has run out by `now`, idle or in all.
fn lapsed(
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    now: DateTime<Utc>,
    idle: Duration,
    absolute: Duration,
) -> bool {
    last_seen_at + idle < now || created_at + absolute < now
}

/// Stored state: the handed-out state with its tag, without the loaded member.
fn stored_state(mut state: HashMap<String, String>, tag: &str) -> serde_json::Result<serde_json::Value> {
    state.remove(LOADED_MEMBER_KEY);
    state.insert(TAG_KEY.into(), tag.into());
    serde_json::to_value(&state)
}

/// PostgreSQL-backed [`SessionStore`].
#[derive(Clone)]
pub struct PgSessionStore {
    pool: DbPool,
    clock: Clock,
    idle: Duration,
    absolute: Duration,
    cache: Arc<SessionCache>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = sessions)]
struct StoredSession {
    state: serde_json::Value,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
}

impl PgSessionStore {
    /// A store with the given idle timeout and absolute lifetime, keeping
    /// copies of loaded sessions in `cache`.
    pub fn new(pool: DbPool, clock: Clock, idle: Duration, absolute: Duration, cache: Arc<SessionCache>) -> Self {
        Self {
            pool,
            clock,
            idle,
            absolute,
            cache,
        }
    }

    /// Whether a session seen at these times may still be used now
    /// without writing to its row.
    fn usable_as_is(&self, created_at: DateTime<Utc>, last_seen_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        !lapsed(created_at, last_seen_at, now, self.idle, self.absolute) && now - last_seen_at <= SEEN_EVERY
    }

    async fn blocking<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        F: FnOnce(&mut PgConnection) -> anyhow::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    async fn insert(&self, state: HashMap<String, String>) -> anyhow::Result<SessionKey> {
        let token = SecretToken::generate();
        let tag = new_tag();
        let key = key_with_tag(&token.plain, &tag)?;
        let now = self.clock.now();
        let expires_at = now + self.absolute;
        let member = member_of(&state);
        let json = stored_state(state, &tag)?;
        self.blocking(move |conn| {
            diesel::insert_into(sessions::table)
                .values((
                    sessions::key_hash.eq(token.hash),
                    sessions::member_id.eq(member),
                    sessions::state.eq(json),
                    sessions::created_at.eq(now),
                    sessions::last_seen_at.eq(now),
                    sessions::expires_at.eq(expires_at),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(key)
    }
}

/// The member a session belongs to, from the JSON-encoded value actix-session stores.
fn member_of(state: &HashMap<String, String>) -> Option<Uuid> {
    state
        .get(MEMBER_KEY)
        .and_then(|raw| serde_json::from_str::<Uuid>(raw).ok())
}

impl SessionStore for PgSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        let (token, tag) = split_key(session_key);
        let hash = SecretToken::hash(token);
        let now = self.clock.now();
        if let Some(copy) = self.cache.get(&hash, tag)
            && self.usable_as_is(copy.created_at, copy.last_seen_at, now)
        {
            return Ok(Some(copy.state));
        }
        let generation = self.cache.generation();
        let (idle, absolute) = (self.idle, self.absolute);
        let cache_key = hash.clone();
        let loaded = self
            .blocking(move |conn| {
                let found: Option<(StoredSession, Option<SessionMember>, Option<SessionRole>)> = sessions::table
                    .left_join(members::table.inner_join(roles::table))
                    .filter(sessions::key_hash.eq(&hash))
                    .filter(sessions::expires_at.gt(now))
                    .select((
                        StoredSession::as_select(),
                        Option::<SessionMember>::as_select(),
                        Option::<SessionRole>::as_select(),
                    ))
                    .first(conn)
                    .optional()?;
                let Some((found, member, role)) = found else {
                    return Ok(None);
                };
                if lapsed(found.created_at, found.last_seen_at, now, idle, absolute) {
                    diesel::delete(sessions::table.find(&hash)).execute(conn)?;
                    return Ok(None);
                }
                let mut last_seen_at = found.last_seen_at;
                if now - found.last_seen_at > SEEN_EVERY {
                    diesel::update(sessions::table.find(&hash))
                        .set(sessions::last_seen_at.eq(now))
                        .execute(conn)?;
                    last_seen_at = now;
                }
                let mut state: HashMap<String, String> = serde_json::from_value(found.state)?;
                state.remove(LOADED_MEMBER_KEY);
                let tag = state.remove(TAG_KEY).unwrap_or_default();
                if let Some(member) = member
                    .zip(role)
                    .and_then(|(member, role)| signed_in_member(member, role))
                {
                    state.insert(LOADED_MEMBER_KEY.into(), serde_json::to_string(&member)?);
                }
                Ok(Some(CachedSession {
                    tag,
                    state,
                    created_at: found.created_at,
                    last_seen_at,
                }))
            })
            .await
            .map_err(LoadError::Other)?;
        Ok(loaded.map(|session| {
            let state = session.state.clone();
            self.cache.put(generation, cache_key, session);
            state
        }))
    }

    async fn save(
        &self,
        session_state: HashMap<String, String>,
        _ttl: &CookieDuration,
    ) -> Result<SessionKey, SaveError> {
        self.insert(session_state).await.map_err(SaveError::Other)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        _ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let (token, _) = split_key(&session_key);
        let hash = SecretToken::hash(token);
        let tag = new_tag();
        let key = key_with_tag(token, &tag).map_err(UpdateError::Other)?;
        let member = member_of(&session_state);
        let json = stored_state(session_state.clone(), &tag).map_err(|e| UpdateError::Serialization(e.into()))?;
        let now = self.clock.now();
        // The next request reads the new state from the row (its tag is new).
        self.cache.forget(&hash);
        let updated = self
            .blocking(move |conn| {
                Ok(
                    diesel::update(sessions::table.find(&hash).filter(sessions::expires_at.gt(now)))
                        .set((
                            sessions::state.eq(json),
                            sessions::member_id.eq(member),
                            sessions::last_seen_at.eq(now),
                        ))
                        .execute(conn)?,
                )
            })
            .await
            .map_err(UpdateError::Other)?;
        if updated == 1 {
            Ok(key)
        } else {
            // The session was deleted meanwhile (sign-out elsewhere,
            // deactivation): start a fresh one rather than resurrect it.
            let mut fresh = session_state;
            fresh.remove(MEMBER_KEY);
            self.insert(fresh).await.map_err(UpdateError::Other)
        }
    }

    async fn update_ttl(&self, _session_key: &SessionKey, _ttl: &CookieDuration) -> Result<(), anyhow::Error> {
        // Lifetimes are enforced from created_at / last_seen_at in `load`.
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let hash = SecretToken::hash(split_key(session_key).0);
        self.cache.forget(&hash);
        self.blocking(move |conn| {
            diesel::delete(sessions::table.find(&hash)).execute(conn)?;
            Ok(())
        })
        .await
    }
}

/// Ends every session of a member (deactivation, password reset).
pub fn end_sessions_of(conn: &mut PgConnection, member: Uuid) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::member_id.eq(member))).execute(conn)
}

/// Deletes expired sessions; run periodically.
pub fn purge_expired(conn: &mut PgConnection, now: DateTime<Utc>, idle: Duration) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now).or(sessions::last_seen_at.lt(now - idle))))
        .execute(conn)
}
