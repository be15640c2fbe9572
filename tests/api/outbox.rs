//! The outbox: retries with back-off when the mail server is down, and the
//! development mailbox when none is configured.

use crate::helpers::{Options, spawn_app_with};
use chrono::Duration;
use diesel::prelude::*;
use veridesk::auth::permissions::BuiltinRole;
use veridesk::db::schema::outbox_messages;

fn status(app: &crate::helpers::TestApp) -> (String, i32, Option<String>) {
    let mut conn = app.pool.get().expect("conn");
    outbox_messages::table
        .order(outbox_messages::created_at.desc())
        .select((
            outbox_messages::status,
            outbox_messages::attempts,
            outbox_messages::last_error,
        ))
        .first(&mut conn)
        .expect("a message")
}

/// Waits until `attempts` delivery attempts have been recorded (not just claimed).
async fn wait_for(app: &crate::helpers::TestApp, attempts: i64) -> (String, i32, Option<String>) {
    use veridesk::db::schema::outbox_attempts;
    crate::helpers::eventually(&format!("{attempts} recorded delivery attempts"), async || {
        let mut conn = app.pool.get().expect("conn");
        let recorded: i64 = outbox_attempts::table.count().get_result(&mut conn).expect("count");
        if recorded >= attempts {
            Ok(())
        } else {
            Err(format!("{recorded}: {:?}", status(app)))
        }
    })
    .await;
    status(app)
}

#[actix_web::test]
async fn failed_deliveries_are_retried_with_back_off_then_marked_failed() {
    let app = spawn_app_with(Options {
        smtp_down: true,
        ..Options::default()
    })
    .await;
    app.signed_in_as(BuiltinRole::Owner).await;
    let viewer = {
        let mut conn = app.pool.get().expect("conn");
        veridesk::roles::queries::builtin_role_id(&mut conn, BuiltinRole::Viewer)
            .expect("role")
            .to_string()
    };
    app.post(
        "/team/invitations",
        &[("email", "later@example.test"), ("role_id", &viewer)],
    )
    .await
    .assert_redirect("/team");
    let (state, attempts, error) = wait_for(&app, 1).await;
    assert_eq!((state.as_str(), attempts), ("retrying", 1));
    assert!(error.is_some());
    let page = app.get("/outbox").await;
    assert!(page.body.contains("badge-retrying"));

    // Nothing more happens until the back-off has passed.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(status(&app).1, 1);
    for attempt in 2..=8 {
        app.advance(Duration::hours(1));
        let (_, attempts, _) = wait_for(&app, attempt).await;
        assert_eq!(i64::from(attempts), attempt);
    }
    let (state, attempts, _) = wait_for(&app, 8).await;
    assert_eq!((state.as_str(), attempts), ("failed", 8));
    assert!(app.event_kinds().contains(&"email.failed".to_string()));
    // Failed for good, the invitation is never sent again (inviting again
    // makes a new one), so the stored email keeps no token.
    let body: String = {
        let mut conn = app.pool.get().expect("conn");
        outbox_messages::table
            .select(outbox_messages::body_text)
            .first(&mut conn)
            .expect("body")
    };
    assert!(
        body.contains("/invitations/[token removed]")
            && !regex::Regex::new("/invitations/[A-Za-z0-9_-]{20}")
                .expect("regex")
                .is_match(&body),
        "{body}"
    );
    let id: uuid::Uuid = {
        let mut conn = app.pool.get().expect("conn");
        outbox_messages::table
            .select(outbox_messages::id)
            .first(&mut conn)
            .expect("id")
    };
    // Hours passed on the clock, so the first session is idle-expired.
    app.sign_in("owner@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    let detail = app.get(&format!("/outbox/{id}")).await;
    assert!(
        detail.body.contains("8 of 8") && detail.body.contains("Delivery attempts"),
        "{}",
        detail.body
    );
}

#[actix_web::test]
async fn without_smtp_emails_land_in_the_development_mailbox() {
    let app = spawn_app_with(Options {
        smtp: false,
        ..Options::default()
    })
    .await;
    app.signed_in_as(BuiltinRole::Admin).await;
    let viewer = {
        let mut conn = app.pool.get().expect("conn");
        veridesk::roles::queries::builtin_role_id(&mut conn, BuiltinRole::Viewer)
            .expect("role")
            .to_string()
    };
    app.post(
        "/team/invitations",
        &[("email", "box@example.test"), ("role_id", &viewer)],
    )
    .await;
    let (state, _, _) = wait_for(&app, 1).await;
    assert_eq!(state, "sent");
    let list = app.get("/outbox").await;
    assert!(list.body.contains("Development mailbox") && list.body.contains("box@example.test"));
    let id: uuid::Uuid = {
        let mut conn = app.pool.get().expect("conn");
        outbox_messages::table
            .select(outbox_messages::id)
            .first(&mut conn)
            .expect("id")
    };
    // The invitation's link is a secret of the invitee: an admin does not
    // see it, an Owner, who may do anything anyway, does.
    let message = app.get(&format!("/outbox/{id}")).await;
    assert!(message.body.contains("via mailbox"));
    assert!(
        message
            .body
            .contains("/invitations/[hidden: only the recipient can use it]")
    );
    assert!(
        message
            .body
            .contains("only an Owner sees it in the development mailbox")
    );
    assert!(!message.body.contains(&format!("href=\"{}/invitations/", app.address)));
    let owner = app.new_client();
    owner.signed_in_as(BuiltinRole::Owner).await;
    let message = owner.get(&format!("/outbox/{id}")).await;
    assert!(message.body.contains(&format!("href=\"{}/invitations/", app.address)));
    assert!(!message.body.contains("[hidden"));
    assert!(app.smtp.all().is_empty());
}

/// The outbox's pages start at their cursor in the creation index, like the
/// applicants list's (see `a_deep_page_starts_at_its_cursor_in_the_index`).
#[actix_web::test]
async fn an_older_page_of_emails_starts_at_its_cursor_in_the_index() {
    let app = spawn_app_with(Options::default()).await;
    let mut conn = app.pool.get().expect("conn");
    let before = (app.clock.now(), uuid::Uuid::nil());
    veridesk::outbox::queries::list_messages(&mut conn, None, Some(before), 50).expect("a page");
    let plan = crate::helpers::generic_plan(
        &mut conn,
        "SELECT \"outbox_messages\".\"id\"%ORDER BY",
        &format!("now(), '{}', 50", uuid::Uuid::nil()),
    );
    assert!(plan.contains("ROW(created_at, id) < ROW($1, $2)"), "{plan}");
}

/// An email purged with its applicant while it is on its way to the mail
/// server leaves the rest of its batch recorded: the email sent with it is
/// marked sent, not sent again once its lease runs out.
#[actix_web::test]
async fn an_email_purged_on_its_way_leaves_its_batch_recorded() {
    let app = spawn_app_with(Options::default()).await;
    let applicant = crate::applicants::insert_applicant(&app, "Ann Held", "ANN-1", "INIT", 5);
    let now = app.clock.now();
    let email = |to: &str, applicant: Option<uuid::Uuid>| veridesk::outbox::Email {
        kind: "session_link",
        to: to.to_string(),
        cc: Vec::new(),
        subject: "Your verification".into(),
        text: "Hello".into(),
        html: "<p>Hello</p>".into(),
        applicant,
    };
    let other = {
        let mut conn = app.pool.get().expect("conn");
        conn.transaction(|conn| {
            veridesk::outbox::queue(
                conn,
                now,
                email(&format!("ann{}", crate::helpers::HELD_DOMAIN), Some(applicant)),
            )?;
            veridesk::outbox::queue(conn, now, email("bob@example.test", None))
        })
        .expect("queue both in one batch")
    };
    app.smtp.wait_until_held().await;
    // Her grace period is over, and the purge runs while her email is held.
    {
        use veridesk::db::schema::applicants;
        let mut conn = app.pool.get().expect("conn");
        diesel::update(applicants::table.find(applicant))
            .set(applicants::deletion_scheduled_at.eq(Some(now - Duration::days(21))))
            .execute(&mut conn)
            .expect("scheduled");
        assert_eq!(
            veridesk::applicants::deletion::purge_due(&mut conn, now).expect("purge"),
            1
        );
    }
    app.smtp.release_held();
    // The email sent beside the purged one is recorded as sent.
    crate::helpers::eventually("the other email to be recorded as sent", async || {
        let mut conn = app.pool.get().expect("conn");
        let state: String = outbox_messages::table
            .find(other)
            .select(outbox_messages::status)
            .first(&mut conn)
            .expect("the other email");
        if state == "sent" { Ok(()) } else { Err(state) }
    })
    .await;
    let left: i64 = {
        let mut conn = app.pool.get().expect("conn");
        outbox_messages::table
            .filter(outbox_messages::applicant_id.eq(applicant))
            .count()
            .get_result(&mut conn)
            .expect("count")
    };
    assert_eq!(left, 0, "nothing of hers comes back");
}
