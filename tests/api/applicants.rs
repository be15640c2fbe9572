//! Applicants: create with validation, profile, list search, filters, sort
//! and keyset pagination.

use crate::helpers::{TestApp, spawn_app};
use veridesk::applicants::models::{NewApplicant, search_text};
use veridesk::auth::permissions::BuiltinRole;

/// Inserts an applicant directly (for list tests).
pub fn insert_applicant(app: &TestApp, name: &str, external: &str, status: &str, minutes_ago: i64) -> uuid::Uuid {
    let now = app.clock.now() - chrono::Duration::minutes(minutes_ago);
    let email = format!("{}@example.test", external.to_lowercase());
    let applicant = NewApplicant {
        id: uuid::Uuid::new_v4(),
        kind: "natural_person".into(),
        external_user_id: external.into(),
        name: name.into(),
        search_text: search_text(name, Some(&email), external),
        email: Some(email),
        phone: None,
        language: "en".into(),
        date_of_birth: None,
        country: None,
        supplied_info: serde_json::json!({}),
        flow_id: None,
        status: status.into(),
        created_by: None,
        created_at: now,
        updated_at: now,
    };
    let mut conn = app.pool.get().expect("conn");
    assert!(veridesk::applicants::queries::create(&mut conn, &applicant).expect("insert"));
    applicant.id
}

/// How many applicants are stored.
pub fn applicant_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use veridesk::db::schema::applicants;
    let mut conn = app.pool.get().expect("conn");
    applicants::table.count().get_result(&mut conn).expect("count")
}

#[actix_web::test]
async fn create_an_applicant_with_clear_messages_for_bad_input() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    assert_eq!(app.get("/applicants/new").await.status, 200);
    let bad = app
        .post(
            "/applicants",
            &[
                ("kind", "natural_person"),
                ("external_user_id", ""),
                ("name", "Zoë Ångström"),
                ("email", "zoe@"),
                ("phone", "call me"),
                ("language", "en"),
                ("date_of_birth", "31/12/1990"),
                ("country", "SE"),
                ("supplied_info", "no colon here"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    for message in [
        "Give the id your own systems use",
        "is not a valid email address",
        "international form",
        "is not a date like",
        "key: value",
    ] {
        assert!(bad.body.contains(message), "missing {message}");
    }
    assert!(bad.body.contains("value=\"Zoë Ångström\"") && bad.body.contains("no colon here"));

    let fields = [
        ("kind", "natural_person"),
        ("external_user_id", "CUST-1001"),
        ("name", "Zoë Ångström"),
        ("email", "Zoe@Example.test"),
        ("phone", "08 123 456 78"),
        ("language", "en"),
        ("date_of_birth", "1990-12-31"),
        ("country", "SE"),
        ("supplied_info", "occupation: architect"),
    ];
    let company = app
        .post(
            "/applicants",
            &[
                ("kind", "legal_person"),
                ("external_user_id", "ORG-1"),
                ("name", "Nordwind AB"),
                ("language", "en"),
                ("date_of_birth", "1990-12-31"),
            ],
        )
        .await;
    assert_eq!(company.status, 422);
    assert!(company.body.contains("A company has no date of birth"));
    let huge = "x".repeat(1_100_000);
    let too_large = app.post("/applicants", &[("supplied_info", huge.as_str())]).await;
    assert_eq!(too_large.status, 400);
    assert!(
        too_large.body.contains("The form is too large."),
        "said as such, not as unreadable"
    );
    let created = app.post("/applicants", &fields).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let profile = app.get(created.location.as_deref().expect("profile")).await;
    assert!(
        profile.body.contains("Zoë Ångström")
            && profile.body.contains("CUST-1001")
            && profile.body.contains("Not initiated")
    );
    assert!(
        profile.body.contains("+46812345678") && profile.body.contains("architect") && profile.body.contains("Sweden"),
        "a number dialled within the chosen country is stored in international form"
    );
    assert!(
        profile.body.contains("Applicant created"),
        "the timeline shows the creation"
    );
    let duplicate = app.post("/applicants", &fields).await;
    assert_eq!(duplicate.status, 422);
    assert!(duplicate.body.contains("already has this external user id"));
}

/// A year before the common era is not between 1900 and today, however
/// large its number: the form comes back with the date as typed.
/// Two teammates of one name are told apart by their email wherever a
/// reviewer is chosen.
#[actix_web::test]
async fn reviewers_of_one_name_are_told_apart() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let second = app.create_member(BuiltinRole::ComplianceOfficer, "second-officer@example.test");
    app.create_member(BuiltinRole::Viewer, "viewer@example.test");
    let applicant = insert_applicant(&app, "Ana Lima", "ANA-1", "IN_REVIEW", 5);
    {
        use diesel::prelude::*;
        use veridesk::db::schema::applicants;
        let mut conn = app.pool.get().expect("conn");
        diesel::update(applicants::table.find(applicant))
            .set(applicants::reviewer_id.eq(second))
            .execute(&mut conn)
            .expect("reviewer");
    }
    let list = app.get("/applicants").await;
    let profile = app.get(&format!("/applicants/{applicant}")).await;
    for page in [&list.body, &profile.body] {
        assert!(
            page.contains(">Test Compliance officer (second-officer@example.test)</option>")
                && page.contains(">Test Compliance officer (compliance-officer@example.test)</option>"),
            "{page}"
        );
    }
    assert!(
        profile
            .body
            .contains("Reviewer: Test Compliance officer (second-officer@example.test)"),
        "the header names the reviewer as the choice does"
    );
    assert!(
        !list.body.contains(">Test Viewer</option>"),
        "the reviewer filter offers only members who may review"
    );
}

#[actix_web::test]
async fn a_birth_date_before_the_common_era_is_refused() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let refused = app
        .post(
            "/applicants",
            &[
                ("kind", "natural_person"),
                ("external_user_id", "BCE-1"),
                ("name", "Ana Lima"),
                ("language", "en"),
                ("date_of_birth", "-1990-01-01"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Give a date between 1900 and today."));
    assert!(refused.body.contains("value=\"-1990-01-01\""));
    assert_eq!(applicant_count(&app), 0, "nothing was stored");
}

#[actix_web::test]
async fn the_list_searches_filters_sorts_and_pages() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Viewer).await;
    insert_applicant(&app, "Zoë Ångström", "ZA-1", "APPROVED", 1);
    insert_applicant(&app, "Bob Builder", "BB-2", "INIT", 2);
    insert_applicant(&app, "Émile Zola", "EZ-3", "INIT", 3);
    insert_applicant(&app, "de Vries BV", "DV-4", "INIT", 4);
    for i in 0..60 {
        insert_applicant(
            &app,
            &format!("Person {i:02}"),
            &format!("P-{i:02}"),
            "INCOMPLETE",
            10 + i,
        );
    }
    let accent = app.get("/applicants?q=zoe%20ang").await;
    assert!(
        accent.body.contains("Zoë Ångström") && !accent.body.contains("Bob Builder"),
        "accent- and case-insensitive search"
    );
    let by_id = app.get("/applicants?q=bb-").await;
    assert!(by_id.body.contains("Bob Builder"));
    let lower = app.get("/applicants?status=approved").await;
    assert_eq!(lower.status, 200, "a status in lower case is the same status");
    assert!(lower.body.contains("<option value=\"APPROVED\" selected>"));
    let approved = app.get("/applicants?status=APPROVED").await;
    assert!(approved.body.contains("Zoë Ångström") && !approved.body.contains("Person 01"));
    let two = app.get("/applicants?q=zo").await;
    assert!(
        two.body.contains("Zoë Ångström") && !two.body.contains("Bob Builder"),
        "two letters find a short surname"
    );
    let short = app.get("/applicants?q=z").await;
    assert_eq!(short.status, 422);
    assert!(short.body.contains("Type at least 2 characters") && short.body.contains("value=\"z\""));
    let nul = app.get("/applicants?q=zo%00e").await;
    assert!(
        nul.body.contains("Zoë Ångström"),
        "a NUL in the term is dropped, not a 500"
    );
    let nul_cursor = app
        .get("/applicants?sort=name_asc&after=%00|00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(nul_cursor.status, 200, "a cursor we did not write shows the first page");
    let bad = app.get("/applicants?status=LOST&from=yesterday").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Choose a status") && bad.body.contains("is not a date"));
    assert!(
        !bad.body.contains("Zoë Ångström") && bad.body.contains("Correct the filters above"),
        "no rows under a filter that could not be read: they would read as its result"
    );

    // Newest first, 50 per page, then the rest through the cursor.
    let first = app.get("/applicants").await;
    assert!(
        first.body.contains("Zoë Ångström") && first.body.contains("Person 45") && !first.body.contains("Person 46")
    );
    let start = first.body.find("/applicants?after=").expect("a next page link");
    let next = first.body[start..]
        .split('"')
        .next()
        .expect("href")
        .replace("&amp;", "&");
    let second = app.get(&next).await;
    assert!(
        second.body.contains("Person 46") && second.body.contains("Person 59") && !second.body.contains("Person 45")
    );
    assert!(!second.body.contains("Next page"));
    app.get(&link_named(&second.body, "Previous page").expect("a previous page link"))
        .await
        .assert_redirect("/applicants");
    assert!(
        first.body.contains("minlength=\"2\""),
        "the browser asks what the server asks"
    );

    let by_name = app.get("/applicants?sort=name_asc").await;
    let order: Vec<usize> = ["Bob Builder", "de Vries BV", "Émile Zola", "Person 00"]
        .iter()
        .map(|name| {
            by_name
                .body
                .find(name)
                .unwrap_or_else(|| panic!("{name} on the first page"))
        })
        .collect();
    assert!(
        order.windows(2).all(|pair| pair[0] < pair[1]),
        "names sort as read, whatever their case or accents: {order:?}"
    );
    let in_incomplete = app.get("/applicants?status=INCOMPLETE&sort=name_desc").await;
    let decoded = in_incomplete.body.replace("&#38;", "&");
    assert!(
        decoded.contains("/applicants?status=INCOMPLETE&sort=name_desc&after="),
        "the view is kept in the next link: {}",
        &in_incomplete.body[in_incomplete.body.find("pagination").unwrap_or(0)..]
    );
    // A name sort's cursor is the row's id: names stay out of addresses,
    // shared links and access logs.
    let next = by_name.body.replace("&#38;", "&");
    let cursor = next
        .split("sort=name_asc&after=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a next page link");
    assert!(cursor.parse::<uuid::Uuid>().is_ok(), "an id, not a name: {cursor}");
}

/// Previous page steps back exactly one page, in every sort, and back at the
/// start shows the first page.
#[actix_web::test]
async fn previous_page_steps_back_one_page_in_every_sort() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Viewer).await;
    for i in 0..120 {
        insert_applicant(&app, &format!("Person {i:03}"), &format!("P-{i:03}"), "INIT", 10 + i);
    }
    let names = |body: &str| -> Vec<String> {
        body.split("<a href=\"/applicants/")
            .skip(1)
            .filter_map(|part| Some(part.split_once('>')?.1.split_once("</a>")?.0.to_string()))
            .filter(|name| name.starts_with("Person "))
            .collect()
    };
    for sort in [
        "created_desc",
        "created_asc",
        "updated_desc",
        "updated_asc",
        "name_asc",
        "name_desc",
    ] {
        let first = app.get(&format!("/applicants?sort={sort}")).await;
        let second = app.get(&next_link(&first.body).expect("page 2")).await;
        let third = app.get(&next_link(&second.body).expect("page 3")).await;
        assert_eq!(names(&third.body).len(), 20, "{sort}");
        assert!(next_link(&third.body).is_none(), "{sort}");
        let back = app
            .get(&link_named(&third.body, "Previous page").expect("previous"))
            .await;
        assert_eq!(back.status, 200, "{sort}");
        assert_eq!(
            names(&back.body),
            names(&second.body),
            "{sort}: back to page 2, in order"
        );
        assert_eq!(next_link(&back.body), next_link(&second.body), "{sort}");
        app.get(&link_named(&back.body, "Previous page").expect("previous"))
            .await
            .assert_redirect(&format!("/applicants?sort={sort}"));
    }
}

/// Pages walk every applicant exactly once even when all share one sort
/// key, as purged applicants share their name: the id orders them.
#[actix_web::test]
async fn pages_hold_every_applicant_once_when_sort_keys_tie() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Viewer).await;
    for i in 0..120 {
        insert_applicant(&app, "Deleted applicant", &format!("T-{i:03}"), "INIT", 10);
    }
    let ids = |body: &str| -> Vec<String> {
        body.split("<a href=\"/applicants/")
            .skip(1)
            .filter_map(|part| Some(part.split_once("\">")?.0.to_string()))
            .filter(|id| id.parse::<uuid::Uuid>().is_ok())
            .collect()
    };
    for (sort, _, _) in veridesk::applicants::queries::Sort::ALL {
        let key = sort.key();
        let mut page = app.get(&format!("/applicants?sort={key}")).await;
        let mut seen = ids(&page.body);
        while let Some(next) = next_link(&page.body) {
            page = app.get(&next).await;
            seen.extend(ids(&page.body));
        }
        let distinct: std::collections::HashSet<&String> = seen.iter().collect();
        assert_eq!((seen.len(), distinct.len()), (120, 120), "{key}");
    }
}

/// A page's "Next page" link, if it has one.
fn next_link(body: &str) -> Option<String> {
    link_named(body, "Next page")
}

/// The href of the link labelled `label`, if the page has one.
fn link_named(body: &str, label: &str) -> Option<String> {
    let before = &body[..body.find(label)?];
    let href = &before[before.rfind("href=\"")? + "href=\"".len()..];
    Some(href.split('"').next()?.replace("&#38;", "&"))
}

#[actix_web::test]
async fn a_search_with_many_matches_pages_newest_first_and_keeps_its_filters() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Viewer).await;
    // 55 "Garcia"s, every third one approved, and one other name in between.
    for i in 0..55 {
        let status = if i % 3 == 0 { "APPROVED" } else { "INIT" };
        insert_applicant(
            &app,
            &format!("Ana Garcia {i:02}"),
            &format!("G-{i:02}"),
            status,
            10 + i,
        );
    }
    insert_applicant(&app, "Other Person", "O-1", "INIT", 5);

    let first = app.get("/applicants?q=garcia").await;
    assert_eq!(first.status, 200);
    assert!(first.body.contains("Ana Garcia 00") && first.body.contains("Ana Garcia 49"));
    assert!(!first.body.contains("Ana Garcia 50") && !first.body.contains("Other Person"));
    let pagination = &first.body[first.body.find("pagination").unwrap_or(0)..];
    let second = app
        .get(&next_link(&first.body).unwrap_or_else(|| panic!("a next page: {pagination}")))
        .await;
    assert!(second.body.contains("Ana Garcia 50") && second.body.contains("Ana Garcia 54"));
    assert!(!second.body.contains("Ana Garcia 49") && !second.body.contains("Other Person"));
    assert!(next_link(&second.body).is_none(), "55 matches make two pages");
    app.get(&link_named(&second.body, "Previous page").expect("a previous page"))
        .await
        .assert_redirect("/applicants?q=garcia");

    // Oldest first starts at the other end.
    let oldest = app.get("/applicants?q=garcia&sort=created_asc").await;
    assert!(oldest.body.contains("Ana Garcia 54") && !oldest.body.contains("Ana Garcia 04"));

    // A filter the search table does not hold still applies to every match.
    let approved = app.get("/applicants?q=garcia&status=APPROVED").await;
    assert!(approved.body.contains("Ana Garcia 00") && approved.body.contains("Ana Garcia 54"));
    assert!(!approved.body.contains("Ana Garcia 01") && next_link(&approved.body).is_none());
}

#[actix_web::test]
async fn an_identifier_search_matches_the_whole_term_not_just_its_digits() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Viewer).await;
    insert_applicant(&app, "Cora Cust", "CUST-0001234", "INIT", 1);
    insert_applicant(&app, "Abe Acme", "ACME-0001234", "INIT", 2);
    let found = app.get("/applicants?q=cust-0001234").await;
    assert!(found.body.contains("Cora Cust") && !found.body.contains("Abe Acme"));
    let both = app.get("/applicants?q=0001234").await;
    assert!(both.body.contains("Cora Cust") && both.body.contains("Abe Acme"));
    let by_email = app.get("/applicants?q=acme-0001234%40example").await;
    assert!(by_email.body.contains("Abe Acme") && !by_email.body.contains("Cora Cust"));
}

/// The list narrows by flow, by reviewer and by creation date, each alone
/// and with the others' applicants left out.
#[actix_web::test]
async fn list_filters_by_flow_reviewer_and_creation_date() {
    use diesel::prelude::*;
    use veridesk::db::schema::applicants;
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = crate::sessions::published_flow(&app, "Fan flow", officer);
    let old = insert_applicant(&app, "Olive Older", "OLD-1", "IN_REVIEW", 5 * 24 * 60);
    insert_applicant(&app, "Nina Newer", "NEW-1", "INIT", 60);
    {
        let mut conn = app.pool.get().expect("conn");
        diesel::update(applicants::table.find(old))
            .set((applicants::flow_id.eq(flow), applicants::reviewer_id.eq(officer)))
            .execute(&mut conn)
            .expect("flow and reviewer");
    }
    let shows = |body: &str| (body.contains("Olive Older"), body.contains("Nina Newer"));
    assert_eq!(
        shows(&app.get(&format!("/applicants?flow={flow}")).await.body),
        (true, false)
    );
    assert_eq!(
        shows(&app.get(&format!("/applicants?reviewer={officer}")).await.body),
        (true, false)
    );
    let today = app.clock.now().date_naive();
    let recent = app
        .get(&format!(
            "/applicants?from={}&to={}",
            today - chrono::Duration::days(2),
            today + chrono::Duration::days(1)
        ))
        .await;
    assert_eq!(recent.status, 200, "{}", recent.body);
    assert_eq!(shows(&recent.body), (false, true));
    let earlier = app
        .get(&format!("/applicants?to={}", today - chrono::Duration::days(2)))
        .await;
    assert_eq!(shows(&earlier.body), (true, false));
}

/// A page deep in the list starts at its cursor in the sort's index instead
/// of walking every row before it: in every sort, the cursor bounds the
/// index scan of the plan PostgreSQL keeps for the prepared statement.
#[actix_web::test]
async fn a_deep_page_starts_at_its_cursor_in_the_index() {
    use crate::helpers::generic_plan;
    use veridesk::applicants::queries::{Cursor, ListFilter, Sort, list};
    let app = spawn_app().await;
    let id = insert_applicant(&app, "Maria Svensson", "MS-1", "INIT", 5);
    let mut conn = app.pool.get().expect("conn");
    for (sort, key, _) in Sort::ALL {
        let (column, after, value) = match sort {
            Sort::CreatedDesc | Sort::CreatedAsc => ("created_at", Cursor::At(app.clock.now(), id), "now()"),
            Sort::UpdatedDesc | Sort::UpdatedAsc => ("updated_at", Cursor::At(app.clock.now(), id), "now()"),
            Sort::NameAsc | Sort::NameDesc => ("name", Cursor::Name("Maria".into(), id), "'Maria'"),
        };
        let filter = ListFilter {
            sort,
            after: Some(after),
            ..ListFilter::default()
        };
        list(&mut conn, &filter, 50).expect("a page");
        let descending = matches!(sort, Sort::CreatedDesc | Sort::UpdatedDesc | Sort::NameDesc);
        let statement = format!(
            "SELECT \"applicants\".\"id\"%ORDER BY \"applicants\".\"{column}\" {}",
            if descending { "DESC" } else { "ASC" }
        );
        let plan = generic_plan(&mut conn, &statement, &format!("{value}, '{id}'"));
        // The whole cursor bounds the scan, the id too: a page inside a run
        // of equal keys starts at its place in the run.
        let bound = format!(
            "Index Cond: (ROW({column}, id) {} ROW($1, $2))",
            if descending { "<" } else { ">" }
        );
        assert!(plan.contains(&bound), "{key}: {plan}");
    }
}

/// The dates typed in the list's filter are whole days in the member's time
/// zone, even on a day whose midnight does not exist there: in Havana the
/// clocks go from 00:00 to 01:00 on 2027-03-14, and that day starts at the
/// change instead of being left out of the filter.
#[actix_web::test]
async fn date_filters_keep_a_day_whose_midnight_does_not_exist() {
    use diesel::prelude::*;
    use veridesk::db::schema::{applicants, members};
    let app = spawn_app().await;
    let officer = app.create_member(BuiltinRole::ComplianceOfficer, "officer@example.test");
    {
        let mut conn = app.pool.get().expect("conn");
        diesel::update(members::table.find(officer))
            .set(members::time_zone.eq("America/Havana"))
            .execute(&mut conn)
            .expect("time zone");
    }
    app.sign_in("officer@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    let created_at = |id: uuid::Uuid, at: &str| {
        let at: chrono::DateTime<chrono::Utc> = at.parse().expect("time");
        let mut conn = app.pool.get().expect("conn");
        diesel::update(applicants::table.find(id))
            .set(applicants::created_at.eq(at))
            .execute(&mut conn)
            .expect("created at");
    };
    // 23:30 on the 13th, 01:30 on the 14th, 23:30 on the 14th, Havana time.
    created_at(
        insert_applicant(&app, "Eve Before", "EVE-1", "INIT", 0),
        "2027-03-14T04:30:00Z",
    );
    created_at(
        insert_applicant(&app, "Dawn During", "DAWN-1", "INIT", 0),
        "2027-03-14T05:30:00Z",
    );
    created_at(
        insert_applicant(&app, "Nell Night", "NELL-1", "INIT", 0),
        "2027-03-15T03:30:00Z",
    );
    created_at(
        insert_applicant(&app, "Tom Tomorrow", "TOM-1", "INIT", 0),
        "2027-03-15T04:30:00Z",
    );
    let shows = |body: &str| {
        ["Eve Before", "Dawn During", "Nell Night", "Tom Tomorrow"]
            .iter()
            .map(|name| body.contains(name))
            .collect::<Vec<_>>()
    };
    let on_the_day = app.get("/applicants?from=2027-03-14&to=2027-03-14").await;
    assert_eq!(on_the_day.status, 200, "{}", on_the_day.body);
    assert_eq!(shows(&on_the_day.body), [false, true, true, false]);
    let from = app.get("/applicants?from=2027-03-14").await;
    assert_eq!(shows(&from.body), [false, true, true, true]);
    let until = app.get("/applicants?to=2027-03-14").await;
    assert_eq!(shows(&until.body), [true, true, true, false]);
    let day_before = app.get("/applicants?to=2027-03-13").await;
    assert_eq!(shows(&day_before.body), [true, false, false, false]);
}

/// A start date after the end date matches nothing by definition: it is
/// refused next to the date fields, with both dates as typed.
#[actix_web::test]
async fn a_date_range_that_ends_before_it_starts_is_refused() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    insert_applicant(&app, "Rita Range", "RITA-1", "INIT", 5);
    let reversed = app.get("/applicants?from=2026-11-22&to=2026-11-01&status=INIT").await;
    assert_eq!(reversed.status, 422, "{}", reversed.body);
    assert!(
        reversed
            .body
            .contains("<p class=\"error\" id=\"e-from\">The start date is after the end date.</p>")
    );
    assert!(reversed.body.contains("value=\"2026-11-22\"") && reversed.body.contains("value=\"2026-11-01\""));
    let same_day = app.get("/applicants?from=2026-11-22&to=2026-11-22").await;
    assert_eq!(same_day.status, 200, "one day is a range");
}

/// Email addresses that the form's syntax allows but the mailer cannot
/// send to are refused when typed, not found out in the outbox.
#[actix_web::test]
async fn an_email_address_the_mailer_cannot_send_to_is_refused() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    for email in ["\"a b\"@example.com", "a@[127.0.0.1]"] {
        let refused = app
            .post(
                "/applicants",
                &[
                    ("kind", "natural_person"),
                    ("external_user_id", "MAIL-1"),
                    ("name", "Ana Lima"),
                    ("email", email),
                    ("language", "en"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422, "{email}: {}", refused.body);
        assert!(refused.body.contains("is not a valid email address"), "{email}");
        assert!(refused.body.contains("value=\"MAIL-1\""), "what was typed is kept");
    }
    // Valid syntax, but with no domain ending it is a typo for an applicant.
    let dotless = app
        .post(
            "/applicants",
            &[
                ("kind", "natural_person"),
                ("external_user_id", "MAIL-1"),
                ("name", "Ana Lima"),
                ("email", "ana@gmail"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(dotless.status, 422);
    assert!(
        dotless
            .body
            .contains("“ana@gmail” has no domain ending such as .com: check the part after the @.")
            && dotless.body.contains("value=\"ana@gmail\""),
        "{}",
        dotless.body
    );
    assert_eq!(applicant_count(&app), 0);
}

/// Names and external ids hold no character that reorders the text shown
/// around it (a right-to-left override makes "Ana <U+202E>amiL" read as
/// "Ana Lima"); supplied info holds no control characters and gives each
/// key once. Each is refused next to its field, with what was typed kept.
#[actix_web::test]
async fn names_ids_and_supplied_info_refuse_characters_that_hide_or_reorder_text() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let fields = |kind: &'static str, name: &'static str, external: &'static str, info: &'static str| {
        vec![
            ("kind", kind),
            ("external_user_id", external),
            ("name", name),
            ("language", "en"),
            ("supplied_info", info),
        ]
    };
    let person = app
        .post(
            "/applicants",
            &fields(
                "natural_person",
                "Ana \u{202E}amiL",
                "CUST-\u{2066}7\u{2069}",
                "source: referral",
            ),
        )
        .await;
    assert_eq!(person.status, 422, "{}", person.body);
    assert!(person.body.contains(
        "<p class=\"error\" id=\"e-name\">The name contains an invisible character (U+202E) that changes the order in which text is shown; remove it.</p>"
    ));
    assert!(person.body.contains(
        "<p class=\"error\" id=\"e-external_user_id\">The external user id contains an invisible character (U+2066)"
    ));
    assert!(
        person.body.contains("value=\"Ana \u{202E}amiL\""),
        "what was typed is kept"
    );
    let company = app
        .post(
            "/applicants",
            &fields("legal_person", "Nordwind\u{200F} AB", "ORG-1", "sector: shipping"),
        )
        .await;
    assert_eq!(company.status, 422);
    assert!(
        company.body.contains("(U+200F)"),
        "a right-to-left mark in a company name"
    );
    let bell = app
        .post(
            "/applicants",
            &fields(
                "natural_person",
                "Ana Lima",
                "CUST-1",
                "occupation: engineer\r\nnote: ring\u{7}",
            ),
        )
        .await;
    assert_eq!(bell.status, 422);
    assert!(bell.body.contains(
        "<p class=\"error\" id=\"e-supplied_info\">Line 2: the value contains a control character (U+0007) that cannot be shown; remove it.</p>"
    ));
    let escape = app
        .post(
            "/applicants",
            &fields("natural_person", "Ana Lima", "CUST-1", "note: \u{1b}[2J"),
        )
        .await;
    assert_eq!(escape.status, 422);
    assert!(escape.body.contains("(U+001B)"));
    let twice = app
        .post(
            "/applicants",
            &fields("natural_person", "Ana Lima", "CUST-1", "a: 1\r\na: 2"),
        )
        .await;
    assert_eq!(twice.status, 422);
    assert!(
        twice
            .body
            .contains("Line 2: the key “a” is already given on line 1; give each key once.")
    );
    assert!(twice.body.contains("a: 1\r\na: 2</textarea>") || twice.body.contains("a: 1\na: 2</textarea>"));
    assert_eq!(applicant_count(&app), 0);
    let fine = app
        .post(
            "/applicants",
            &fields(
                "natural_person",
                "مریم\u{200C} خانی",
                "CUST-1",
                "address: 1 Main St\tFlat 2",
            ),
        )
        .await;
    assert_eq!(
        fine.status, 303,
        "a Persian name keeps its zero-width non-joiner: {}",
        fine.body
    );
}

/// The edit form's fields for an applicant, with `changes` over them.
fn edit_fields<'a>(page: &str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, String)> {
    let version = page
        .split("name=\"lock_version\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the edit form carries the version")
        .to_string();
    let shown = page
        .split("name=\"shown\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the edit form carries the values it showed")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let mut fields: Vec<(&str, String)> = vec![
        ("kind", "natural_person".into()),
        ("external_user_id", "EDIT-1".into()),
        ("name", "Ana Lima".into()),
        ("email", "edit-1@example.test".into()),
        ("phone", String::new()),
        ("language", "en".into()),
        ("date_of_birth", String::new()),
        ("country", String::new()),
        ("supplied_info", String::new()),
        ("lock_version", version),
        ("shown", shown),
    ];
    for (key, value) in changes {
        fields.iter_mut().find(|(k, _)| k == key).expect("a form field").1 = (*value).to_string();
    }
    fields
}

/// An address stored before addresses needed a domain ending (an intranet
/// one) does not stop an edit of the other fields; a new one must have it.
#[actix_web::test]
async fn an_address_stored_before_the_domain_rule_can_be_kept() {
    use diesel::prelude::*;
    use veridesk::db::schema::applicants;
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let id = insert_applicant(&app, "Ana Lima", "EDIT-1", "INIT", 5);
    diesel::update(applicants::table.find(id))
        .set(applicants::email.eq("ana@intranet"))
        .execute(&mut app.pool.get().expect("conn"))
        .expect("an old address");
    let form = app.get(&format!("/applicants/{id}/edit")).await;
    let renamed = edit_fields(&form.body, &[("email", "ana@intranet"), ("name", "Ana Maria Lima")]);
    let renamed: Vec<(&str, &str)> = renamed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(&format!("/applicants/{id}"), &renamed)
        .await
        .assert_redirect(&format!("/applicants/{id}"));

    let form = app.get(&format!("/applicants/{id}/edit")).await;
    let moved = edit_fields(&form.body, &[("email", "ana@other"), ("name", "Ana Maria Lima")]);
    let moved: Vec<(&str, &str)> = moved.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = app.post(&format!("/applicants/{id}"), &moved).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("has no domain ending such as .com"));
}

#[actix_web::test]
async fn an_officer_corrects_an_applicants_details_and_the_timeline_says_what_changed() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let id = insert_applicant(&app, "Ana Lima", "EDIT-1", "INIT", 5);
    insert_applicant(&app, "Bo Berg", "EDIT-2", "INIT", 5);
    let profile = app.get(&format!("/applicants/{id}")).await;
    assert!(profile.body.contains(&format!("href=\"/applicants/{id}/edit\"")));
    let form = app.get(&format!("/applicants/{id}/edit")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"edit-1@example.test\"") && form.body.contains("value=\"EDIT-1\""));
    assert!(
        !form.body.contains("name=\"flow_id\""),
        "the flow moves from the profile"
    );

    // Bad input comes back with what was typed.
    let bad = edit_fields(&form.body, &[("email", "ana@"), ("name", "Ana Maria Lima")]);
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = app.post(&format!("/applicants/{id}"), &bad).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("is not a valid email address") && refused.body.contains("value=\"Ana Maria Lima\""));

    // Another applicant's external id is refused, the rest kept.
    let taken = edit_fields(
        &form.body,
        &[("external_user_id", "EDIT-2"), ("name", "Ana Maria Lima")],
    );
    let taken: Vec<(&str, &str)> = taken.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = app.post(&format!("/applicants/{id}"), &taken).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Another applicant already has this external user id.")
            && refused.body.contains("value=\"Ana Maria Lima\"")
    );

    let good = edit_fields(
        &form.body,
        &[
            ("email", "ana.lima@example.test"),
            ("phone", "+44 20 7946 0958"),
            ("supplied_info", "source: referral"),
        ],
    );
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = app.post(&format!("/applicants/{id}"), &good).await;
    saved.assert_redirect(&format!("/applicants/{id}"));
    let profile = app.get(&format!("/applicants/{id}")).await;
    assert!(profile.body.contains("Applicant details saved."));
    assert!(profile.body.contains("ana.lima@example.test") && profile.body.contains("+442079460958"));
    assert!(profile.body.contains("Applicant details changed"));
    assert!(
        profile.body.contains("edit-1@example.test → ana.lima@example.test")
            && profile.body.contains("(none) → +442079460958"),
        "the timeline names the old and the new value"
    );
    // The search finds the new address, not the old one.
    let found = app.get("/applicants?q=ana.lima").await;
    assert!(found.body.contains(&format!("/applicants/{id}\"")));
    let gone = app.get("/applicants?q=edit-1%40example").await;
    assert!(!gone.body.contains(&format!("/applicants/{id}\"")));
    // A session form now offers the corrected address.
    let session_form = app.get(&format!("/applicants/{id}/sessions/new")).await;
    assert!(session_form.body.contains("value=\"ana.lima@example.test\""));

    // The first form, saved again, is out of date: refused, typed kept, and
    // saving once more applies it.
    let stale = edit_fields(&form.body, &[("name", "Ana L."), ("phone", "+46 8 123 456 78")]);
    let stale: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let conflict = app.post(&format!("/applicants/{id}"), &stale).await;
    assert_eq!(conflict.status, 409);
    assert!(
        conflict
            .body
            .contains("You changed this applicant after this form was shown (in another tab, or by sending a form again with a reload). Last change: applicant details changed.")
            && conflict.body.contains("value=\"Ana L.\""),
        "the officer's own earlier save is named as theirs; what they typed is kept"
    );
    assert!(
        conflict.body.contains("value=\"ana.lima@example.test\""),
        "a field left as it was shows the saved correction, not the old value that would undo it"
    );
    assert!(
        conflict
            .body
            .contains("Changed meanwhile to “+442079460958”; what you typed is kept.")
            && conflict.body.contains("value=\"+46 8 123 456 78\""),
        "a field both changed says so"
    );
    let again = edit_fields(
        &conflict.body,
        &[
            ("name", "Ana L."),
            ("email", "ana.lima@example.test"),
            ("phone", "+46 8 123 456 78"),
        ],
    );
    let again: Vec<(&str, &str)> = again.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(&format!("/applicants/{id}"), &again)
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert!(app.get(&format!("/applicants/{id}")).await.body.contains("Ana L."));
    assert!(app.event_kinds().iter().filter(|k| *k == "applicant.edited").count() == 2);
    // The audit log names the applicant and links to the profile.
    let owner = app.new_client();
    owner.signed_in_as(BuiltinRole::Owner).await;
    let audit = owner.get("/audit?kind=applicant.edited").await;
    assert!(
        audit.body.contains(&format!(
            "<a href=\"/applicants/{id}\">Ana L.</a> <span class=\"muted\">applicant</span>"
        )),
        "{}",
        audit.body
    );
}

#[actix_web::test]
async fn an_applicant_scheduled_for_deletion_cannot_be_edited_and_a_viewer_cannot_edit() {
    use diesel::prelude::*;
    use veridesk::db::schema::applicants;
    let app = spawn_app().await;
    let id = insert_applicant(&app, "Ana Lima", "EDIT-1", "INIT", 5);
    app.signed_in_as(BuiltinRole::Viewer).await;
    let profile = app.get(&format!("/applicants/{id}")).await;
    assert!(!profile.body.contains("/edit\""), "not offered to a viewer");
    assert_eq!(app.get(&format!("/applicants/{id}/edit")).await.status, 403);

    let officer = app.new_client();
    officer.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let form = officer.get(&format!("/applicants/{id}/edit")).await;
    let mut conn = app.pool.get().expect("conn");
    diesel::update(applicants::table.find(id))
        .set(applicants::deletion_scheduled_at.eq(Some(app.clock.now())))
        .execute(&mut conn)
        .expect("schedule");
    let fields = edit_fields(&form.body, &[("name", "Ana Maria Lima")]);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    officer
        .post(&format!("/applicants/{id}"), &fields)
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    let profile = officer.get(&format!("/applicants/{id}")).await;
    assert!(profile.body.contains("restore it first") && !profile.body.contains("Ana Maria Lima"));
    officer
        .get(&format!("/applicants/{id}/edit"))
        .await
        .assert_redirect(&format!("/applicants/{id}"));
}

/// The dashboard shows an officer what waits on them, each count a link
/// to the list that shows those applicants; members who cannot see
/// applicants see no counts of them.
#[actix_web::test]
async fn the_dashboard_shows_what_waits_on_an_officer() {
    use diesel::prelude::*;
    use veridesk::db::schema::applicants;
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    for n in 0..3 {
        insert_applicant(&app, &format!("Done {n}"), &format!("DONE-{n}"), "COMPLETED", 5);
    }
    insert_applicant(&app, "Held", "HELD-1", "ON_HOLD", 5);
    let mine = insert_applicant(&app, "Mine", "MINE-1", "IN_REVIEW", 5);
    insert_applicant(&app, "Theirs", "THEIRS-1", "IN_REVIEW", 5);
    insert_applicant(&app, "Approved", "OK-1", "APPROVED", 5);
    let leaving = insert_applicant(&app, "Leaving", "BYE-1", "COMPLETED", 5);
    let mut conn = app.pool.get().expect("conn");
    diesel::update(applicants::table.find(leaving))
        .set(applicants::deletion_scheduled_at.eq(Some(app.clock.now())))
        .execute(&mut conn)
        .expect("scheduled");
    diesel::update(applicants::table.find(mine))
        .set(applicants::reviewer_id.eq(officer))
        .execute(&mut conn)
        .expect("reviewer");
    let home = app.get("/").await;
    let card = |href: &str, count: &str, label: &str| {
        format!(
            "<a class=\"card stat\" href=\"{href}\"><span class=\"stat-value\">{count}</span><span class=\"stat-label\">{label}</span></a>"
        )
    };
    for expected in [
        card("/applicants?status=COMPLETED", "3", "waiting for a decision"),
        card("/applicants?status=ON_HOLD", "1", "on hold"),
        card("/applicants?status=IN_REVIEW", "2", "in review"),
        card(
            &format!("/applicants?reviewer={officer}&#38;status=IN_REVIEW"),
            "1",
            "in review by you",
        ),
    ] {
        assert!(home.body.contains(&expected), "missing {expected} in {}", home.body);
    }
    let mine_listed = app
        .get(&format!("/applicants?reviewer={officer}&status=IN_REVIEW"))
        .await;
    assert!(mine_listed.body.contains(">Mine</a>") && !mine_listed.body.contains(">Theirs</a>"));

    // From the list, an officer takes a finished case nobody reviews: it
    // is theirs, in review, and its profile opens.
    let list = app.get("/applicants?sort=name_asc").await;
    let row = |name: &str| -> String {
        let start = list.body.find(&format!(">{name}</a>")).expect("row");
        list.body[start..start + list.body[start..].find("</tr>").expect("row end")].to_string()
    };
    assert!(row("Held").contains(">Take</button>") && row("Done 0").contains(">Take</button>"));
    assert!(!row("Mine").contains(">Take</button>"), "someone reviews it");
    assert!(!row("Approved").contains(">Take</button>"));
    assert!(
        row("Approved").contains("New session"),
        "an approved applicant may be verified again, from the list as from the profile"
    );
    let held = list.body[..list.body.find(">Held</a>").expect("held")]
        .rsplit("href=\"/applicants/")
        .next()
        .and_then(|rest| rest.split('"').next())
        .expect("id")
        .to_string();
    let taken = app.post(&format!("/applicants/{held}/take"), &[]).await;
    taken.assert_redirect(&format!("/applicants/{held}"));
    // A double click: done already, and said so.
    app.post(&format!("/applicants/{held}/take"), &[])
        .await
        .assert_redirect(&format!("/applicants/{held}"));
    assert!(
        app.get(&format!("/applicants/{held}"))
            .await
            .body
            .contains("You are reviewing this applicant.")
    );
    let colleague = app.new_client();
    colleague.create_member(BuiltinRole::ComplianceOfficer, "colleague@example.test");
    colleague
        .sign_in("colleague@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    let late = colleague.post(&format!("/applicants/{held}/take"), &[]).await;
    assert_eq!(late.status, 422);
    assert!(
        late.body
            .contains("Test Compliance officer (compliance-officer@example.test) already reviews this applicant."),
        "named, and told apart from the colleague of the same name"
    );
    let (status, reviewer): (String, Option<uuid::Uuid>) = applicants::table
        .find(held.parse::<uuid::Uuid>().expect("uuid"))
        .select((applicants::status, applicants::reviewer_id))
        .first(&mut conn)
        .expect("held");
    assert_eq!((status.as_str(), reviewer), ("IN_REVIEW", Some(officer)));

    let outsider = app.new_client();
    let mut conn = app.pool.get().expect("conn");
    let no_applicants = veridesk::roles::queries::create_role(
        &mut conn,
        "Team only",
        "test",
        vec![veridesk::auth::permissions::Permission::TeamView.code().to_string()],
        app.clock.now(),
    )
    .expect("role");
    veridesk::team::queries::create_active_member(
        &mut conn,
        &veridesk::domain::EmailAddress::parse("team-only@example.test").expect("email"),
        &veridesk::domain::PersonName::parse("Team Only").expect("name"),
        &crate::helpers::password_hash(),
        no_applicants,
        app.clock.now(),
    )
    .expect("member");
    outsider
        .sign_in("team-only@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    let home = outsider.get("/").await;
    assert_eq!(home.status, 200);
    assert!(
        !home.body.contains("id=\"queue\""),
        "no counts of applicants they cannot see"
    );
    let viewer = app.new_client();
    viewer.signed_in_as(BuiltinRole::Viewer).await;
    let home = viewer.get("/").await;
    assert!(home.body.contains("waiting for a decision") && !home.body.contains("in review by you"));
}
