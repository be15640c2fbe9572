//! Questionnaire queries. Edits go to the latest version unless a published
//! flow froze it; then a copy becomes the next version and takes the edit.

use super::definition::QuestionnaireDefinition;
use crate::db::schema::{members, questionnaire_versions, questionnaires};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use uuid::Uuid;

/// A questionnaire's latest state, as listed.
#[derive(Debug, Clone)]
pub struct QuestionnaireSummary {
    pub id: Uuid,
    pub name: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
    pub version: VersionRow,
}

/// One version.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = questionnaire_versions)]
pub struct VersionRow {
    pub id: Uuid,
    pub questionnaire_id: Uuid,
    pub number: i32,
    pub definition: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub frozen_at: Option<DateTime<Utc>>,
}

impl VersionRow {
    /// The parsed definition (an unreadable one is shown as empty).
    pub fn parsed(&self) -> QuestionnaireDefinition {
        serde_json::from_value(self.definition.clone()).unwrap_or_default()
    }
}

/// Locks the questionnaire row for the rest of the transaction.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> QueryResult<()> {
    questionnaires::table
        .find(id)
        .select(questionnaires::id)
        .for_update()
        .first::<Uuid>(conn)?;
    Ok(())
}

fn latest(conn: &mut PgConnection, id: Uuid) -> QueryResult<VersionRow> {
    questionnaire_versions::table
        .filter(questionnaire_versions::questionnaire_id.eq(id))
        .order(questionnaire_versions::number.desc())
        .select(VersionRow::as_select())
        .first(conn)
}

/// Questionnaires whose name contains `search`, by name.
pub fn list(conn: &mut PgConnection, search: &str) -> QueryResult<Vec<QuestionnaireSummary>> {
    let pattern = format!(
        "%{}%",
        search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
    );
    let rows: Vec<(Uuid, String, DateTime<Utc>, Option<String>)> = questionnaires::table
        .left_join(members::table.on(members::id.nullable().eq(questionnaires::updated_by)))
        .filter(questionnaires::name.ilike(pattern))
        .order(questionnaires::name.asc())
        .select((
            questionnaires::id,
            questionnaires::name,
            questionnaires::updated_at,
            members::name.nullable(),
        ))
        .load(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let versions: Vec<VersionRow> = questionnaire_versions::table
        .filter(questionnaire_versions::questionnaire_id.eq_any(&ids))
        .order((
            questionnaire_versions::questionnaire_id,
            questionnaire_versions::number.desc(),
        ))
        .distinct_on(questionnaire_versions::questionnaire_id)
        .select(VersionRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, name, updated_at, updated_by)| {
            let version = versions.iter().find(|v| v.questionnaire_id == id)?.clone();
            Some(QuestionnaireSummary {
                id,
                name,
                updated_at,
                updated_by,
                version,
            })
        })
        .collect())
}

/// Choices for questionnaire steps: (id, name).
pub fn choices(conn: &mut PgConnection) -> QueryResult<Vec<(Uuid, String)>> {
    questionnaires::table
        .order(questionnaires::name.asc())
        .select((questionnaires::id, questionnaires::name))
        .load(conn)
}

/// One questionnaire with its latest version.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<QuestionnaireSummary> {
    let (id, name, updated_at, updated_by): (Uuid, String, DateTime<Utc>, Option<String>) = questionnaires::table
        .left_join(members::table.on(members::id.nullable().eq(questionnaires::updated_by)))
        .filter(questionnaires::id.eq(id))
        .select((
            questionnaires::id,
            questionnaires::name,
            questionnaires::updated_at,
            members::name.nullable(),
        ))
        .first(conn)?;
    let version = latest(conn, id)?;
    Ok(QuestionnaireSummary {
        id,
        name,
        updated_at,
        updated_by,
        version,
    })
}

/// Whether a questionnaire exists.
pub fn exists(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(questionnaires::table.find(id))).get_result(conn)
}

/// Creates a questionnaire with an empty first version.
pub fn create(
    conn: &mut PgConnection,
    name: &str,
    definition: &QuestionnaireDefinition,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    diesel::insert_into(questionnaires::table)
        .values((
            questionnaires::id.eq(id),
            questionnaires::name.eq(name),
            questionnaires::created_at.eq(now),
            questionnaires::updated_at.eq(now),
            questionnaires::updated_by.eq(by),
        ))
        .execute(conn)?;
    insert_version(conn, id, 1, definition, by, now)?;
    Ok(id)
}

fn insert_version(
    conn: &mut PgConnection,
    id: Uuid,
    number: i32,
    definition: &QuestionnaireDefinition,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let version = Uuid::new_v4();
    diesel::insert_into(questionnaire_versions::table)
        .values((
            questionnaire_versions::id.eq(version),
            questionnaire_versions::questionnaire_id.eq(id),
            questionnaire_versions::number.eq(number),
            questionnaire_versions::definition.eq(serde_json::to_value(definition).map_err(AppError::internal)?),
            questionnaire_versions::created_at.eq(now),
            questionnaire_versions::created_by.eq(by),
        ))
        .execute(conn)?;
    Ok(version)
}

/// Saves `definition` as the questionnaire's newest content: into the
/// latest version, or into a new version when the latest is frozen.
/// Returns the version number written.
pub fn save(
    conn: &mut PgConnection,
    id: Uuid,
    definition: &QuestionnaireDefinition,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    // Lock the questionnaire so two editors do not both create version N+1.
    questionnaires::table
        .find(id)
        .select(questionnaires::id)
        .for_update()
        .first::<Uuid>(conn)?;
    let current = latest(conn, id)?;
    let number = if current.frozen_at.is_some() {
        insert_version(conn, id, current.number + 1, definition, by, now)?;
        current.number + 1
    } else {
        diesel::update(questionnaire_versions::table.find(current.id))
            .set(questionnaire_versions::definition.eq(serde_json::to_value(definition).map_err(AppError::internal)?))
            .execute(conn)?;
        current.number
    };
    touch(conn, id, by, now)?;
    Ok(number)
}

fn touch(conn: &mut PgConnection, id: Uuid, by: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(questionnaires::table.find(id))
        .set((questionnaires::updated_at.eq(now), questionnaires::updated_by.eq(by)))
        .execute(conn)?;
    Ok(())
}

/// Whether a questionnaire other than `except` has `name`, regardless of case.
pub fn name_taken(conn: &mut PgConnection, name: &str, except: Option<Uuid>) -> QueryResult<bool> {
    // A few dozen rows: compared in Rust, which folds case in every script.
    let names: Vec<(Uuid, String)> = questionnaires::table
        .select((questionnaires::id, questionnaires::name))
        .load(conn)?;
    Ok(crate::questionnaires::forms::same_name_among(
        name,
        names.iter().filter(|(id, _)| Some(*id) != except).map(|(_, n)| n),
    ))
}

/// Renames a questionnaire.
pub fn rename(conn: &mut PgConnection, id: Uuid, name: &str, by: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(questionnaires::table.find(id))
        .set(questionnaires::name.eq(name))
        .execute(conn)?;
    touch(conn, id, by, now)
}

#[derive(QueryableByName)]
struct FlowName {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Names of flows whose versions (draft or published) use the questionnaire.
pub fn used_by(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<String>> {
    let rows: Vec<FlowName> = diesel::sql_query(
        "SELECT DISTINCT f.name FROM flow_versions v JOIN flows f ON f.id = v.flow_id \
         WHERE v.definition -> 'steps' @> jsonb_build_array(jsonb_build_object('questionnaire_id', $1::text)) \
         ORDER BY f.name",
    )
    .bind::<SqlUuid, _>(id)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// Deletes a questionnaire no flow uses.
pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(questionnaires::table.find(id)).execute(conn)
}

/// Freezes a version: a published flow now depends on it.
pub fn freeze(conn: &mut PgConnection, version: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(
        questionnaire_versions::table
            .find(version)
            .filter(questionnaire_versions::frozen_at.is_null()),
    )
    .set(questionnaire_versions::frozen_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// The latest version's id.
pub fn latest_version_id(conn: &mut PgConnection, id: Uuid) -> QueryResult<Uuid> {
    latest(conn, id).map(|v| v.id)
}

/// A specific version.
pub fn version(conn: &mut PgConnection, version: Uuid) -> QueryResult<VersionRow> {
    questionnaire_versions::table
        .find(version)
        .select(VersionRow::as_select())
        .first(conn)
}
