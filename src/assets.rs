//! Content-addressed images (a flow's logo): stored once, named by their
//! SHA-256, never changed, so a published flow version can refer to one.

use crate::db;
use crate::db::schema::assets;
use crate::error::AppError;
use crate::web::Visitor;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

/// Mounts the public asset route (applicants' pages show flow logos).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/{sha256}", web::get().to(asset));
}

/// Stores `bytes` unless already there; returns its hex SHA-256.
pub fn store(conn: &mut PgConnection, bytes: &[u8], content_type: &str, now: DateTime<Utc>) -> QueryResult<String> {
    let digest = Sha256::digest(bytes).to_vec();
    diesel::insert_into(assets::table)
        .values((
            assets::sha256.eq(&digest),
            assets::content_type.eq(content_type),
            assets::bytes.eq(bytes),
            assets::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(hex::encode(digest))
}

/// The bytes and content type of the asset named `sha256_hex`.
pub fn find(conn: &mut PgConnection, sha256_hex: &str) -> QueryResult<Option<(Vec<u8>, String)>> {
    let Ok(digest) = hex::decode(sha256_hex) else {
        return Ok(None);
    };
    assets::table
        .find(digest)
        .select((assets::bytes, assets::content_type))
        .first(conn)
        .optional()
}

/// GET /assets/{sha256}: immutable, so cached for a year.
async fn asset(v: Visitor, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let name = path.into_inner();
    let found = db::run(&v.state.pool, move |conn| Ok(find(conn, &name)?)).await?;
    let (bytes, content_type) = found.ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(bytes))
}
