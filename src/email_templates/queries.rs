//! Email template queries.

use crate::db::schema::email_templates;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// A saved template.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = email_templates)]
pub struct EmailTemplate {
    pub id: Uuid,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub updated_at: DateTime<Utc>,
    pub lock_version: i32,
    /// The language it is written in (a code of
    /// [`crate::applicants::models::LANGUAGES`]).
    pub language: String,
}

/// What a template says, as saved.
pub struct Content<'a> {
    pub name: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub language: &'a str,
}

impl EmailTemplate {
    /// What is wrong with the template under today's rules, field by
    /// field: one saved under older rules (say, with the link in its
    /// subject) is refused by the session form until it is edited.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        super::placeholders::problems(&self.subject, &self.body)
    }

    /// Whether the session form would refuse it (see [`Self::problems`]).
    pub fn needs_change(&self) -> bool {
        !self.problems().is_empty()
    }
}

/// Every template, by name.
pub fn list(conn: &mut PgConnection) -> QueryResult<Vec<EmailTemplate>> {
    email_templates::table
        .order(email_templates::name.asc())
        .select(EmailTemplate::as_select())
        .load(conn)
}

/// One template.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<EmailTemplate> {
    email_templates::table
        .find(id)
        .select(EmailTemplate::as_select())
        .first(conn)
}

/// Whether another template has this name (case-insensitive).
pub fn name_taken(conn: &mut PgConnection, name: &str, except: Option<Uuid>) -> QueryResult<bool> {
    let all: Vec<(Uuid, String)> = email_templates::table
        .select((email_templates::id, email_templates::name))
        .load(conn)?;
    let wanted = name.to_lowercase();
    Ok(all
        .iter()
        .any(|(id, n)| Some(*id) != except && n.to_lowercase() == wanted))
}

/// Creates a template.
pub fn create(conn: &mut PgConnection, content: &Content<'_>, by: Uuid, now: DateTime<Utc>) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(email_templates::table)
        .values((
            email_templates::id.eq(id),
            email_templates::name.eq(content.name),
            email_templates::subject.eq(content.subject),
            email_templates::body.eq(content.body),
            email_templates::language.eq(content.language),
            email_templates::created_at.eq(now),
            email_templates::updated_at.eq(now),
            email_templates::updated_by.eq(by),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Saves a template if it is still at version `seen`; `Ok(0)` when
/// someone saved it meanwhile.
pub fn update(
    conn: &mut PgConnection,
    (id, seen): (Uuid, i32),
    content: &Content<'_>,
    by: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        email_templates::table
            .find(id)
            .filter(email_templates::lock_version.eq(seen)),
    )
    .set((
        email_templates::name.eq(content.name),
        email_templates::subject.eq(content.subject),
        email_templates::body.eq(content.body),
        email_templates::language.eq(content.language),
        email_templates::updated_at.eq(now),
        email_templates::updated_by.eq(by),
        email_templates::lock_version.eq(email_templates::lock_version + 1),
    ))
    .execute(conn)
}

/// Who saved the template last: their id and name.
pub fn saved_by(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<(Uuid, String)>> {
    use crate::db::schema::members;
    email_templates::table
        .find(id)
        .inner_join(members::table.on(email_templates::updated_by.eq(members::id.nullable())))
        .select((members::id, members::name))
        .first(conn)
        .optional()
}

/// Deletes a template.
pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(email_templates::table.find(id)).execute(conn)
}
