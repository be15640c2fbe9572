//! Keyset pagination's condition, `(key, id) > (k, i)`, as a row comparison.
//!
//! A page starts after the last row of the one before: after its sort key,
//! and among rows with the same key, after its id. PostgreSQL turns a row
//! comparison into a bound on the `(key, id)` index, so a page anywhere in
//! the list reads only its own rows. The expanded form `key > k OR (key = k
//! AND id > i)` gives the index no bound at all (every row before the
//! cursor is read and filtered), and `key >= k AND (…)` bounds only the
//! key, so a page inside a long run of equal keys (every purged applicant is
//! "Deleted applicant") still walks the run. Diesel has no row comparison;
//! [`past`] is one, with the values bound, and keeps its statement prepared.

use diesel::expression::{AppearsOnTable, AsExpression, Expression, SelectableExpression, ValidGrouping, is_aggregate};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::sql_types::{Bool, SqlType};

/// Which way the list runs past the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Ascending order: rows greater than the cursor.
    Ascending,
    /// Descending order: rows less than the cursor.
    Descending,
}

/// `(key, id) > (k, i)` (or `<`); see the module notes.
#[derive(Debug, Clone)]
pub struct Past<K, I, KV, IV> {
    key: K,
    id: I,
    key_value: KV,
    id_value: IV,
    direction: Direction,
}

/// The rows after the cursor `(key_value, id_value)` in a list sorted by
/// `(key, id)` in `direction`.
pub fn past<K, I, KV, IV>(
    (key, id): (K, I),
    (key_value, id_value): (KV, IV),
    direction: Direction,
) -> Past<K, I, KV::Expression, IV::Expression>
where
    K: Expression<SqlType: SqlType>,
    I: Expression<SqlType: SqlType>,
    KV: AsExpression<K::SqlType>,
    IV: AsExpression<I::SqlType>,
{
    Past {
        key,
        id,
        key_value: key_value.as_expression(),
        id_value: id_value.as_expression(),
        direction,
    }
}

impl<K, I, KV, IV> Expression for Past<K, I, KV, IV> {
    type SqlType = Bool;
}

impl<K, I, KV, IV> QueryFragment<Pg> for Past<K, I, KV, IV>
where
    K: QueryFragment<Pg>,
    I: QueryFragment<Pg>,
    KV: QueryFragment<Pg>,
    IV: QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("(");
        self.key.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        self.id.walk_ast(out.reborrow())?;
        out.push_sql(match self.direction {
            Direction::Ascending => ") > (",
            Direction::Descending => ") < (",
        });
        self.key_value.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        self.id_value.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

/// No static id, since the direction is a value: the statement cache is
/// keyed by the SQL text, which holds the operator.
impl<K, I, KV, IV> QueryId for Past<K, I, KV, IV> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<QS, K, I, KV, IV> AppearsOnTable<QS> for Past<K, I, KV, IV>
where
    K: AppearsOnTable<QS>,
    I: AppearsOnTable<QS>,
    KV: AppearsOnTable<QS>,
    IV: AppearsOnTable<QS>,
{
}

impl<QS, K, I, KV, IV> SelectableExpression<QS> for Past<K, I, KV, IV>
where
    K: SelectableExpression<QS>,
    I: SelectableExpression<QS>,
    KV: SelectableExpression<QS>,
    IV: SelectableExpression<QS>,
{
}

impl<GB, K, I, KV, IV> ValidGrouping<GB> for Past<K, I, KV, IV> {
    type IsAggregate = is_aggregate::Never;
}
