//! `LIMIT n` written into the SQL text instead of bound as a parameter.
//!
//! PostgreSQL cannot cost a generic plan for `LIMIT $1`: it assumes a tenth
//! of the table will be returned, so the generic plan always looks worse than
//! a custom one and a prepared list query is planned again on every
//! execution. With the limit in the text, the statement Diesel keeps prepared
//! settles on one generic plan and planning drops out of the request. Page
//! sizes are constants, so this adds no statements to the cache.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};

/// A query followed by a literal `LIMIT`; build it with [`LiteralLimitDsl`].
#[derive(Debug, Clone, QueryId)]
pub struct LiteralLimit<Q> {
    query: Q,
    limit: u32,
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
