//! A fixed piece of SQL that leaves its statement prepared.
//!
//! `diesel::dsl::sql` marks every statement that holds it as unsafe to keep
//! prepared, because its text could differ from one call to the next. A
//! [`FixedSql`] is a `&'static str`, so its text cannot: Diesel keys its
//! statement cache by the SQL text (as for [`super::kept_update`]) and keeps
//! the statement prepared.
//!
//! Its use here is conditions written exactly as a partial index's predicate,
//! with the values in the text: a prepared statement's generic plan can then
//! use that index, which it cannot when the values are bound parameters.

use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, TypedExpressionType, ValidGrouping, is_aggregate,
};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::QueryResult;
use std::marker::PhantomData;

/// SQL text of type `ST` that never changes; see the module notes. Only
/// ever a literal written in the code: never text built at run time, and
/// never anything a user typed.
#[derive(Debug, Clone, Copy)]
pub struct FixedSql<ST> {
    sql: &'static str,
    sql_type: PhantomData<ST>,
}

/// `sql` as an expression of type `ST`, kept prepared.
pub const fn fixed_sql<ST>(sql: &'static str) -> FixedSql<ST> {
    FixedSql {
        sql,
        sql_type: PhantomData,
    }
}

impl<ST: diesel::sql_types::SqlType + TypedExpressionType> Expression for FixedSql<ST> {
    type SqlType = ST;
}

impl<ST> QueryFragment<Pg> for FixedSql<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(self.sql);
        Ok(())
    }
}

/// No static id: the cache key is the SQL text, which holds this text.
impl<ST> QueryId for FixedSql<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<QS, ST> SelectableExpression<QS> for FixedSql<ST> where Self: Expression {}

impl<QS, ST> AppearsOnTable<QS> for FixedSql<ST> where Self: Expression {}

impl<ST, GB> ValidGrouping<GB> for FixedSql<ST> {
    type IsAggregate = is_aggregate::Never;
}
