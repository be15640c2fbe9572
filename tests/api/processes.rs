//! Two processes of the application on one database, as behind a load
//! balancer. Each keeps recently loaded sessions in memory; what one
//! process (or anyone with `psql`) changes applies on the next request the
//! other serves, well before a copy would have aged out on its own.

use crate::helpers::{TestApp, eventually, spawn_app};
use diesel::prelude::*;
use std::time::{Duration, Instant};
use veridesk::auth::permissions::BuiltinRole;
use veridesk::db::schema::{members, roles, sessions};
use veridesk::web::session_cache::FRESH_FOR;

/// Asks `probe` until it answers `Ok`, failing after half the time a copy
/// of a session may be used: a change that only applied because copies
/// age out fails the test.
async fn soon(what: &str, mut probe: impl AsyncFnMut() -> Result<(), String>) {
    let deadline = Instant::now() + FRESH_FOR / 2;
    loop {
        match probe().await {
            Ok(()) => return,
            Err(seen) if Instant::now() >= deadline => panic!("{what} did not happen in {:?}: {seen}", FRESH_FOR / 2),
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Waits until `app` serves `path` from its copy of the session (the first
/// request loads it; a copy is used while the listener keeps up, which a
/// loaded machine may delay), so that what follows tests copies in use.
async fn serves_a_copy(app: &TestApp, path: &str) {
    eventually("a page served from a copy of the session", async || {
        let hits = app.session_copies.hits();
        let page = app.get(path).await;
        if page.status != 200 {
            return Err(format!("{} on {path}", page.status));
        }
        (app.session_copies.hits() > hits)
            .then_some(())
            .ok_or_else(|| "read from the row".into())
    })
    .await;
}

/// Waits, as [`soon`] does, until every one of `apps` answers the
/// applicants list with `status`.
async fn list_answers(apps: &[&TestApp], status: u16, what: &str) {
    for app in apps {
        soon(what, async || {
            let answered = app.get("/applicants").await.status;
            (answered == status).then_some(()).ok_or(answered.to_string())
        })
        .await;
    }
}

/// Both processes serve the account page from fresh copies, so a change
/// that follows can only show within [`soon`]'s time if it drops them.
async fn both_serve_copies(a: &TestApp, b: &TestApp) {
    serves_a_copy(a, "/account").await;
    serves_a_copy(b, "/account").await;
}

/// Writes straight to the database behind both processes, as `psql` would.
fn change(app: &TestApp, write: impl FnOnce(&mut PgConnection) -> QueryResult<usize>) {
    let mut conn = app.pool.get().expect("conn");
    assert_eq!(write(&mut conn).expect("change"), 1, "one row changed");
}

/// A flash message written by one process shows on the next page the
/// other serves, though that one had just loaded the session: the cookie
/// names the state's new tag, which its copy does not hold. (Nothing here
/// changes a member, so no notification helps.)
#[actix_web::test]
async fn session_state_written_by_one_process_is_read_by_the_other() {
    let a = spawn_app().await;
    a.signed_in_as(BuiltinRole::Owner).await;
    let b = a.another_process().await;
    serves_a_copy(&b, "/settings/company").await;
    a.post("/settings/company/logo/delete", &[])
        .await
        .assert_redirect("/settings/company");
    let page = b.get("/settings/company").await;
    assert!(
        page.body.contains("Logo removed."),
        "the flash shows on the other process"
    );
    let again = b.get("/settings/company").await;
    assert!(!again.body.contains("Logo removed."), "and only once");
    assert!(
        a.get("/settings/company").await.body.contains("Company"),
        "still signed in on both"
    );
    assert!(!a.get("/settings/company").await.body.contains("Logo removed."));
}

/// A rename, a deactivation, a role's permissions and an ended session,
/// each written straight to the database, apply on the next request either
/// process serves.
#[actix_web::test]
async fn changes_to_members_roles_and_sessions_reach_every_process() {
    let a = spawn_app().await;
    let officer = a.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let b = a.another_process().await;
    for app in [&a, &b] {
        serves_a_copy(app, "/account").await;
        assert!(app.get("/account").await.body.contains("Test Compliance officer"));
    }

    both_serve_copies(&a, &b).await;
    change(&a, |c| {
        diesel::update(members::table.find(officer))
            .set(members::name.eq("Renamed Officer"))
            .execute(c)
    });
    for app in [&a, &b] {
        soon("the new name on the account page", async || {
            let page = app.get("/account").await;
            page.body
                .contains("Renamed Officer")
                .then_some(())
                .ok_or(page.status.to_string())
        })
        .await;
    }

    // A role of their own that may see applicants, then may not.
    let role = {
        let mut conn = a.pool.get().expect("conn");
        veridesk::roles::queries::create_role(
            &mut conn,
            "List reader",
            "test",
            vec!["applicants.view".into()],
            a.clock.now(),
        )
        .expect("role")
    };
    both_serve_copies(&a, &b).await;
    change(&a, |c| {
        diesel::update(members::table.find(officer))
            .set(members::role_id.eq(role))
            .execute(c)
    });
    list_answers(&[&a, &b], 200, "the list for the new role").await;
    both_serve_copies(&a, &b).await;
    change(&a, |c| {
        diesel::update(roles::table.find(role))
            .set(roles::permissions.eq(Vec::<String>::new()))
            .execute(c)
    });
    list_answers(&[&a, &b], 403, "the list refused once the role lost it").await;

    both_serve_copies(&a, &b).await;
    change(&a, |c| {
        diesel::delete(sessions::table.filter(sessions::member_id.eq(officer))).execute(c)
    });
    for app in [&b, &a] {
        soon("the ended session asks to sign in", async || {
            let page = app.get("/account").await;
            (page.status == 303 && page.location.as_deref().is_some_and(|l| l.starts_with("/sign-in")))
                .then_some(())
                .ok_or(format!("{} {:?}", page.status, page.location))
        })
        .await;
    }
}

/// The triggers that drop copies watch every column a session loads of its
/// member and role: a column added to what is loaded, and not to the
/// trigger, would let a change to it go unseen by other processes.
#[actix_web::test]
async fn the_triggers_watch_every_column_a_session_loads() {
    use diesel::pg::Pg;
    use diesel::sql_types::{Nullable, Text};
    use veridesk::auth::queries::{SessionMember, SessionRole};
    let app = spawn_app().await;
    let mut conn = app.pool.get().expect("conn");
    let mut watched = |trigger: &str| -> Vec<String> {
        let columns: Option<String> = diesel::select(diesel::dsl::sql::<Nullable<Text>>(&format!(
            "(SELECT string_agg(a.attname, ',') FROM pg_trigger t JOIN pg_attribute a \
             ON a.attrelid = t.tgrelid AND a.attnum = ANY (t.tgattr) WHERE t.tgname = '{trigger}')"
        )))
        .get_result(&mut conn)
        .expect("trigger columns");
        columns.unwrap_or_default().split(',').map(str::to_string).collect()
    };
    // The columns a query selects, from its SQL: `"table"."column"`.
    let loaded = |sql: String, table: &str| -> Vec<String> {
        let prefix = format!("\"{table}\".\"");
        sql.split(&prefix)
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .filter(|column| *column != "id")
            .map(str::to_string)
            .collect()
    };
    let member_columns = loaded(
        diesel::debug_query::<Pg, _>(&members::table.select(SessionMember::as_select())).to_string(),
        "members",
    );
    let role_columns = loaded(
        diesel::debug_query::<Pg, _>(&roles::table.select(SessionRole::as_select())).to_string(),
        "roles",
    );
    assert!(
        member_columns.len() >= 4 && role_columns.len() >= 3,
        "{member_columns:?} {role_columns:?}"
    );
    let members_watched = watched("members_notify_sessions");
    for column in member_columns.iter().chain(std::iter::once(&"role_id".to_string())) {
        assert!(
            members_watched.contains(column),
            "members.{column} is not watched: {members_watched:?}"
        );
    }
    let roles_watched = watched("roles_notify_sessions");
    for column in &role_columns {
        assert!(
            roles_watched.contains(column),
            "roles.{column} is not watched: {roles_watched:?}"
        );
    }
}
