//! `LIMIT n` written into the SQL text instead of bound as a parameter.
//!
//! Diesel keeps most statements prepared per connection, so PostgreSQL can
//! plan them once. A bound `LIMIT $1` defeats that: PostgreSQL cannot cost a
//! generic plan for it (it assumes a tenth of the table), so the statement is
//! planned again on every execution, and planning costs more than running a
//! short list query. [`LiteralLimitDsl::literal_limit`] writes the limit into
//! the SQL text instead; page sizes are constants, so this adds no statements
//! to the cache.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};

/// A query followed by a literal `LIMIT`; build it with [`LiteralLimitDsl`].
#[derive(Debug, Clone)]
pub struct LiteralLimit<Q> {
    query: Q,
    limit: u32,
}

/// No static id: the limit is part of the SQL text, so Diesel must key its
/// statement cache by that text, never by the query's type alone.
impl<Q> QueryId for LiteralLimit<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// Adds [`LiteralLimitDsl::literal_limit`] to every query.
pub trait LiteralLimitDsl: Sized {
    /// This query with `LIMIT limit` in its SQL text. The query must not
    /// have a `.limit()` of its own.
    fn literal_limit(self, limit: u32) -> LiteralLimit<Self> {
        LiteralLimit { query: self, limit }
    }
}

impl<Q: Query> LiteralLimitDsl for Q {}

impl<Q: Query> Query for LiteralLimit<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> RunQueryDsl<PgConnection> for LiteralLimit<Q> {}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for LiteralLimit<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT ");
        out.push_sql(&self.limit.to_string());
        Ok(())
    }
}
