//! Flow queries. A flow has versions: at most one draft, and published
//! versions that the database itself keeps unchanged.

use super::definition::{FlowDefinition, StepConfig};
use crate::db::schema::{flow_versions, flows, members};
use crate::error::AppError;
use crate::questionnaires::queries as questionnaires;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// A flow row.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = flows)]
pub struct Flow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<Uuid>,
}

/// A flow version row.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = flow_versions)]
pub struct FlowVersion {
    pub id: Uuid,
    pub flow_id: Uuid,
    pub number: i32,
    pub definition: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<Uuid>,
}

impl FlowVersion {
    /// The parsed definition.
    pub fn parsed(&self) -> Result<FlowDefinition, AppError> {
        serde_json::from_value(self.definition.clone())
            .map_err(|e| AppError::internal(format!("flow version {}: {e}", self.id)))
    }
}

/// A flow with its live version and its draft.
#[derive(Debug, Clone)]
pub struct FlowSummary {
    pub flow: Flow,
    /// The newest published version.
    pub live: Option<FlowVersion>,
    /// The unpublished version being edited.
    pub draft: Option<FlowVersion>,
    /// Who changed it last.
    pub updated_by: Option<String>,
}

impl FlowSummary {
    /// `archived`, `published` or `draft`.
    pub fn state(&self) -> &'static str {
        if self.flow.archived_at.is_some() {
            "archived"
        } else if self.live.is_some() {
            "published"
        } else {
            "draft"
        }
    }

    /// The version being worked on: the draft, else the live one.
    pub fn current(&self) -> Option<&FlowVersion> {
        self.draft.as_ref().or(self.live.as_ref())
    }
}

fn summaries(conn: &mut PgConnection, rows: Vec<(Flow, Option<String>)>) -> QueryResult<Vec<FlowSummary>> {
    let ids: Vec<Uuid> = rows.iter().map(|(f, _)| f.id).collect();
    let live: Vec<FlowVersion> = flow_versions::table
        .filter(flow_versions::flow_id.eq_any(&ids))
        .filter(flow_versions::published_at.is_not_null())
        .order((flow_versions::flow_id, flow_versions::number.desc()))
        .distinct_on(flow_versions::flow_id)
        .select(FlowVersion::as_select())
        .load(conn)?;
    let drafts: Vec<FlowVersion> = flow_versions::table
        .filter(flow_versions::flow_id.eq_any(&ids))
        .filter(flow_versions::published_at.is_null())
        .select(FlowVersion::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(flow, updated_by)| FlowSummary {
            live: live.iter().find(|v| v.flow_id == flow.id).cloned(),
            draft: drafts.iter().find(|v| v.flow_id == flow.id).cloned(),
            flow,
            updated_by,
        })
        .collect())
}

/// Flows whose name contains `search`; archived ones only when asked.
pub fn list(conn: &mut PgConnection, search: &str, archived: bool) -> QueryResult<Vec<FlowSummary>> {
    let pattern = format!(
        "%{}%",
        search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
    );
    let mut query = flows::table
        .left_join(members::table.on(members::id.nullable().eq(flows::updated_by)))
        .filter(flows::name.ilike(pattern))
        .order(flows::name.asc())
        .select((Flow::as_select(), members::name.nullable()))
        .into_boxed();
    if !archived {
        query = query.filter(flows::archived_at.is_null());
    }
    let rows = query.load(conn)?;
    summaries(conn, rows)
}

/// How many applicants are on each flow: (flow, count).
pub fn applicant_counts(conn: &mut PgConnection) -> QueryResult<Vec<(Uuid, i64)>> {
    use crate::db::schema::applicants;
    applicants::table
        .filter(applicants::flow_id.is_not_null())
        .filter(applicants::purged_at.is_null())
        .group_by(applicants::flow_id)
        .select((applicants::flow_id.assume_not_null(), diesel::dsl::count_star()))
        .load(conn)
}

/// One flow.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<FlowSummary> {
    let row: (Flow, Option<String>) = flows::table
        .left_join(members::table.on(members::id.nullable().eq(flows::updated_by)))
        .filter(flows::id.eq(id))
        .select((Flow::as_select(), members::name.nullable()))
        .first(conn)?;
    summaries(conn, vec![row])?.pop().ok_or(diesel::result::Error::NotFound)
}

/// Locks the flow row, serialising edits of the same flow.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> QueryResult<Flow> {
    flows::table.find(id).for_update().select(Flow::as_select()).first(conn)
}

/// Creates a flow with a draft first version.
pub fn create(
    conn: &mut PgConnection,
    name: &str,
    kind: &str,
    definition: &FlowDefinition,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    diesel::insert_into(flows::table)
        .values((
            flows::id.eq(id),
            flows::name.eq(name),
            flows::kind.eq(kind),
            flows::created_at.eq(now),
            flows::updated_at.eq(now),
            flows::updated_by.eq(by),
        ))
        .execute(conn)?;
    insert_version(conn, id, 1, definition, by, now)?;
    Ok(id)
}

fn insert_version(
    conn: &mut PgConnection,
    flow: Uuid,
    number: i32,
    definition: &FlowDefinition,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<FlowVersion, AppError> {
    let json = serde_json::to_value(definition).map_err(AppError::internal)?;
    Ok(diesel::insert_into(flow_versions::table)
        .values((
            flow_versions::id.eq(Uuid::new_v4()),
            flow_versions::flow_id.eq(flow),
            flow_versions::number.eq(number),
            flow_versions::definition.eq(json),
            flow_versions::created_at.eq(now),
            flow_versions::created_by.eq(by),
            flow_versions::updated_at.eq(now),
        ))
        .returning(FlowVersion::as_returning())
        .get_result(conn)?)
}

/// The draft to edit: the existing one, or a copy of the live version as
/// the next version number. Call with the flow locked.
pub fn working_draft(conn: &mut PgConnection, id: Uuid, by: Uuid, now: DateTime<Utc>) -> Result<FlowVersion, AppError> {
    let summary = find(conn, id)?;
    if let Some(draft) = summary.draft {
        return Ok(draft);
    }
    let live = summary.live.ok_or(AppError::NotFound)?;
    let mut definition = live.parsed()?;
    // A draft follows the questionnaires' newest versions until it is published.
    for step in &mut definition.steps {
        if let StepConfig::Questionnaire {
            questionnaire_version_id,
            ..
        } = &mut step.config
        {
            *questionnaire_version_id = None;
        }
    }
    insert_version(conn, id, live.number + 1, &definition, by, now)
}

/// Saves a draft's definition.
pub fn save_draft(
    conn: &mut PgConnection,
    version: Uuid,
    definition: &FlowDefinition,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let json = serde_json::to_value(definition).map_err(AppError::internal)?;
    diesel::update(
        flow_versions::table
            .find(version)
            .filter(flow_versions::published_at.is_null()),
    )
    .set((flow_versions::definition.eq(json), flow_versions::updated_at.eq(now)))
    .execute(conn)?;
    Ok(())
}

/// Records who changed the flow last.
pub fn touch(conn: &mut PgConnection, id: Uuid, by: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(flows::table.find(id))
        .set((flows::updated_at.eq(now), flows::updated_by.eq(by)))
        .execute(conn)?;
    Ok(())
}

/// How many applicants on flow `id` (not purged) are of a type `audience`
/// does not admit.
pub fn applicants_not_admitted(
    conn: &mut PgConnection,
    id: Uuid,
    audience: super::definition::Audience,
) -> QueryResult<i64> {
    use crate::db::schema::applicants;
    applicants::table
        .filter(applicants::flow_id.eq(id))
        .filter(applicants::purged_at.is_null())
        .filter(diesel::dsl::not(applicants::kind.eq_any(audience.kinds())))
        .count()
        .get_result(conn)
}

/// Publishes the draft: checks it, pins and freezes the questionnaire
/// versions it uses, and makes it the live version. Returns the version
/// number, or every problem that blocks publishing.
pub fn publish(
    conn: &mut PgConnection,
    id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<Result<i32, Vec<String>>, AppError> {
    let flow = lock(conn, id)?;
    if flow.archived_at.is_some() {
        return Ok(Err(vec![
            "Archived flows cannot be published; unarchive it first.".into(),
        ]));
    }
    let Some(draft) = find(conn, id)?.draft else {
        return Ok(Err(vec![
            "There is no draft to publish: the live version is already up to date.".into(),
        ]));
    };
    let mut definition = draft.parsed()?;
    // Lock the questionnaires (in id order, against deadlocks) so none
    // changes between the check below and the freeze.
    let mut used = definition.questionnaire_ids();
    used.sort();
    used.dedup();
    for q in &used {
        if questionnaires::exists(conn, *q)? {
            questionnaires::lock(conn, *q)?;
        }
    }
    // Questionnaires are checked one by one below, with the connection.
    let mut problems = definition.publish_problems(&|_| true);
    for (i, step) in definition.steps.iter_mut().enumerate() {
        if let StepConfig::Questionnaire {
            questionnaire_id,
            questionnaire_version_id,
        } = &mut step.config
        {
            if !questionnaires::exists(conn, *questionnaire_id)? {
                problems.push(format!(
                    "Step {} (Questionnaire): its questionnaire no longer exists; choose another.",
                    i + 1
                ));
                continue;
            }
            let latest = questionnaires::find(conn, *questionnaire_id)?;
            let q_problems = latest.version.parsed().problems();
            if latest.version.parsed().questions.is_empty() {
                problems.push(format!(
                    "Step {} (Questionnaire): “{}” has no questions yet.",
                    i + 1,
                    latest.name
                ));
            }
            if !q_problems.is_empty() {
                problems.push(format!(
                    "Step {} (Questionnaire): “{}” has problems to fix first ({}).",
                    i + 1,
                    latest.name,
                    q_problems.join(" ")
                ));
            }
            *questionnaire_version_id = Some(latest.version.id);
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    for step in &definition.steps {
        if let StepConfig::Questionnaire {
            questionnaire_version_id: Some(version),
            ..
        } = step.config
        {
            questionnaires::freeze(conn, version, now)?;
        }
    }
    save_draft(conn, draft.id, &definition, now)?;
    diesel::update(flow_versions::table.find(draft.id))
        .set((flow_versions::published_at.eq(now), flow_versions::published_by.eq(by)))
        .execute(conn)?;
    touch(conn, id, by, now)?;
    Ok(Ok(draft.number))
}

/// Deletes the draft of a flow that also has a live version.
pub fn discard_draft(conn: &mut PgConnection, id: Uuid) -> Result<Result<i32, String>, AppError> {
    lock(conn, id)?;
    let summary = find(conn, id)?;
    match (summary.draft, summary.live) {
        (Some(draft), Some(_)) => {
            diesel::delete(flow_versions::table.find(draft.id)).execute(conn)?;
            Ok(Ok(draft.number))
        }
        (None, _) => Ok(Err("There is no draft to discard.".into())),
        (Some(_), None) => Ok(Err(
            "This flow was never published, so its draft is all there is; archive the flow instead.".into(),
        )),
    }
}

/// Whether a flow other than `except` has `name`, regardless of case.
pub fn name_taken(conn: &mut PgConnection, name: &str, except: Option<Uuid>) -> QueryResult<bool> {
    // A few dozen rows: compared in Rust, which folds case in every script.
    let names: Vec<(Uuid, String)> = flows::table.select((flows::id, flows::name)).load(conn)?;
    Ok(crate::questionnaires::forms::same_name_among(
        name,
        names.iter().filter(|(id, _)| Some(*id) != except).map(|(_, n)| n),
    ))
}

/// Renames a flow.
pub fn rename(conn: &mut PgConnection, id: Uuid, name: &str, by: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(flows::table.find(id))
        .set(flows::name.eq(name))
        .execute(conn)?;
    touch(conn, id, by, now)
}

/// Archives (`Some(now)`) or unarchives (`None`) a flow.
pub fn set_archived(
    conn: &mut PgConnection,
    id: Uuid,
    at: Option<DateTime<Utc>>,
    by: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(flows::table.find(id))
        .set(flows::archived_at.eq(at))
        .execute(conn)?;
    touch(conn, id, by, now)
}

/// A version with the names of who created and who published it.
pub type VersionWithPeople = (FlowVersion, Option<String>, Option<String>);

/// Every version of a flow, newest first, with who created and published it.
pub fn versions(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<VersionWithPeople>> {
    let (creators, publishers) = diesel::alias!(members as creators, members as publishers);
    flow_versions::table
        .left_join(creators.on(creators.field(members::id).nullable().eq(flow_versions::created_by)))
        .left_join(publishers.on(publishers.field(members::id).nullable().eq(flow_versions::published_by)))
        .filter(flow_versions::flow_id.eq(id))
        .order(flow_versions::number.desc())
        .select((
            FlowVersion::as_select(),
            creators.field(members::name).nullable(),
            publishers.field(members::name).nullable(),
        ))
        .load(conn)
}
