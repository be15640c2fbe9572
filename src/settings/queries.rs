//! Company settings queries (a single row).

use crate::db::schema::company_settings;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// The settings row without the logo bytes.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = company_settings)]
pub struct CompanySettings {
    pub name: String,
    pub address: String,
    pub contact_email: String,
    pub sender_name: String,
    pub brand_colour: String,
    pub logo_content_type: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// The settings, locked until the transaction ends.
pub fn load_for_update(conn: &mut PgConnection) -> QueryResult<CompanySettings> {
    company_settings::table
        .select(CompanySettings::as_select())
        .for_update()
        .first(conn)
}

/// Who saved the settings last: their id, and their name.
pub fn saved_by(conn: &mut PgConnection) -> QueryResult<(Option<Uuid>, String)> {
    use crate::db::schema::members;
    let who: Option<(Option<Uuid>, Option<String>)> = company_settings::table
        .left_join(members::table.on(company_settings::updated_by.eq(members::id.nullable())))
        .select((company_settings::updated_by, members::name.nullable()))
        .first(conn)
        .optional()?;
    let (id, name) = who.unwrap_or((None, None));
    Ok((id, name.unwrap_or_else(|| "Someone".to_string())))
}

/// Loads the settings.
pub fn load(conn: &mut PgConnection) -> QueryResult<CompanySettings> {
    company_settings::table.select(CompanySettings::as_select()).first(conn)
}

/// The company's name, for emails and pages.
pub fn company_name(conn: &mut PgConnection) -> QueryResult<String> {
    company_settings::table.select(company_settings::name).first(conn)
}

/// The company's name and the From name of its emails, read together for
/// an email about to be queued.
pub fn email_names(conn: &mut PgConnection) -> QueryResult<(String, String)> {
    company_settings::table
        .select((company_settings::name, company_settings::sender_name))
        .first(conn)
}

/// Sets name and sender name (at first-run setup).
pub fn set_company_identity(conn: &mut PgConnection, name: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(company_settings::table)
        .set((
            company_settings::name.eq(name),
            company_settings::sender_name.eq(name),
            company_settings::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Values of the settings form.
pub struct SettingsUpdate {
    pub name: String,
    pub address: String,
    pub contact_email: String,
    pub sender_name: String,
    pub brand_colour: String,
}

/// Saves the settings form.
pub fn update(conn: &mut PgConnection, values: &SettingsUpdate, by: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(company_settings::table)
        .set((
            company_settings::name.eq(&values.name),
            company_settings::address.eq(&values.address),
            company_settings::contact_email.eq(&values.contact_email),
            company_settings::sender_name.eq(&values.sender_name),
            company_settings::brand_colour.eq(&values.brand_colour),
            company_settings::updated_at.eq(now),
            company_settings::updated_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores (or, with `None`, removes) the logo.
pub fn set_logo(
    conn: &mut PgConnection,
    logo: Option<(Vec<u8>, &str)>,
    by: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let (bytes, content_type) = match logo {
        Some((bytes, ct)) => (Some(bytes), Some(ct.to_string())),
        None => (None, None),
    };
    diesel::update(company_settings::table)
        .set((
            company_settings::logo.eq(bytes),
            company_settings::logo_content_type.eq(content_type),
            company_settings::updated_at.eq(now),
            company_settings::updated_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

/// The logo bytes and content type, if one is set.
pub fn logo(conn: &mut PgConnection) -> QueryResult<Option<(Vec<u8>, String)>> {
    let row: (Option<Vec<u8>>, Option<String>) = company_settings::table
        .select((company_settings::logo, company_settings::logo_content_type))
        .first(conn)?;
    Ok(match row {
        (Some(bytes), Some(ct)) => Some((bytes, ct)),
        _ => None,
    })
}
