//! Database access: the connection pool, embedded migrations, the private
//! development cluster, and the one helper every handler uses to run queries.

pub mod cluster;
pub mod fixed_sql;
pub mod kept_update;
pub mod keyset;
pub mod literal_limit;
pub mod schema;

// A link points at its verification through a foreign key to the pair
// (verification, applicant), for which `diesel print-schema` writes no
// `joinable!`; it lives here so that regenerating `schema.rs` keeps it.
diesel::joinable!(schema::session_links -> schema::verifications (verification_id));

use crate::error::AppError;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::time::Duration;

diesel::define_sql_function! {
    /// PostgreSQL's `unnest`: one row per element of the array. Several in
    /// one select list are read side by side, so arrays of equal length
    /// insert many rows with a statement whose text does not depend on how
    /// many there are, and which Diesel therefore keeps prepared.
    fn unnest<ST: diesel::sql_types::SingleValue>(array: diesel::sql_types::Array<ST>) -> ST;
}

diesel::define_sql_function! {
    /// PostgreSQL's `lower`: names unique regardless of case are compared
    /// through it, as their unique indexes are built on it.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// The r2d2 pool of PostgreSQL connections.
pub type DbPool = Pool<ConnectionManager<PgConnection>>;
/// One connection borrowed from the pool.
pub type DbConn = PooledConnection<ConnectionManager<PgConnection>>;

/// Migrations compiled into the binary (see `build.rs`).
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Builds the pool. Connections are not tested on checkout: that costs a
/// round trip per request; a broken connection is dropped when it errors.
pub fn build_pool(url: &str, size: u32) -> anyhow::Result<DbPool> {
    let manager = ConnectionManager::<PgConnection>::new(url);
    let pool = Pool::builder()
        .max_size(size)
        .min_idle(Some(size.min(4)))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(5))
        .build(manager)?;
    Ok(pool)
}

/// Applies pending migrations.
pub fn migrate(conn: &mut PgConnection) -> anyhow::Result<()> {
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(())
}

/// Runs read-only queries on the blocking pool without a transaction:
/// saves the BEGIN/COMMIT round trips on pages that only read.
pub async fn read<F, T>(pool: &DbPool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut pooled = pool.get().map_err(|_| AppError::Unavailable)?;
        f(&mut pooled)
    })
    .await
    .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
}

/// Runs `f` in one transaction on the blocking thread pool.
///
/// This is the only way handlers touch the database, so no Diesel call can
/// block an async worker and every change commits or rolls back as a whole.
pub async fn run<F, T>(pool: &DbPool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut pooled = pool.get().map_err(|_| AppError::Unavailable)?;
        let conn: &mut PgConnection = &mut pooled;
        conn.transaction(f)
    })
    .await
    .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
}

/// A new id for a row of a table that grows with every verification sent
/// (verifications, step results, links, queued emails). These ids are
/// time-ordered (UUIDv7), so each new key lands at the right-hand end of
/// its B-tree index, which PostgreSQL appends to without searching from the
/// root, instead of on a random page of a million. Their time is no secret:
/// the rows carry their creation time anyway.
pub fn new_row_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
