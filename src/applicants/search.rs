//! How a search term finds applicants.
//!
//! The text searched (name, email and external id, normalised) lives in
//! `applicant_search` with a trigram index and the creation time. [`find`]
//! takes one of three ways in, cheapest first:
//!
//! - `in_window`: for names shown newest (or oldest) first, the applicants
//!   created last are read in order and matched one by one; a common name
//!   fills the page from the first few thousand. When those hold a few
//!   matches but not a page, and the rate they show would fill it from a
//!   `WIDE_WINDOW`, that is read next.
//! - an identifier gives the trigram index only its `distinctive_word`;
//! - anything else goes through the trigram index whole ([`matches`]).

use super::queries::{Cursor, ListFilter, Sort};
use crate::db::schema::applicant_search;
use chrono::{DateTime, Utc};
use diesel::dsl::IntervalDsl;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamptz};
use uuid::Uuid;

/// The shortest term searched. Two letters (Li, Ng, Wu) are a surname; they
/// are common enough to fill a page from the first window, and a rare pair,
/// which has no trigram to look up, reads the whole search table.
pub const MIN_TERM_CHARS: usize = 2;

/// How many of the applicants created last [`in_window`] reads first.
const WINDOW: usize = 2000;

/// The most applicants a second window reads: at most about 7 ms from the
/// covering index, less as the page fills and the read stops. A term rarer
/// than that needs is cheaper to look up in the trigram index, which then
/// has few matches to rank.
const WIDE_WINDOW: usize = 30_000;

/// A `LIKE` pattern matching text that contains `text` literally.
fn contains(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// The word of a search term worth giving the trigram index on its own: the
/// longest run of letters and digits that holds a digit, if it is at least
/// four characters long. Identifiers carry what tells them apart in their
/// digits, while the letters around them (`cust-`, a mail domain) are shared
/// by nearly every applicant, and the index would read a posting list of
/// every row for each of those trigrams: 0.9 ms instead of 13 ms for one
/// external id among a million. Names have no digits and are searched whole.
fn distinctive_word(term: &str) -> Option<&str> {
    term.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| word.len() >= 4 && word.chars().any(|c| c.is_ascii_digit()))
        .max_by_key(|word| word.len())
}

/// What a search found for the list to show.
pub enum Found<'a> {
    /// The ids of the page's applicants, read from the newest ones.
    Page(Vec<Uuid>),
    /// A subquery of the matching ids (or of the page's, when the search
    /// table alone can order them).
    Matches(applicant_search::BoxedQuery<'a, Pg, diesel::sql_types::Uuid>),
}

/// The applicants the list's `filter` narrows to for the normalised `term`,
/// for a page of `limit` rows (and one more, to know whether more follow).
pub fn find<'a>(conn: &mut PgConnection, term: &str, filter: &ListFilter, limit: u32) -> QueryResult<Found<'a>> {
    // Newest or oldest first with no filter the search table lacks: the page
    // can be taken from the search table itself.
    let only_search = filter.status.is_none() && filter.flow.is_none() && filter.reviewer.is_none();
    let newest_first = match filter.sort {
        Sort::CreatedDesc => Some(true),
        Sort::CreatedAsc => Some(false),
        _ => None,
    };
    if let Some(newest_first) = newest_first
        && only_search
        && filter.created_from.is_none()
        && filter.created_until.is_none()
        && distinctive_word(term).is_none()
    {
        let cursor = match &filter.after {
            Some(Cursor::At(t, id)) => Some((*t, *id)),
            _ => None,
        };
        let wanted = limit as usize + 1;
        let found = match in_window(conn, term, newest_first, cursor, wanted, WINDOW)? {
            Ok(ids) => return Ok(Found::Page(ids)),
            Err(found) => found,
        };
        if worth_a_wider_window(found, wanted)
            && let Ok(ids) = in_window(conn, term, newest_first, cursor, wanted, WIDE_WINDOW)?
        {
            return Ok(Found::Page(ids));
        }
    }
    Ok(Found::Matches(matches(
        term,
        filter,
        only_search && newest_first.is_some(),
        limit,
    )))
}

/// The ids of the applicants matching `term`, as a subquery. With
/// `page_here`, the page itself is taken from the search table in creation
/// order, so a common name reads one page of applicants.
fn matches<'a>(
    term: &str,
    filter: &ListFilter,
    page_here: bool,
    limit: u32,
) -> applicant_search::BoxedQuery<'a, Pg, diesel::sql_types::Uuid> {
    let mut matches = applicant_search::table
        .select(applicant_search::applicant_id)
        .into_boxed();
    matches = match distinctive_word(term) {
        // The index looks up the distinctive word alone; the whole term
        // is checked on those few rows (`|| ''` keeps it off the index).
        Some(word) if word != term => matches
            .filter(applicant_search::search_text.like(contains(word)))
            .filter(applicant_search::search_text.concat("").like(contains(term))),
        _ => matches.filter(applicant_search::search_text.like(contains(term))),
    };
    if page_here {
        if let Some(from) = filter.created_from {
            matches = matches.filter(applicant_search::created_at.ge(from));
        }
        if let Some(until) = filter.created_until {
            matches = matches.filter(applicant_search::created_at.lt(until));
        }
        let (s_at, s_id) = (applicant_search::created_at, applicant_search::applicant_id);
        // Sorted by an expression no index has, so that PostgreSQL takes
        // the matches from the trigram index and sorts them, rather than
        // walking the window index in order in the hope of meeting matches
        // soon: it guesses that one row in a hundred matches a LIKE, and a
        // rare name walked all of a million rows (200 ms). Terms common
        // enough to be met soon were served by a window already.
        let sorted = s_at + 0.seconds();
        matches = match (filter.sort, &filter.after) {
            (Sort::CreatedDesc, Some(Cursor::At(t, id))) => matches
                .filter(s_at.lt(*t).or(s_at.eq(*t).and(s_id.lt(*id))))
                .order((sorted.desc(), s_id.desc())),
            (Sort::CreatedDesc, _) => matches.order((sorted.desc(), s_id.desc())),
            (_, Some(Cursor::At(t, id))) => matches
                .filter(s_at.gt(*t).or(s_at.eq(*t).and(s_id.gt(*id))))
                .order((sorted.asc(), s_id.asc())),
            _ => matches.order((sorted.asc(), s_id.asc())),
        }
        .limit(i64::from(limit) + 1);
    }
    matches
}

#[derive(QueryableByName)]
struct WindowRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    applicant_id: Uuid,
}

/// Whether the `found` matches among the first [`WINDOW`] applicants show a
/// rate that fills a page of `wanted` within a [`WIDE_WINDOW`].
///
/// A surname that one applicant in two hundred has gives about ten matches
/// in the first window and a page from some 10,000 rows, where the trigram
/// index would fetch and rank all 5,000 of its matches among a million.
fn worth_a_wider_window(found: usize, wanted: usize) -> bool {
    found > 0 && wanted * WINDOW / found <= WIDE_WINDOW
}

/// The first `wanted` matches of `term` among the `size` applicants that
/// come next in creation order (after `cursor`), if there are that many;
/// otherwise how many there were, and a wider window or the trigram index
/// must answer. The read stops as soon as the page is full.
///
/// Read in creation order, the matches found are exactly the next ones
/// overall, so a page filled from the window is the right page. A surname
/// that one applicant in twenty has fills a page from about a thousand rows,
/// where the trigram index would have to rank every one of its matches.
fn in_window(
    conn: &mut PgConnection,
    term: &str,
    newest_first: bool,
    cursor: Option<(DateTime<Utc>, Uuid)>,
    wanted: usize,
    size: usize,
) -> QueryResult<Result<Vec<Uuid>, usize>> {
    let (dir, cmp) = if newest_first { ("DESC", "<") } else { ("ASC", ">") };
    let after = if cursor.is_some() {
        format!("WHERE (created_at, applicant_id) {cmp} ($2, $3)")
    } else {
        // Keeps the parameter numbers the same in both shapes.
        "WHERE $2::timestamptz IS NULL AND $3::uuid IS NULL".to_string()
    };
    let statement = format!(
        "SELECT applicant_id FROM ( \
             SELECT applicant_id, created_at, search_text FROM applicant_search {after} \
             ORDER BY created_at {dir}, applicant_id {dir} LIMIT {size} \
         ) next_ones WHERE strpos(search_text, $1) > 0 \
         ORDER BY created_at {dir}, applicant_id {dir} LIMIT {wanted}"
    );
    let found: Vec<WindowRow> = diesel::sql_query(statement)
        .bind::<Text, _>(term)
        .bind::<Nullable<Timestamptz>, _>(cursor.map(|c| c.0))
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(cursor.map(|c| c.1))
        .load(conn)?;
    if found.len() < wanted {
        return Ok(Err(found.len()));
    }
    Ok(Ok(found.into_iter().map(|f| f.applicant_id).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_looked_up_by_their_digits_and_names_whole() {
        assert_eq!(distinctive_word("cust-0534827"), Some("0534827"));
        assert_eq!(distinctive_word("ingrid.ferreira534827"), Some("ferreira534827"));
        assert_eq!(distinctive_word("sofia lopez"), None);
        assert_eq!(distinctive_word("ab12 x"), Some("ab12"));
        assert_eq!(distinctive_word("a 123"), None, "too short to be worth it");
    }

    #[test]
    fn a_wider_window_is_read_when_the_first_shows_it_will_fill_the_page() {
        assert!(
            !worth_a_wider_window(0, 51),
            "nothing to go by: the trigram index answers"
        );
        assert!(worth_a_wider_window(10, 51), "a page from about 10,000 rows");
        assert!(worth_a_wider_window(4, 51), "a page from about 25,500 rows");
        assert!(!worth_a_wider_window(3, 51), "rarer than a wide window can fill");
    }

    #[test]
    fn like_patterns_match_the_text_literally() {
        assert_eq!(contains("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
