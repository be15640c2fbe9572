//! Test harness: a private PostgreSQL cluster with a migrated template
//! database (made once per run), one cloned database per test, the real
//! server on a random port, a real SMTP server on loopback, and an HTTP
//! client that keeps cookies.

use chrono::Duration;
use diesel::prelude::*;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, OnceLock};
use veridesk::auth::permissions::BuiltinRole;
use veridesk::clock::Clock;
use veridesk::config::{Secret, Settings};
use veridesk::db::cluster::LocalCluster;
use veridesk::domain::{EmailAddress, PersonName};

/// A password every test member uses.
pub const PASSWORD: &str = "test-password-for-members";

struct TestCluster {
    cluster: LocalCluster,
}

static CLUSTER: OnceLock<TestCluster> = OnceLock::new();
const TEMPLATE: &str = "veridesk_test_template";

fn cluster() -> &'static TestCluster {
    CLUSTER.get_or_init(|| {
        let port = std::env::var("TEST_PG_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(54339);
        // Under the temp dir, not the checkout: the server runs as the
        // `postgres` user, which may not be able to enter the checkout
        // (e.g. a clone under /root).
        let dir = std::env::var("TEST_PG_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::env::temp_dir().join("veridesk-test-pg"));
        let cluster = LocalCluster::ensure(&dir, port).expect("start the test PostgreSQL cluster");
        let mut admin = PgConnection::establish(&cluster.url("postgres")).expect("connect to test cluster");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))
            .execute(&mut admin)
            .expect("drop old template");
        diesel::sql_query(format!("CREATE DATABASE {TEMPLATE}"))
            .execute(&mut admin)
            .expect("create template");
        let mut conn = PgConnection::establish(&cluster.url(TEMPLATE)).expect("connect to template");
        veridesk::db::migrate(&mut conn).expect("migrate template");
        veridesk::roles::queries::sync_builtin_roles(&mut conn).expect("roles");
        TestCluster { cluster }
    })
}

/// One email received by the SMTP sink.
#[derive(Clone, Debug)]
pub struct ReceivedEmail {
    /// Envelope recipients.
    pub to: Vec<String>,
    /// Envelope sender.
    pub from: String,
    /// Subject header.
    pub subject: String,
    /// The From header as written.
    pub from_header: String,
    /// Decoded text body.
    pub text: String,
    /// Decoded HTML body.
    pub html: String,
}

impl ReceivedEmail {
    /// The first link in the text body that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with(prefix))
            .unwrap_or_else(|| panic!("no link starting with {prefix} in:\n{}", self.text))
            .to_string()
    }
}

/// Addresses the sink holds at `RCPT` until [`SmtpSink::release_held`]:
/// an email caught on its way to the server.
pub const HELD_DOMAIN: &str = "@held.test";

/// How many deliveries wait at the gate, and whether it is open.
#[derive(Default)]
struct Gate {
    waiting: usize,
    open: bool,
}

#[derive(Clone, Default)]
struct Sink {
    received: Arc<Mutex<Vec<ReceivedEmail>>>,
    gate: Arc<(Mutex<Gate>, std::sync::Condvar)>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

/// Addresses the sink refuses for good, as a server refuses a mailbox that
/// does not exist (550).
pub const UNKNOWN_MAILBOX_DOMAIN: &str = "@no-such-mailbox.test";
/// Addresses the sink puts off ("451 try again later"), as a greylisting
/// server does with a sender it has not seen before.
pub const GREYLISTING_DOMAIN: &str = "@greylisting.test";
/// Addresses the sink answers "530 Authentication required", a permanent
/// reply about the server's settings rather than the mailbox.
pub const AUTH_REQUIRED_DOMAIN: &str = "@auth-required.test";

impl mailin_embedded::Handler for Sink {
    fn rcpt(&mut self, to: &str) -> mailin_embedded::Response {
        if to.ends_with(HELD_DOMAIN) {
            // The sink's own thread waits, not a test's: at most 10 s.
            let (lock, opened) = &*self.gate;
            if let Ok(mut gate) = lock.lock() {
                gate.waiting += 1;
                let _ = opened.wait_timeout_while(gate, std::time::Duration::from_secs(10), |g| !g.open);
            }
        }
        if to.ends_with(UNKNOWN_MAILBOX_DOMAIN) {
            mailin_embedded::response::NO_MAILBOX
        } else if to.ends_with(GREYLISTING_DOMAIN) {
            mailin_embedded::response::Response::custom(451, "Greylisted, try again later".into())
        } else if to.ends_with(AUTH_REQUIRED_DOMAIN) {
            mailin_embedded::response::AUTHENTICATION_REQUIRED
        } else {
            mailin_embedded::response::OK
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> mailin_embedded::Response {
        self.from = from.to_string();
        self.to = to.to_vec();
        self.data.clear();
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let parsed = mail_parser::MessageParser::default().parse(&self.data);
        if let Some(message) = parsed {
            let email = ReceivedEmail {
                to: self.to.clone(),
                from: self.from.clone(),
                subject: message.subject().unwrap_or_default().to_string(),
                from_header: message
                    .from()
                    .and_then(|a| a.first())
                    .map(|a| format!("{} <{}>", a.name().unwrap_or_default(), a.address().unwrap_or_default()))
                    .unwrap_or_default(),
                text: message.body_text(0).map(|t| t.to_string()).unwrap_or_default(),
                html: message.body_html(0).map(|t| t.to_string()).unwrap_or_default(),
            };
            if let Ok(mut all) = self.received.lock() {
                all.push(email);
            }
        }
        mailin_embedded::response::OK
    }
}

/// The SMTP server on loopback.
pub struct SmtpSink {
    received: Arc<Mutex<Vec<ReceivedEmail>>>,
    gate: Arc<(Mutex<Gate>, std::sync::Condvar)>,
    /// Its port.
    pub port: u16,
}

impl SmtpSink {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind smtp");
        let port = listener.local_addr().expect("smtp addr").port();
        let sink = Sink::default();
        let received = sink.received.clone();
        let gate = sink.gate.clone();
        let mut server = mailin_embedded::Server::new(sink);
        server
            .with_name("sink.test")
            .with_num_threads(2)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { received, gate, port }
    }

    /// Waits until a delivery to a [`HELD_DOMAIN`] address is held.
    pub async fn wait_until_held(&self) {
        eventually("a delivery to be held", async || {
            match self.gate.0.lock().map(|g| g.waiting > 0) {
                Ok(true) => Ok(()),
                _ => Err("none held".to_string()),
            }
        })
        .await;
    }

    /// Lets the held deliveries go on.
    pub fn release_held(&self) {
        if let Ok(mut gate) = self.gate.0.lock() {
            gate.open = true;
        }
        self.gate.1.notify_all();
    }

    /// Everything received so far.
    pub fn all(&self) -> Vec<ReceivedEmail> {
        self.received.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

/// How to configure a test app.
#[derive(Clone, Copy)]
pub struct Options {
    /// Deliver through the SMTP sink (otherwise the development mailbox).
    pub smtp: bool,
    /// Point SMTP at a closed port, so every delivery fails.
    pub smtp_down: bool,
    /// Sign-in attempts per minute per IP.
    pub signin_rate: u32,
    /// Behind a reverse proxy (`TRUST_PROXY`).
    pub trust_proxy: bool,
    /// Served as over HTTPS (secure cookies, `COOKIE_SECURE`).
    pub https: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            smtp: true,
            smtp_down: false,
            signin_rate: 1000,
            trust_proxy: false,
            https: false,
        }
    }
}

/// A running application with its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// Client with a cookie jar, not following redirects.
    pub client: reqwest::Client,
    /// The app's movable clock.
    pub clock: Clock,
    /// The app's pool.
    pub pool: veridesk::db::DbPool,
    /// The SMTP sink.
    pub smtp: SmtpSink,
    /// The test database's URL (for running the `veridesk` command against it).
    pub db_url: String,
    db_name: String,
    /// The settings the app was built with.
    settings: veridesk::config::Settings,
    /// The process's copies of sessions.
    pub session_copies: std::sync::Arc<veridesk::web::session_cache::SessionCache>,
    /// With `smtp_down`, the socket that keeps the mail server's port
    /// refusing for as long as the app lives.
    _refusing: Option<std::sync::Arc<socket2::Socket>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let url = cluster().cluster.url("postgres");
        let name = self.db_name.clone();
        // Dropping needs no runtime; a thread keeps Drop non-blocking for the executor.
        let _ = std::thread::spawn(move || {
            if let Ok(mut conn) = PgConnection::establish(&url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn);
            }
        })
        .join();
    }
}

/// Starts the application on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

/// Starts the application with options.
pub async fn spawn_app_with(options: Options) -> TestApp {
    let cluster = cluster();
    let db_name = format!("t_{}", uuid::Uuid::new_v4().simple());
    {
        let mut admin = PgConnection::establish(&cluster.cluster.url("postgres")).expect("admin connection");
        diesel::sql_query(format!("CREATE DATABASE {db_name} TEMPLATE {TEMPLATE}"))
            .execute(&mut admin)
            .expect("clone template");
    }
    let smtp = SmtpSink::start();
    let refusing = options.smtp_down.then(|| std::sync::Arc::new(refusing_socket()));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind app");
    let port = listener.local_addr().expect("addr").port();
    let address = format!("http://127.0.0.1:{port}");
    let url = cluster.cluster.url(&db_name);
    let settings = Settings {
        bind_address: listener.local_addr().expect("addr"),
        base_url: address.clone(),
        database_url: Some(Secret::new(url.clone())),
        database_pool_size: 4,
        data_dir: "var".into(),
        local_pg_port: 54339,
        session_secret: Some(Secret::new("x".repeat(64))),
        session_idle_minutes: 60,
        session_absolute_hours: 12,
        cookie_secure: options.https,
        smtp_url: options.smtp.then(|| {
            let port = refusing.as_ref().map_or(smtp.port, |s| port_of(s));
            Secret::new(format!("smtp://127.0.0.1:{port}"))
        }),
        mail_from: "veridesk@example.test".into(),
        outbox_poll_ms: 50,
        signin_rate_per_minute: options.signin_rate,
        hashing_concurrency: 1,
        workers: 1,
        sweep_minutes: 0,
        trust_proxy: options.trust_proxy,
    };
    let pool = veridesk::db::build_pool(&url, 4).expect("pool");
    let clock = Clock::default();
    let app =
        veridesk::startup::build(settings.clone(), pool.clone(), &url, clock.clone(), listener).expect("build app");
    let sessions = app.state.session_copies.clone();
    actix_web::rt::spawn(app.server);
    listening(&sessions).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client");
    TestApp {
        address,
        client,
        clock,
        pool,
        smtp,
        db_url: url,
        db_name,
        settings,
        session_copies: sessions,
        _refusing: refusing,
    }
}

/// Waits until the app's session listener has proved that notifications
/// reach it, so that tests run with copies of sessions in use, as in
/// production.
async fn listening(sessions: &veridesk::web::session_cache::SessionCache) {
    eventually("the session listener", async || {
        sessions
            .is_listening()
            .then_some(())
            .ok_or_else(|| "not yet".to_string())
    })
    .await;
}

/// The value of the first `csrf_token` hidden field in `html`.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("page has a csrf_token field");
    html[start..].split('"').next().unwrap_or_default().to_string()
}

/// A response's status, Location and body.
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// Asserts a 303 to `to` (prefix).
    pub fn assert_redirect(&self, to: &str) {
        assert_eq!(
            self.status, 303,
            "expected a redirect to {to}, got {}: {}",
            self.status, self.body
        );
        let location = self.location.as_deref().unwrap_or_default();
        assert!(location.starts_with(to), "redirected to {location}, expected {to}");
    }
}

impl TestApp {
    async fn page(response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response.text().await.unwrap_or_default();
        Page { status, location, body }
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("GET");
        Self::page(response).await
    }

    /// POST a form to `path` as is (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .form(fields)
            .send()
            .await
            .expect("POST");
        Self::page(response).await
    }

    /// The session's current CSRF token, read from a page that has a form.
    pub async fn csrf(&self) -> String {
        let page = self.get("/account").await;
        if page.status == 200 {
            return csrf_in(&page.body);
        }
        csrf_in(&self.get("/forgot-password").await.body)
    }

    /// POST a form to `path` with the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_raw(path, &all).await
    }

    /// Signs in with `email` and `password`.
    pub async fn sign_in(&self, email: &str, password: &str) -> Page {
        let form = self.get("/sign-in").await;
        let token = csrf_in(&form.body);
        self.post_raw(
            "/sign-in",
            &[("email", email), ("password", password), ("csrf_token", &token)],
        )
        .await
    }

    /// Signs out (POST with the token).
    pub async fn sign_out(&self) -> Page {
        self.post("/sign-out", &[]).await
    }

    /// A new client for the same app (another browser), without cookies.
    pub fn new_client(&self) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("client");
        self.borrowing(self.address.clone(), client)
    }

    /// This app, served at `address` and asked with `client`; dropping it
    /// leaves the database to this one.
    fn borrowing(&self, address: String, client: reqwest::Client) -> Self {
        Self {
            address,
            client,
            clock: self.clock.clone(),
            pool: self.pool.clone(),
            smtp: SmtpSink {
                received: self.smtp.received.clone(),
                gate: self.smtp.gate.clone(),
                port: self.smtp.port,
            },
            db_url: self.db_url.clone(),
            db_name: format!("{}_borrowed_never_dropped", self.db_name),
            settings: self.settings.clone(),
            session_copies: self.session_copies.clone(),
            _refusing: self._refusing.clone(),
        }
    }

    /// Starts another process of the application on the same database, as
    /// behind a load balancer, and returns it with this client: its cookies
    /// (one host, any port) go to both.
    pub async fn another_process(&self) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind app");
        let mut settings = self.settings.clone();
        settings.bind_address = listener.local_addr().expect("addr");
        let pool = veridesk::db::build_pool(&self.db_url, 4).expect("pool");
        let app = veridesk::startup::build(
            settings.clone(),
            pool.clone(),
            &self.db_url,
            self.clock.clone(),
            listener,
        )
        .expect("build app");
        let sessions = app.state.session_copies.clone();
        actix_web::rt::spawn(app.server);
        listening(&sessions).await;
        let mut other = self.borrowing(format!("http://127.0.0.1:{}", app.port), self.client.clone());
        other.pool = pool;
        other.settings = settings;
        other.session_copies = sessions;
        other
    }

    /// Creates an active member with `role`, returning their email and id.
    pub fn create_member(&self, role: BuiltinRole, email: &str) -> uuid::Uuid {
        let mut conn = self.pool.get().expect("conn");
        let role_id = veridesk::roles::queries::builtin_role_id(&mut conn, role).expect("role");
        let hash = password_hash();
        veridesk::team::queries::create_active_member(
            &mut conn,
            &EmailAddress::parse(email).expect("email"),
            &PersonName::parse(&format!("Test {}", role.name())).expect("name"),
            &hash,
            role_id,
            self.clock.now(),
        )
        .expect("create member")
    }

    /// Creates a member with `role` and signs this client in as them.
    pub async fn signed_in_as(&self, role: BuiltinRole) -> uuid::Uuid {
        let email = format!("{}@example.test", role.key().replace('_', "-"));
        let id = self.create_member(role, &email);
        self.sign_in(&email, PASSWORD).await.assert_redirect("/");
        id
    }

    /// Waits for an email to `to` whose subject contains `subject`.
    pub async fn email_to(&self, to: &str, subject: &str) -> ReceivedEmail {
        eventually(&format!("an email to {to} about {subject:?}"), async || {
            let all = self.smtp.all();
            all.iter()
                .find(|e| e.to.iter().any(|t| t == to) && e.subject.contains(subject))
                .cloned()
                .ok_or_else(|| format!("{:?}", all.iter().map(|e| (&e.to, &e.subject)).collect::<Vec<_>>()))
        })
        .await
    }

    /// Event kinds recorded, newest first.
    pub fn event_kinds(&self) -> Vec<String> {
        use veridesk::db::schema::events;
        let mut conn = self.pool.get().expect("conn");
        events::table
            .order(events::id.desc())
            .select(events::kind)
            .load(&mut conn)
            .expect("events")
    }

    /// Moves the application's clock forward.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }
}

/// An argon2 hash of [`PASSWORD`], computed once.
pub fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| veridesk::auth::password::hash_blocking(PASSWORD).expect("hash"))
        .clone()
}

/// How long a test waits for the app's background work (the outbox worker,
/// a delivery the mail server holds) before it fails. Generous: on CI
/// several tests, their apps, browsers and PostgreSQL share two cores.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

/// Asks `probe` every 50 ms until it answers `Ok`, and returns that answer.
/// After [`PATIENCE`] the test fails, saying what it waited for and the
/// last thing `probe` saw (its `Err`).
pub async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Result<T, String>) -> T {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        match probe().await {
            Ok(found) => return found,
            Err(seen) if std::time::Instant::now() >= deadline => {
                panic!("waited {PATIENCE:?} for {what}; last seen: {seen}")
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
}

/// A loopback socket bound to a port and never listening: connections to
/// the port are refused, and while the socket lives no other test can be
/// given the port (it is bound without `SO_REUSEADDR`).
fn refusing_socket() -> socket2::Socket {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).expect("socket");
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().expect("address");
    socket.bind(&any.into()).expect("bind");
    socket
}

/// The port `socket` is bound to.
fn port_of(socket: &socket2::Socket) -> u16 {
    socket
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .expect("a bound IP socket")
        .port()
}

/// How many statements starting with `start` this connection keeps prepared.
pub fn prepared(conn: &mut PgConnection, start: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE $1")
        .bind::<diesel::sql_types::Text, _>(format!("{start}%"))
        .get_result::<Count>(conn)
        .expect("count")
        .n
}

/// The plan PostgreSQL keeps for the statement this connection prepared
/// that starts with `start`, whatever the values: EXPLAIN EXECUTE with
/// `args` under a forced generic plan.
pub fn generic_plan(conn: &mut PgConnection, start: &str, args: &str) -> String {
    use diesel::sql_types::Text;
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let name = diesel::sql_query("SELECT name FROM pg_prepared_statements WHERE statement LIKE $1")
        .bind::<Text, _>(format!("{start}%"))
        .get_result::<Name>(conn)
        .expect("statement")
        .name;
    diesel::sql_query("SET plan_cache_mode = force_generic_plan")
        .execute(conn)
        .expect("set");
    diesel::sql_query("SET enable_seqscan = off")
        .execute(conn)
        .expect("set");
    let plan = diesel::sql_query(format!("EXPLAIN EXECUTE \"{name}\"({args})"))
        .load::<Line>(conn)
        .expect("explain")
        .into_iter()
        .map(|l| l.line)
        .collect::<Vec<_>>()
        .join("\n");
    diesel::sql_query("RESET ALL").execute(conn).expect("reset");
    plan
}
