//! Sign-in, lockout, password reset, setup, CSRF, sessions and headers.

use crate::helpers::{Options, PASSWORD, Page, TestApp, csrf_in, spawn_app, spawn_app_with};
use chrono::Duration;
use veridesk::auth::permissions::BuiltinRole;

#[actix_web::test]
async fn first_run_setup_creates_the_owner_then_disappears() {
    let app = spawn_app().await;
    let sign_in = app.get("/sign-in").await;
    assert!(
        sign_in.body.contains("href=\"/setup\""),
        "sign-in offers setup while no member exists"
    );

    let page = app.get("/setup").await;
    assert_eq!(page.status, 200);
    let token = csrf_in(&page.body);
    // Bad input comes back with messages and what was typed.
    let bad = app
        .post_raw(
            "/setup",
            &[
                ("company", "Acme KYC"),
                ("name", "Ana Lima"),
                ("email", "not-an-email"),
                ("password", "short"),
                ("password_confirmation", "other"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("is not a valid email address"));
    assert!(bad.body.contains("Use at least 12 characters."));
    assert!(bad.body.contains("value=\"Acme KYC\""));
    assert!(bad.body.contains("value=\"Ana Lima\""));

    let ok = app
        .post_raw(
            "/setup",
            &[
                ("company", "Acme KYC"),
                ("name", "Ana Lima"),
                ("email", "ana@acme.test"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("csrf_token", &token),
            ],
        )
        .await;
    ok.assert_redirect("/");
    let home = app.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Ana Lima"));
    assert_eq!(
        app.get("/setup").await.status,
        404,
        "setup is gone once a member exists"
    );
    let settings = app.get("/settings/company").await;
    assert!(settings.body.contains("value=\"Acme KYC\""));
    assert!(app.event_kinds().contains(&"setup.completed".to_string()));
}

#[actix_web::test]
async fn sign_in_refuses_wrong_passwords_without_revealing_emails() {
    let app = spawn_app().await;
    app.create_member(BuiltinRole::Viewer, "val@example.test");
    let wrong = app.sign_in("val@example.test", "wrong-password-123").await;
    let unknown = app.sign_in("nobody@example.test", "wrong-password-123").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    let message = "do not match an active account";
    assert!(wrong.body.contains(message) && unknown.body.contains(message));
    assert!(
        wrong.body.contains("value=\"val@example.test\""),
        "the typed email is kept"
    );

    let ok = app.sign_in("VAL@example.test", PASSWORD).await;
    ok.assert_redirect("/");
    assert_eq!(app.get("/").await.status, 200);
    let kinds = app.event_kinds();
    assert!(kinds.contains(&"member.signed_in".to_string()));
    assert_eq!(kinds.iter().filter(|k| *k == "member.sign_in_failed").count(), 2);
}

#[actix_web::test]
async fn five_failures_lock_the_account_for_fifteen_minutes() {
    let app = spawn_app().await;
    app.create_member(BuiltinRole::Viewer, "lou@example.test");
    for _ in 0..5 {
        assert_eq!(app.sign_in("lou@example.test", "not-the-password").await.status, 401);
    }
    // Locked: even the right password is refused, with the same message.
    let locked = app.sign_in("lou@example.test", PASSWORD).await;
    assert_eq!(locked.status, 401);
    assert!(locked.body.contains("do not match an active account"));
    assert!(app.event_kinds().contains(&"member.locked_out".to_string()));
    let notice = app.email_to("lou@example.test", "paused").await;
    assert!(notice.text.contains("/forgot-password"));

    app.advance(Duration::minutes(16));
    app.sign_in("lou@example.test", PASSWORD).await.assert_redirect("/");
}

/// Sends a sign-in and, while it waits to settle on the member's row (held
/// here, as another attempt settling would hold it), changes that row with
/// `meanwhile`: what a guess sent beside it, or a password reset, does
/// between this attempt's password check and its outcome.
async fn sign_in_while_the_row_changes(
    app: &TestApp,
    email: &str,
    password: &str,
    meanwhile: impl FnOnce(&mut diesel::PgConnection),
) -> Page {
    use diesel::prelude::*;
    let mut holder = app.pool.get().expect("conn");
    diesel::sql_query("BEGIN").execute(&mut holder).expect("begin");
    diesel::sql_query("SELECT 1 FROM members WHERE email = $1 FOR UPDATE")
        .bind::<diesel::sql_types::Text, _>(email)
        .execute(&mut holder)
        .expect("hold the row");
    let browser = app.new_client();
    let token = csrf_in(&browser.get("/sign-in").await.body);
    let form = [email.to_string(), password.to_string(), token];
    let attempt = tokio::spawn(async move {
        let fields = [
            ("email", form[0].as_str()),
            ("password", &form[1]),
            ("csrf_token", &form[2]),
        ];
        browser.post_raw("/sign-in", &fields).await
    });
    let waiting = || -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result::<Count>(&mut app.pool.get().expect("conn"))
        .expect("activity")
        .n
    };
    crate::helpers::eventually("the attempt to wait for the row", async || {
        if waiting() > 0 {
            Ok(())
        } else {
            Err("not waiting".to_string())
        }
    })
    .await;
    assert_eq!(waiting(), 1, "the attempt checked the password and waits for the row");
    meanwhile(&mut holder);
    diesel::sql_query("COMMIT").execute(&mut holder).expect("commit");
    attempt.await.expect("the attempt")
}

/// A right password checked before the account was locked, and settled
/// after, is refused: the lock another attempt set holds, and stays.
#[actix_web::test]
async fn a_lock_set_while_the_password_is_checked_holds() {
    use diesel::prelude::*;
    use veridesk::db::schema::members;
    let app = spawn_app().await;
    app.create_member(BuiltinRole::Viewer, "lou@example.test");
    let until = app.clock.now() + Duration::minutes(15);
    let answer = sign_in_while_the_row_changes(&app, "lou@example.test", PASSWORD, |conn| {
        diesel::update(members::table.filter(members::email.eq("lou@example.test")))
            .set(members::locked_until.eq(until))
            .execute(conn)
            .expect("lock");
    })
    .await;
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert!(!app.event_kinds().contains(&"member.signed_in".to_string()));
    assert_eq!(
        app.sign_in("lou@example.test", PASSWORD).await.status,
        401,
        "still locked"
    );
    app.advance(Duration::minutes(16));
    app.sign_in("lou@example.test", PASSWORD).await.assert_redirect("/");
}

/// A password changed (a reset) while an attempt with the old one waited
/// for its check signs no one in.
#[actix_web::test]
async fn an_old_password_checked_before_a_reset_signs_no_one_in() {
    use diesel::prelude::*;
    use veridesk::db::schema::members;
    let app = spawn_app().await;
    app.create_member(BuiltinRole::Viewer, "lou@example.test");
    let new_hash = veridesk::auth::password::hash_blocking("a-new-password-2026").expect("hash");
    let answer = sign_in_while_the_row_changes(&app, "lou@example.test", PASSWORD, |conn| {
        diesel::update(members::table.filter(members::email.eq("lou@example.test")))
            .set(members::password_hash.eq(new_hash))
            .execute(conn)
            .expect("reset");
    })
    .await;
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert!(!app.event_kinds().contains(&"member.signed_in".to_string()));
    app.sign_in("lou@example.test", "a-new-password-2026")
        .await
        .assert_redirect("/");
}

/// Guesses in a row slow down before five failures lock the account: three
/// at once, then one every two seconds, for a member's email and for an
/// email no one has alike, so the wait tells nothing about who exists.
#[actix_web::test]
async fn guesses_in_a_row_slow_down() {
    let app = spawn_app().await;
    app.create_member(BuiltinRole::Viewer, "val@example.test");
    for email in ["val@example.test", "nobody@example.test"] {
        // Timed from before the first guess: the fourth may go two seconds
        // after the first, however long each guess takes on a busy machine.
        let started = std::time::Instant::now();
        for _ in 0..4 {
            assert_eq!(app.sign_in(email, "wrong-password-123").await.status, 401);
        }
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(1900),
            "four guesses for {email} took {:?}",
            started.elapsed()
        );
    }
}

#[actix_web::test]
async fn sign_in_is_rate_limited_per_ip() {
    let app = spawn_app_with(Options {
        signin_rate: 3,
        ..Options::default()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(app.sign_in("who@example.test", "whatever-password").await.status, 401);
    }
    let limited = app.sign_in("who@example.test", "whatever-password").await;
    assert_eq!(limited.status, 429);
    assert!(limited.body.contains("Too many sign-in attempts"));
}

/// A reset link asked for before the password changed, or before the
/// member was deactivated, sets no password afterwards.
#[actix_web::test]
async fn a_reset_link_dies_when_the_password_changes_or_the_member_goes() {
    let app = spawn_app().await;
    app.create_member(BuiltinRole::ComplianceOfficer, "rita@example.test");
    let sam = app.create_member(BuiltinRole::ComplianceOfficer, "sam@example.test");
    let app = &app;
    let reset_path = move |email: &'static str| async move {
        let visitor = app.new_client();
        let token = csrf_in(&visitor.get("/forgot-password").await.body);
        visitor
            .post_raw("/forgot-password", &[("email", email), ("csrf_token", &token)])
            .await;
        let link = app
            .email_to(email, "Reset your")
            .await
            .link(&format!("{}/reset-password/", app.address));
        link.trim_start_matches(&app.address).to_string()
    };
    let path = reset_path("rita@example.test").await;
    assert_eq!(app.get(&path).await.status, 200, "the link works at first");
    app.sign_in("rita@example.test", PASSWORD).await.assert_redirect("/");
    app.post(
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("password", "a brand new passphrase"),
            ("password_confirmation", "a brand new passphrase"),
        ],
    )
    .await
    .assert_redirect("/account");
    assert_eq!(
        app.get(&path).await.status,
        410,
        "changed the password: the link is dead"
    );

    let path = reset_path("sam@example.test").await;
    let owner = app.new_client();
    owner.signed_in_as(BuiltinRole::Owner).await;
    owner.post(&format!("/team/members/{sam}/deactivate"), &[]).await;
    owner.post(&format!("/team/members/{sam}/reactivate"), &[]).await;
    let visitor = app.new_client();
    assert_eq!(
        visitor.get(&path).await.status,
        410,
        "deactivated, even if soon reactivated: the link is dead"
    );
    assert_eq!(
        visitor.sign_in("sam@example.test", PASSWORD).await.status,
        303,
        "reactivated, with the password as it was"
    );
}

/// Behind a proxy, the address is the one the proxy saw (the last
/// `X-Forwarded-For` entry): what the client writes before it, or in
/// `Forwarded`, neither dodges the limit nor goes into the audit log.
#[actix_web::test]
async fn behind_a_proxy_sign_in_is_limited_by_the_address_the_proxy_saw() {
    let app = spawn_app_with(Options {
        signin_rate: 3,
        trust_proxy: true,
        ..Options::default()
    })
    .await;
    app.create_member(BuiltinRole::Viewer, "who@example.test");
    let token = csrf_in(&app.get("/sign-in").await.body);
    let attempt = |n: u8, seen: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            app.client
                .post(format!("{}/sign-in", app.address))
                .header("X-Forwarded-For", format!("10.0.0.{n}, {seen}"))
                .header("Forwarded", format!("for=10.1.0.{n}"))
                .form(&[
                    ("email", "who@example.test"),
                    ("password", "whatever-password"),
                    ("csrf_token", token.as_str()),
                ])
                .send()
                .await
                .expect("POST")
                .status()
                .as_u16()
        }
    };
    let mut statuses = Vec::new();
    for n in 0..4 {
        statuses.push(attempt(n, "198.51.100.7").await);
    }
    assert_eq!(
        statuses,
        [401, 401, 401, 429],
        "one address, whatever the client claims"
    );
    assert_eq!(attempt(9, "198.51.100.8").await, 401, "another address is not held up");
    let ips: Vec<Option<String>> = {
        use diesel::prelude::*;
        use veridesk::db::schema::events;
        let mut conn = app.pool.get().expect("conn");
        events::table
            .filter(events::actor_kind.eq("visitor"))
            .order(events::id)
            .select(events::ip)
            .load(&mut conn)
            .expect("events")
    };
    let seen = |ip: &str| Some(ip.to_string());
    assert_eq!(
        ips,
        [
            seen("198.51.100.7"),
            seen("198.51.100.7"),
            seen("198.51.100.7"),
            seen("198.51.100.8")
        ],
        "the failed sign-ins are recorded from where the proxy saw them"
    );
}

/// Over HTTPS, browsers are told to keep to it.
#[actix_web::test]
async fn over_https_browsers_are_told_to_keep_to_it() {
    let plain = spawn_app().await;
    let page = plain
        .client
        .get(format!("{}/sign-in", plain.address))
        .send()
        .await
        .expect("GET");
    assert!(page.headers().get("strict-transport-security").is_none());
    let https = spawn_app_with(Options {
        https: true,
        ..Options::default()
    })
    .await;
    let page = https
        .client
        .get(format!("{}/sign-in", https.address))
        .send()
        .await
        .expect("GET");
    assert_eq!(
        page.headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
}

#[actix_web::test]
async fn password_reset_end_to_end() {
    let app = spawn_app().await;
    app.create_member(BuiltinRole::ComplianceOfficer, "rita@example.test");
    let page = app.get("/forgot-password").await;
    let token = csrf_in(&page.body);
    let bad = app
        .post_raw("/forgot-password", &[("email", "rita@"), ("csrf_token", &token)])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("is not a valid email address"));

    let sent = app
        .post_raw(
            "/forgot-password",
            &[("email", "rita@example.test"), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(sent.status, 200);
    assert!(sent.body.contains("If an active account uses that email"));
    // Unknown emails get the same answer and no email.
    let unknown = app
        .post_raw(
            "/forgot-password",
            &[("email", "ghost@example.test"), ("csrf_token", &token)],
        )
        .await;
    assert!(unknown.body.contains("If an active account uses that email"));

    let email = app.email_to("rita@example.test", "Reset your").await;
    let link = email.link(&format!("{}/reset-password/", app.address));
    let path = link.trim_start_matches(&app.address).to_string();
    let form = app.get(&path).await;
    assert_eq!(form.status, 200);
    let token = csrf_in(&form.body);
    let weak = app
        .post_raw(
            &path,
            &[
                ("password", "password1234"),
                ("password_confirmation", "password1234"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(weak.body.contains("too common"));
    let new_password = "a brand new passphrase";
    app.post_raw(
        &path,
        &[
            ("password", new_password),
            ("password_confirmation", new_password),
            ("csrf_token", &token),
        ],
    )
    .await
    .assert_redirect("/sign-in");
    // The link works once.
    assert_eq!(app.get(&path).await.status, 410);
    assert_eq!(app.sign_in("rita@example.test", PASSWORD).await.status, 401);
    app.sign_in("rita@example.test", new_password)
        .await
        .assert_redirect("/");
    assert!(
        app.smtp
            .all()
            .iter()
            .all(|e| !e.to.contains(&"ghost@example.test".to_string()))
    );
}

#[actix_web::test]
async fn reset_links_expire_after_an_hour() {
    let app = spawn_app().await;
    app.create_member(BuiltinRole::Viewer, "eve@example.test");
    let token = csrf_in(&app.get("/forgot-password").await.body);
    app.post_raw(
        "/forgot-password",
        &[("email", "eve@example.test"), ("csrf_token", &token)],
    )
    .await;
    let link = app.email_to("eve@example.test", "Reset your").await.link(&app.address);
    app.advance(Duration::minutes(61));
    let expired = app.get(link.trim_start_matches(&app.address)).await;
    assert_eq!(expired.status, 410);
    assert!(expired.body.contains("no longer works"));
}

#[actix_web::test]
async fn forms_without_a_valid_csrf_token_are_refused() {
    let app = spawn_app().await;
    app.create_member(BuiltinRole::Owner, "own@example.test");
    // Sign-in itself needs the token.
    let no_token = app
        .post_raw("/sign-in", &[("email", "own@example.test"), ("password", PASSWORD)])
        .await;
    assert_eq!(no_token.status, 403);
    app.sign_in("own@example.test", PASSWORD).await.assert_redirect("/");
    let forged = app
        .post_raw(
            "/team/invitations",
            &[("email", "x@example.test"), ("role_id", ""), ("csrf_token", "forged")],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("Form expired"));
    let missing = app.post_raw("/settings/company", &[("name", "Hacked")]).await;
    assert_eq!(missing.status, 403);
    assert!(!app.get("/settings/company").await.body.contains("Hacked"));
}

#[actix_web::test]
async fn sessions_end_when_idle_and_on_sign_out() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Viewer).await;
    assert_eq!(app.get("/").await.status, 200);
    app.advance(Duration::minutes(61));
    app.get("/").await.assert_redirect("/sign-in");

    app.sign_in("viewer@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    app.sign_out().await.assert_redirect("/sign-in");
    assert!(
        app.event_kinds().contains(&"member.signed_out".to_string()),
        "sign-out is audited"
    );
    app.get("/team").await.assert_redirect("/sign-in?next=%2Fteam");
}

#[actix_web::test]
async fn every_response_carries_security_headers_and_safe_cookies() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/sign-in", app.address))
        .send()
        .await
        .expect("GET");
    let headers = response.headers();
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap_or_default()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let cookie = headers["set-cookie"].to_str().unwrap_or_default().to_lowercase();
    assert!(
        cookie.contains("httponly") && cookie.contains("samesite=lax"),
        "{cookie}"
    );
    let missing = app.get("/no/such/page").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Page not found"));

    // Style sheets and scripts are asked for again after a release, not
    // kept on a browser's guess; unchanged, they cost a 304.
    let style = app
        .client
        .get(format!("{}/static/css/app.css", app.address))
        .send()
        .await
        .expect("GET");
    assert_eq!(style.status(), 200);
    assert_eq!(style.headers()["cache-control"], "no-cache");
    let etag = style.headers()["etag"].clone();
    let again = app
        .client
        .get(format!("{}/static/css/app.css", app.address))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(again.status(), 304);
}

#[actix_web::test]
async fn sign_in_redirects_back_only_to_local_pages() {
    let app = spawn_app().await;
    app.create_member(BuiltinRole::Owner, "o@example.test");
    let page = app.get("/sign-in?next=/audit").await;
    let token = csrf_in(&page.body);
    app.post_raw(
        "/sign-in",
        &[
            ("email", "o@example.test"),
            ("password", PASSWORD),
            ("next", "/audit"),
            ("csrf_token", &token),
        ],
    )
    .await
    .assert_redirect("/audit");
    let other = app.new_client();
    let token = csrf_in(&other.get("/sign-in").await.body);
    let evil = other
        .post_raw(
            "/sign-in",
            &[
                ("email", "o@example.test"),
                ("password", PASSWORD),
                ("next", "//evil.example"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(evil.location.as_deref(), Some("/"));
}

#[actix_web::test]
async fn admins_cannot_read_reset_links_from_the_outbox() {
    let app = spawn_app().await;
    app.create_member(BuiltinRole::Owner, "boss@example.test");
    let visitor = app.new_client();
    let token = csrf_in(&visitor.get("/forgot-password").await.body);
    visitor
        .post_raw(
            "/forgot-password",
            &[("email", "boss@example.test"), ("csrf_token", &token)],
        )
        .await;
    let email = app.email_to("boss@example.test", "Reset your").await;
    let secret = email.link(&app.address);
    app.signed_in_as(BuiltinRole::Admin).await;
    // The mail server has it; the worker records it as sent just after.
    let id: uuid::Uuid = crate::helpers::eventually("the reset email to be recorded as sent", async || {
        use diesel::prelude::*;
        use veridesk::db::schema::outbox_messages;
        let mut conn = app.pool.get().expect("conn");
        let (id, status): (uuid::Uuid, String) = outbox_messages::table
            .filter(outbox_messages::kind.eq("password_reset"))
            .select((outbox_messages::id, outbox_messages::status))
            .first(&mut conn)
            .expect("id");
        if status == "sent" { Ok(id) } else { Err(status) }
    })
    .await;
    let page = app.get(&format!("/outbox/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("reset-password/[token removed]"),
        "sent, so the stored copy has no token left"
    );
    let token_part = secret.rsplit('/').next().expect("token");
    assert!(
        !page.body.contains(token_part),
        "the reset token must not be shown to an admin"
    );
}

/// When the session cannot be read (the database is away), a signed-in
/// page says Veridesk is busy, with the usual security headers, instead of
/// an empty 500; once the database is back, the session still holds.
#[actix_web::test]
async fn a_session_that_cannot_be_read_gets_the_busy_page() {
    use diesel::prelude::*;
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Viewer).await;
    let rename = |from: &str, to: &str| {
        let mut conn = app.pool.get().expect("conn");
        diesel::sql_query(format!("ALTER TABLE {from} RENAME TO {to}"))
            .execute(&mut conn)
            .expect("rename");
    };
    rename("sessions", "sessions_away");
    // Renaming a table notifies no one: drop the process's copies by hand.
    app.session_copies.clear();
    let response = app
        .client
        .get(format!("{}/account", app.address))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 503);
    let headers = response.headers().clone();
    for (name, value) in veridesk::error::SECURITY_HEADERS {
        assert_eq!(headers.get(*name).and_then(|v| v.to_str().ok()), Some(*value), "{name}");
    }
    let body = response.text().await.expect("body");
    assert!(body.contains("Veridesk is busy right now"), "{body}");
    rename("sessions_away", "sessions");
    let page = app.get("/account").await;
    assert_eq!(page.status, 200, "still signed in");
}
