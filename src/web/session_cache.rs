//! Recently loaded sessions, kept in the process's memory.
//!
//! Every signed-in page loads its session, member and role before its own
//! queries: one database round trip, a third of what the applicants list
//! costs. This copy saves it while keeping the session row the source of
//! truth, with every process behind a load balancer agreeing with it:
//!
//! * **Session state** (flash messages, the CSRF token, who is signed in):
//!   every write gives the session a new *tag*, and the cookie carries it
//!   next to the key (`<key>.<tag>`, see [`super::session_store`]). A copy
//!   serves only the tag it was loaded with, so the request after a write
//!   names a tag no copy holds yet and reads the row, whichever process
//!   made the write.
//! * **Members, roles, ended sessions** (deactivation, a role's new
//!   permissions, sign-out, a password change): PostgreSQL triggers notify
//!   the `veridesk_sessions` channel on every such change (migration
//!   `session_notifications`); each process listens on its own connection
//!   and drops all its copies within [`POLL`] of the commit. A process
//!   drops them at once after every request that may write (see
//!   [`forget_after_writes`]), so its own changes apply on the very next
//!   request.
//! * The listener proves that notifications reach it: it notifies itself
//!   every [`HEARTBEAT`], and copies are used only while its probes come
//!   back in time. A connection lost without a word, or a pooler that does
//!   not pass notifications on, stops them within about a second. No copy
//!   is older than [`FRESH_FOR`], and a copy is not stored when the copies
//!   were dropped while it was being loaded ([`SessionCache::generation`]).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// The channel the triggers notify.
pub const CHANNEL: &str = "veridesk_sessions";
/// How often the listener reads notifications (Diesel offers no blocking
/// wait): the longest a change made by another process goes unseen here.
pub const POLL: Duration = Duration::from_millis(10);
/// The longest a copy is used, whatever the listener says.
pub const FRESH_FOR: Duration = Duration::from_secs(5);
/// How often the listener notifies itself to prove notifications arrive.
pub const HEARTBEAT: Duration = Duration::from_millis(500);
/// A probe not back after this long: the connection is given up.
const PROBE_LOST: Duration = Duration::from_secs(3);
/// How long after the listener last heard its probe copies may be used:
/// a listener stuck on a dead connection stops them soon.
const ALIVE_FOR: Duration = Duration::from_secs(1);
/// Copies kept at most; beyond, all are dropped and loading starts over.
const MAX_ENTRIES: usize = 10_000;
/// Payloads starting so are the listeners' probes, not changes.
const PROBE_PREFIX: &str = "probe:";

/// A session as loaded from its row, with the tag of the state it holds.
#[derive(Clone, Debug)]
pub struct CachedSession {
    /// The tag of `state`, as written with it.
    pub tag: String,
    /// The state handed to actix-session, with the loaded member.
    pub state: HashMap<String, String>,
    /// When the session began (absolute lifetime).
    pub created_at: DateTime<Utc>,
    /// When the session was last seen (idle lifetime).
    pub last_seen_at: DateTime<Utc>,
}

struct Entry {
    session: CachedSession,
    loaded: Instant,
}

#[derive(Default)]
struct Entries {
    by_hash: HashMap<Vec<u8>, Entry>,
    /// Counts the times every copy was dropped.
    generation: u64,
    /// Until when copies may be used: the listener moves it on while its
    /// probes come back; `None` before they have.
    alive_until: Option<Instant>,
}

impl Entries {
    fn alive(&self) -> bool {
        self.alive_until.is_some_and(|until| Instant::now() < until)
    }

    /// Drops every copy, and tells loads under way not to keep theirs.
    fn drop_all(&mut self) {
        self.by_hash.clear();
        self.generation += 1;
    }
}

/// The process's copies of sessions, keyed by the hash of their key.
#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<Entries>,
    /// Copies served.
    hits: AtomicU64,
}

impl SessionCache {
    /// An empty cache, unused until [`listen`] has proved notifications
    /// reach it.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves nothing half-written.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The copy of the session with this key hash, if it holds the state
    /// tagged `tag` and may still be used. Untagged state (a cookie from
    /// before tags) is always read from its row.
    pub fn get(&self, hash: &[u8], tag: &str) -> Option<CachedSession> {
        if tag.is_empty() {
            return None;
        }
        let entries = self.lock();
        if !entries.alive() {
            return None;
        }
        let entry = entries.by_hash.get(hash)?;
        if entry.session.tag != tag || entry.loaded.elapsed() >= FRESH_FOR {
            return None;
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(entry.session.clone())
    }

    /// How many copies were served.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Whether copies are used now: the listener is connected and its
    /// probes come back.
    pub fn is_listening(&self) -> bool {
        self.lock().alive()
    }

    /// The current generation: read it before loading a session, and pass
    /// it to [`Self::put`].
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Keeps a copy of a session loaded while the cache was at
    /// `generation`; does nothing if the copies were dropped since (the
    /// session may have been loaded before the change that dropped them).
    pub fn put(&self, generation: u64, hash: Vec<u8>, session: CachedSession) {
        if session.tag.is_empty() {
            return;
        }
        let mut entries = self.lock();
        if entries.generation != generation || !entries.alive() {
            return;
        }
        if entries.by_hash.len() >= MAX_ENTRIES && !entries.by_hash.contains_key(&hash) {
            entries.by_hash.clear();
        }
        entries.by_hash.insert(
            hash,
            Entry {
                session,
                loaded: Instant::now(),
            },
        );
    }

    /// Drops the copy of one session.
    pub fn forget(&self, hash: &[u8]) {
        self.lock().by_hash.remove(hash);
    }

    /// Drops every copy.
    pub fn clear(&self) {
        self.lock().drop_all();
    }

    /// Lets copies be used for [`ALIVE_FOR`] more.
    fn keep_alive(&self) {
        self.lock().alive_until = Some(Instant::now() + ALIVE_FOR);
    }

    /// Stops using copies, and drops them, until the listener proves again
    /// that notifications reach it.
    fn stop(&self) {
        let mut entries = self.lock();
        entries.alive_until = None;
        entries.drop_all();
    }
}

/// Starts the thread that listens for changes on its own connection to
/// `database_url` and drops the copies when one comes. It reconnects when
/// the connection is lost, and ends when the cache is dropped.
pub fn listen(cache: &Arc<SessionCache>, database_url: String) {
    let cache = Arc::downgrade(cache);
    let spawned = std::thread::Builder::new()
        .name("session-listener".into())
        .spawn(move || listen_loop(&cache, &database_url));
    if let Err(e) = spawned {
        tracing::warn!("sessions are not kept in memory: could not start their listener: {e}");
    }
}

fn listen_loop(cache: &Weak<SessionCache>, database_url: &str) {
    let mut wait = Duration::from_millis(100);
    let mut reported = false;
    while cache.strong_count() > 0 {
        let connected = PgConnection::establish(database_url)
            .map_err(|e| e.to_string())
            .and_then(|mut conn| {
                conn.batch_execute(&format!("LISTEN {CHANNEL}"))
                    .map(|()| conn)
                    .map_err(|e| e.to_string())
            });
        let trouble = match connected {
            Ok(mut conn) => match watch(cache, &mut conn) {
                Ended::CacheGone => return,
                // It worked for a while: try again at once.
                Ended::Failed { problem, proved: true } => {
                    wait = Duration::from_millis(100);
                    reported = false;
                    tracing::warn!("session listener lost its connection: {problem}");
                    continue;
                }
                // Connected but never heard its probe: a pooler that does
                // not pass notifications on, say.
                Ended::Failed { problem, proved: false } => format!("hears no notifications: {problem}"),
            },
            Err(problem) => format!("cannot connect: {problem}"),
        };
        // Back off, and say so once.
        if !reported {
            tracing::warn!("session listener {trouble} (sessions are read from the database meanwhile)");
            reported = true;
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(Duration::from_secs(60));
    }
}

/// What the listener knows of its own probes.
struct Probes {
    /// This listener's payload.
    payload: String,
    /// When the last probe was sent.
    last_sent: Option<Instant>,
    /// Whether that probe is still on its way.
    in_flight: bool,
    /// Whether one ever came back on this connection.
    proved: bool,
}

/// Why [`watch`] stopped.
enum Ended {
    /// The cache was dropped: the listener ends.
    CacheGone,
    /// The connection failed, or notifications stopped arriving; `proved`
    /// says whether any of the listener's probes ever came back on it.
    Failed { problem: String, proved: bool },
}

/// Drops the copies on every notification, and keeps them usable while
/// this listener's own probes come back, until the connection fails or the
/// cache is gone.
fn watch(cache: &Weak<SessionCache>, conn: &mut PgConnection) -> Ended {
    let mut probes = Probes {
        payload: format!("{PROBE_PREFIX}{}", uuid::Uuid::new_v4().simple()),
        last_sent: None,
        in_flight: false,
        proved: false,
    };
    loop {
        let Some(cache) = cache.upgrade() else {
            return Ended::CacheGone;
        };
        if let Err(problem) = read_notifications(&cache, conn, &mut probes) {
            cache.stop();
            return Ended::Failed {
                problem,
                proved: probes.proved,
            };
        }
        drop(cache);
        std::thread::sleep(POLL);
    }
}

/// One round of the listener: sends a probe when one is due, reads what
/// arrived, and decides whether copies stay usable.
fn read_notifications(cache: &SessionCache, conn: &mut PgConnection, probes: &mut Probes) -> Result<(), String> {
    if !probes.in_flight && probes.last_sent.is_none_or(|sent| sent.elapsed() >= HEARTBEAT) {
        conn.batch_execute(&format!("NOTIFY {CHANNEL}, '{}'", probes.payload))
            .map_err(|e| e.to_string())?;
        probes.last_sent = Some(Instant::now());
        probes.in_flight = true;
    }
    let mut changed = false;
    for notification in conn.notifications_iter() {
        let notification = notification.map_err(|e| e.to_string())?;
        if notification.payload == probes.payload {
            probes.in_flight = false;
            probes.proved = true;
        } else if !notification.payload.starts_with(PROBE_PREFIX) {
            changed = true;
        }
    }
    if changed {
        cache.clear();
    }
    match probes.last_sent.filter(|_| probes.in_flight) {
        Some(sent) if sent.elapsed() >= PROBE_LOST => Err("its notifications stopped arriving".into()),
        // A late probe: the copies lapse unless it comes back.
        Some(sent) if sent.elapsed() >= HEARTBEAT => Ok(()),
        _ => {
            if probes.proved {
                cache.keep_alive();
            }
            Ok(())
        }
    }
}

/// Middleware: after any request that may write (every method but GET,
/// HEAD and OPTIONS) from a browser with a session, drops this process's
/// copies before the response leaves, so the next request reads whatever
/// it changed. Other processes hear of it from the triggers. A request
/// without a session (an applicant's link pages) changed no member.
pub async fn forget_after_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    use actix_web::http::Method;
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let cache = (writes && req.cookie(super::session_store::COOKIE_NAME).is_some())
        .then(|| req.app_data::<actix_web::web::Data<super::AppState>>())
        .flatten()
        .map(|state| state.session_copies.clone());
    let response = next.call(req).await;
    if let Some(cache) = cache {
        cache.clear();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(tag: &str) -> CachedSession {
        CachedSession {
            tag: tag.into(),
            state: HashMap::from([("member_id".to_string(), "\"x\"".to_string())]),
            created_at: Utc::now(),
            last_seen_at: Utc::now(),
        }
    }

    fn listening() -> Arc<SessionCache> {
        let cache = SessionCache::new();
        cache.keep_alive();
        cache
    }

    #[test]
    fn serves_only_the_tag_it_holds() {
        let cache = listening();
        cache.put(cache.generation(), vec![1], session("a"));
        assert_eq!(cache.get(&[1], "a").map(|s| s.tag), Some("a".into()));
        assert_eq!(cache.hits(), 1);
        assert!(cache.get(&[1], "b").is_none(), "a newer state is read from the row");
        assert!(cache.get(&[2], "a").is_none());
    }

    #[test]
    fn nothing_is_kept_or_served_without_the_listener() {
        let cache = SessionCache::new();
        cache.put(cache.generation(), vec![1], session("a"));
        assert!(cache.get(&[1], "a").is_none());
        let cache = listening();
        cache.put(cache.generation(), vec![1], session("a"));
        cache.stop();
        assert!(cache.get(&[1], "a").is_none(), "copies go when the listener does");
        cache.keep_alive();
        assert!(cache.get(&[1], "a").is_none(), "and do not come back with it");
    }

    #[test]
    fn untagged_state_is_always_read_from_its_row() {
        let cache = listening();
        cache.put(cache.generation(), vec![1], session(""));
        assert!(cache.get(&[1], "").is_none());
    }

    #[test]
    fn a_copy_loaded_before_a_change_is_not_kept() {
        let cache = listening();
        let before = cache.generation();
        cache.clear();
        cache.put(before, vec![1], session("a"));
        assert!(cache.get(&[1], "a").is_none());
        cache.put(cache.generation(), vec![1], session("a"));
        assert!(cache.get(&[1], "a").is_some());
        cache.forget(&[1]);
        assert!(cache.get(&[1], "a").is_none());
    }
}
