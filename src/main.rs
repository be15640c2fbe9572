//! The `veridesk` command: serve (default), migrate, create-owner, seed-demo.

use anyhow::{Context, bail};
use diesel::prelude::*;
use std::net::TcpListener;
use veridesk::auth::permissions::BuiltinRole;
use veridesk::clock::Clock;
use veridesk::config::Settings;
use veridesk::db::{self, cluster::LocalCluster};
use veridesk::domain::{EmailAddress, Password, PersonName};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "Usage: veridesk [COMMAND]

Commands:
  serve          Run the web application (default)
  migrate        Apply database migrations and exit
  create-owner   Create an Owner: --email EMAIL --name NAME (password from VERIDESK_OWNER_PASSWORD or stdin)
  seed-demo      Fill an empty database with demo data (--applicants N tops applicants up to N)
  help           Show this message

Configuration comes from environment variables; see .env.example.";

/// The database to use, and the private cluster when we run one.
struct Database {
    pool: db::DbPool,
    url: String,
    cluster: Option<LocalCluster>,
}

impl Database {
    /// Connects (starting the private cluster if needed), migrates and
    /// brings the built-in roles up to date.
    fn open(settings: &Settings) -> anyhow::Result<Self> {
        let (url, cluster) = match &settings.database_url {
            Some(url) => (url.expose().to_string(), None),
            None => {
                let preferred = settings.data_dir.join("pg");
                let cluster = match LocalCluster::ensure(&preferred, settings.local_pg_port) {
                    Ok(cluster) => cluster,
                    // A checkout the postgres user cannot enter (e.g. under /root):
                    // keep the cluster in a system folder instead.
                    Err(e) if e.to_string().contains("cannot reach") => {
                        let fallback = std::path::PathBuf::from("/var/lib/veridesk/pg");
                        eprintln!("veridesk: {e}; using {} instead", fallback.display());
                        LocalCluster::ensure(&fallback, settings.local_pg_port)?
                    }
                    Err(e) => return Err(e),
                };
                db::cluster::create_database_if_missing(&cluster.url("postgres"), "veridesk")?;
                tracing::info!(
                    "using the private PostgreSQL cluster under {}",
                    settings.data_dir.join("pg").display()
                );
                (cluster.url("veridesk"), Some(cluster))
            }
        };
        let mut conn =
            PgConnection::establish(&url).with_context(|| "connecting to the database (check DATABASE_URL)")?;
        db::migrate(&mut conn)?;
        veridesk::roles::queries::sync_builtin_roles(&mut conn)?;
        let pool = db::build_pool(&url, settings.database_pool_size)?;
        Ok(Self { pool, url, cluster })
    }

    fn close(self) {
        if let Some(cluster) = self.cluster.filter(LocalCluster::started_here) {
            cluster.stop();
        }
    }
}

fn arg_value(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn create_owner(settings: &Settings, args: &[String]) -> anyhow::Result<()> {
    let email =
        EmailAddress::parse(&arg_value(args, "--email").context("--email is required")?).map_err(anyhow::Error::msg)?;
    let name =
        PersonName::parse(&arg_value(args, "--name").context("--name is required")?).map_err(anyhow::Error::msg)?;
    let password = match std::env::var("VERIDESK_OWNER_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprint!("Password for {email} (at least 12 characters): ");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let password = Password::parse(&password, email.as_str()).map_err(anyhow::Error::msg)?;
    let hash = veridesk::auth::password::hash_blocking(password.expose()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let database = Database::open(settings)?;
    let mut conn = database.pool.get()?;
    let now = Clock::default().now();
    let result = conn.transaction(|conn| -> anyhow::Result<uuid::Uuid> {
        if veridesk::team::queries::find_by_email(conn, email.as_str())?.is_some() {
            bail!("a member with the email {email} already exists");
        }
        let role =
            veridesk::roles::queries::builtin_role_id(conn, BuiltinRole::Owner).map_err(|e| anyhow::anyhow!("{e}"))?;
        let id = veridesk::team::queries::create_active_member(conn, &email, &name, &hash, role, now)?;
        veridesk::audit::record(
            conn,
            now,
            &veridesk::audit::Actor::system("command line"),
            veridesk::audit::EventKind::SetupCompleted,
            Some(("member", id.to_string())),
            serde_json::json!({ "email": email.as_str(), "via": "veridesk create-owner" }),
        )?;
        Ok(id)
    });
    drop(conn);
    database.close();
    result?;
    println!("Owner {email} created. Sign in at {}/sign-in", settings.base_url);
    Ok(())
}

fn seed_demo(settings: &Settings, args: &[String]) -> anyhow::Result<()> {
    let extra: usize = match arg_value(args, "--applicants") {
        Some(n) => n
            .replace('_', "")
            .parse()
            .context("--applicants takes a number, e.g. --applicants 100000")?,
        None => 0,
    };
    let database = Database::open(settings)?;
    let mut conn = database.pool.get()?;
    let now = Clock::default().now();
    let seeded = conn
        .transaction(|conn| veridesk::demo::seed(conn, now, &settings.base_url))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(conn);
    // `--applicants N` tops the total up to N, so repeated runs are idempotent.
    let existing: i64 = {
        use veridesk::db::schema::applicants;
        let mut conn = database.pool.get()?;
        applicants::table.count().get_result(&mut conn)?
    };
    // A fresh demo already has its page of applicants, each with its
    // history (see `demo::seed`); only the bulk generator adds more.
    let wanted = extra;
    let extra = wanted.saturating_sub(usize::try_from(existing).unwrap_or(0));
    if extra > 0 {
        let started = std::time::Instant::now();
        let mut progress = |done: usize| {
            let width = 30;
            let filled = done * width / extra;
            eprint!(
                "\rSeeding applicants [{}{}] {done}/{extra} ({}%)",
                "#".repeat(filled),
                "-".repeat(width - filled),
                done * 100 / extra
            );
        };
        veridesk::demo::seed_applicants(&database.pool, extra, now, &mut progress)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        eprintln!(
            "\nAdded {extra} applicants in {:.1}s; updating planner statistics…",
            started.elapsed().as_secs_f64()
        );
        let mut conn = database.pool.get()?;
        diesel::sql_query("ANALYZE applicants").execute(&mut conn)?;
    }
    database.close();
    if seeded {
        println!("Demo data created.");
    } else {
        println!("Members already exist; demo data left as it is.");
    }
    println!(
        "Demo sign-in: {} / {}",
        veridesk::demo::OWNER_EMAIL,
        veridesk::demo::OWNER_PASSWORD
    );
    println!(
        "Other demo members (admin@, officer@, viewer@veridesk.test): {}",
        veridesk::demo::MEMBER_PASSWORD
    );
    Ok(())
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    let database = Database::open(&settings)?;
    let listener =
        TcpListener::bind(settings.bind_address).with_context(|| format!("binding {}", settings.bind_address))?;
    let base_url = settings.base_url.clone();
    let pool = database.pool.clone();
    let url = database.url.clone();
    let result = actix_web::rt::System::new().block_on(async move {
        let app = veridesk::startup::build(settings, pool, &url, Clock::default(), listener)?;
        println!("Veridesk is running at {base_url}/ (Ctrl-C to stop)");
        app.server.await?;
        anyhow::Ok(())
    });
    database.close();
    result
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,actix_web=warn,tracing_actix_web=warn")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str).unwrap_or("serve");
    if matches!(command, "help" | "--help" | "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("veridesk: {e}");
            std::process::exit(2);
        }
    };
    match command {
        "serve" => serve(settings),
        "migrate" => {
            Database::open(&settings)?.close();
            println!("Migrations applied.");
            Ok(())
        }
        "create-owner" => create_owner(&settings, &args),
        "seed-demo" => seed_demo(&settings, &args),
        other => {
            eprintln!("veridesk: unknown command {other:?}\n\n{USAGE}");
            std::process::exit(2);
        }
    }
}
