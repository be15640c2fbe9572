//! `UPDATE` statements that PostgreSQL keeps prepared.
//!
//! Diesel keeps SELECTs and INSERTs of a fixed shape prepared on each
//! connection, keyed by their Rust type, but never an UPDATE, because one
//! changeset type can give different SQL (it skips `None` fields). PostgreSQL then parses
//! and plans such an UPDATE anew on every call. On the busiest write path,
//! creating a verification session, that was a sixth of the database's work.
//!
//! [`kept_update`] writes the same SQL as `diesel::update(target).set(values)`
//! from the same typed parts, but lets Diesel key its statement cache by the
//! SQL text. Each distinct statement is then prepared once per connection.
//! A changeset that skips fields gives a different text, and so its own
//! entry: nothing is reused for the wrong SQL.

use diesel::associations::HasTable;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AsChangeset, AstPass, IntoUpdateTarget, Query, QueryFragment, QueryId};
use diesel::query_source::QuerySource;

/// An UPDATE built by [`kept_update`], optionally with [`KeptUpdate::returning`].
#[derive(Debug)]
pub struct KeptUpdate<From, Where, Values, Returning> {
    from: From,
    where_clause: Where,
    values: Values,
    returning: Returning,
}

/// What a [`KeptUpdate`] gives back.
#[derive(Debug)]
pub struct Returning<Selection>(Selection);

type FromOf<Target> = <<Target as HasTable>::Table as QuerySource>::FromClause;

/// `UPDATE` the rows of `target` with `values`, as `diesel::update(target).set(values)`
/// does, but kept prepared on the connection.
pub fn kept_update<Target, Values>(
    target: Target,
    values: Values,
) -> KeptUpdate<FromOf<Target>, Target::WhereClause, Values::Changeset, ()>
where
    Target: IntoUpdateTarget,
    Values: AsChangeset<Target = Target::Table>,
{
    let target = target.into_update_target();
    KeptUpdate {
        from: target.table.from_clause(),
        where_clause: target.where_clause,
        values: values.as_changeset(),
        returning: (),
    }
}

impl<From, Where, Values> KeptUpdate<From, Where, Values, ()> {
    /// Returns `selection` (columns, or `Model::as_returning()`) of each row updated.
    pub fn returning<Selection>(self, selection: Selection) -> KeptUpdate<From, Where, Values, Returning<Selection>> {
        KeptUpdate {
            from: self.from,
            where_clause: self.where_clause,
            values: self.values,
            returning: Returning(selection),
        }
    }
}

/// No static id: Diesel keys its cache by the SQL text (see the module notes).
impl<From, Where, Values, Returning> QueryId for KeptUpdate<From, Where, Values, Returning> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<From, Where, Values, Returning> QueryFragment<Pg> for KeptUpdate<From, Where, Values, Returning>
where
    From: QueryFragment<Pg>,
    Where: QueryFragment<Pg>,
    Values: QueryFragment<Pg>,
    Returning: QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        self.from.walk_ast(out.reborrow())?;
        out.push_sql(" SET ");
        self.values.walk_ast(out.reborrow())?;
        self.where_clause.walk_ast(out.reborrow())?;
        self.returning.walk_ast(out.reborrow())
    }
}

impl<Selection: QueryFragment<Pg>> QueryFragment<Pg> for Returning<Selection> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(" RETURNING ");
        self.0.walk_ast(out.reborrow())
    }
}

impl<From, Where, Values, Selection: Expression> Query for KeptUpdate<From, Where, Values, Returning<Selection>> {
    type SqlType = Selection::SqlType;
}

impl<From, Where, Values, Returning, Conn> RunQueryDsl<Conn> for KeptUpdate<From, Where, Values, Returning> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::schema::applicants;

    #[test]
    fn writes_what_diesel_writes_for_the_same_update() {
        let id = uuid::Uuid::nil();
        let target = || applicants::table.find(id).filter(applicants::purged_at.is_null());
        let values = || {
            (
                applicants::status.eq("INIT"),
                applicants::lock_version.eq(applicants::lock_version + 1),
            )
        };
        let ours = kept_update(target(), values()).returning(applicants::id);
        let diesels = diesel::update(target()).set(values()).returning(applicants::id);
        assert_eq!(
            diesel::debug_query::<Pg, _>(&ours).to_string(),
            diesel::debug_query::<Pg, _>(&diesels).to_string()
        );
    }
}
