//! Flow and member names for the applicants list.
//!
//! Every list request shows flow and reviewer names and offers both as
//! filters. They are few and change rarely, so they are loaded in one query
//! and kept for [`FRESH_FOR`]: a renamed flow or member shows its new name
//! within two seconds, and a row naming an id the cache has not seen yet
//! reloads it at once, so a new flow or reviewer is never shown blank.

use crate::db::schema::{flows, members};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long loaded names are used before they are loaded again.
pub const FRESH_FOR: Duration = Duration::from_secs(2);

/// Every flow's and member's name, for showing the list's rows and filters.
#[derive(Debug, Default)]
pub struct Names {
    /// Every flow, by name.
    pub flows: Vec<(Uuid, String)>,
    /// Every member, by name, and whether they may review applicants now
    /// (active, with a role that reviews).
    pub members: Vec<(Uuid, String, bool)>,
}

impl Names {
    /// A flow's name.
    pub fn flow(&self, id: Option<Uuid>) -> Option<&str> {
        let id = id?;
        self.flows.iter().find(|(f, _)| *f == id).map(|(_, n)| n.as_str())
    }

    /// A member's name.
    pub fn member(&self, id: Option<Uuid>) -> Option<&str> {
        let id = id?;
        self.members
            .iter()
            .find(|(m, _, _)| *m == id)
            .map(|(_, n, _)| n.as_str())
    }

    /// Members who may review now: the list's reviewer filter offers them.
    pub fn reviewers(&self) -> impl Iterator<Item = (Uuid, &str)> {
        self.members
            .iter()
            .filter(|(_, _, reviews)| *reviews)
            .map(|(id, n, _)| (*id, n.as_str()))
    }
}

/// How a member is named in choices and lists: two members of one name
/// (`shared`) are told apart by their email, and one without a name
/// (invited, not joined yet) goes by it.
pub fn member_label(name: &str, email: &str, shared: bool) -> String {
    if name.is_empty() {
        email.to_string()
    } else if shared {
        format!("{name} ({email})")
    } else {
        name.to_string()
    }
}

/// Loads [`Names`] in one round trip: flows and members are few, and the
/// list page needs both on every request.
pub fn load(conn: &mut PgConnection) -> QueryResult<Names> {
    use crate::auth::permissions::Permission;
    use crate::db::schema::roles;
    let rows: Vec<(String, Uuid, String, String, bool)> = flows::table
        .select((
            "flow".into_sql::<Text>(),
            flows::id,
            flows::name,
            "".into_sql::<Text>(),
            false.into_sql::<Bool>(),
        ))
        .union_all(
            members::table.inner_join(roles::table).select((
                "member".into_sql::<Text>(),
                members::id,
                members::name,
                members::email,
                // As `queries::reviewers` has it: reviewing needs seeing.
                members::status
                    .eq(crate::team::models::status::ACTIVE)
                    .and(roles::permissions.contains(vec![
                        Permission::ApplicantsReview.code(),
                        Permission::ApplicantsView.code(),
                    ])),
            )),
        )
        .load(conn)?;
    let mut names = Names::default();
    let mut members = Vec::new();
    for (kind, id, name, email, reviews) in rows {
        match kind.as_str() {
            "flow" => names.flows.push((id, name)),
            _ => members.push((id, name, email, reviews)),
        }
    }
    for (id, name, email, active) in &members {
        let shared = members.iter().filter(|m| m.1 == *name).count() > 1;
        names.members.push((*id, member_label(name, email, shared), *active));
    }
    names.flows.sort_by(|a, b| a.1.cmp(&b.1));
    names.members.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(names)
}

/// The names last loaded, shared by every worker.
#[derive(Default)]
pub struct NamesCache {
    loaded: Mutex<Option<(Instant, Arc<Names>)>>,
    /// Set while one request reloads expired names, so that the others keep
    /// using the old ones for that moment instead of all loading at once.
    reloading: AtomicBool,
}

impl NamesCache {
    /// The cached names if they are fresh and `complete` holds for them
    /// (they know every id the caller is about to show); otherwise loads
    /// them again and keeps them. While another request reloads expired
    /// names, complete ones are used as they are.
    pub fn get_or_load(&self, conn: &mut PgConnection, complete: impl Fn(&Names) -> bool) -> QueryResult<Arc<Names>> {
        let usable = match self.loaded.lock() {
            Ok(loaded) => match loaded.as_ref() {
                Some((at, names)) if complete(names) => {
                    if at.elapsed() < FRESH_FOR {
                        return Ok(names.clone());
                    }
                    Some(names.clone())
                }
                _ => None,
            },
            Err(_) => None,
        };
        let reloads = !self.reloading.swap(true, Ordering::AcqRel);
        if !reloads && let Some(names) = usable {
            return Ok(names);
        }
        // Cleared when this reload ends, however it ends, after the names
        // are stored.
        let _reloading = reloads.then_some(Reloading(&self.reloading));
        let names = Arc::new(load(conn)?);
        if let Ok(mut loaded) = self.loaded.lock() {
            *loaded = Some((Instant::now(), names.clone()));
        }
        Ok(names)
    }
}

/// Clears the reloading flag when dropped.
struct Reloading<'a>(&'a AtomicBool);

impl Drop for Reloading<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}
