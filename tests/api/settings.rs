//! Company settings, logo upload, own account, audit log filters.

use crate::helpers::spawn_app;
use veridesk::auth::permissions::BuiltinRole;

/// A valid 1×1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0x7A, 0x5E, 0xAB, 0x3F, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

#[actix_web::test]
async fn company_settings_validate_and_save() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Admin).await;
    let bad = app
        .post(
            "/settings/company",
            &[
                ("name", ""),
                ("address", "1 Main St"),
                ("contact_email", "nope"),
                ("sender_name", "Acme <x>"),
                ("brand_colour", "blue"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    for message in [
        "Enter the company name.",
        "is not a valid email address",
        "without quotes or angle brackets",
        "is not a colour",
    ] {
        assert!(bad.body.contains(message), "missing {message}");
    }
    assert!(bad.body.contains("1 Main St") && bad.body.contains("value=\"blue\""));

    app.post(
        "/settings/company",
        &[
            ("name", "Acme KYC"),
            ("address", "1 Main St"),
            ("contact_email", "kyc@acme.test"),
            ("sender_name", "Acme Compliance"),
            ("brand_colour", "#AA3300"),
        ],
    )
    .await
    .assert_redirect("/settings/company");
    let page = app.get("/settings/company").await;
    assert!(page.body.contains("value=\"Acme KYC\"") && page.body.contains("value=\"#aa3300\""));
    let audit = app.get("/audit?kind=settings.updated").await;
    assert!(audit.body.contains("Acme KYC"));

    // Emails now come from the new sender name.
    let viewer: String = {
        let mut conn = app.pool.get().expect("conn");
        veridesk::roles::queries::builtin_role_id(&mut conn, BuiltinRole::Viewer)
            .expect("role")
            .to_string()
    };
    app.post(
        "/team/invitations",
        &[("email", "new@example.test"), ("role_id", &viewer)],
    )
    .await;
    let email = app.email_to("new@example.test", "Acme KYC").await;
    assert!(
        email.from_header.starts_with("Acme Compliance"),
        "{}",
        email.from_header
    );
}

async fn upload(app: &crate::helpers::TestApp, bytes: &[u8], token: &str) -> u16 {
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token.to_string())
        .part(
            "logo",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("logo.png"),
        );
    app.client
        .post(format!("{}/settings/company/logo", app.address))
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .status()
        .as_u16()
}

#[actix_web::test]
async fn logo_upload_checks_type_size_and_csrf() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Owner).await;
    assert_eq!(app.get("/brand/logo").await.status, 404);
    let token = app.csrf().await;
    assert_eq!(upload(&app, b"<svg onload=alert(1)></svg>", &token).await, 422);
    assert_eq!(upload(&app, &vec![0u8; 600 * 1024], &token).await, 422);
    assert_eq!(upload(&app, PNG, "forged").await, 403);
    assert_eq!(upload(&app, PNG, &token).await, 303);
    let response = app
        .client
        .get(format!("{}/brand/logo", app.address))
        .send()
        .await
        .expect("logo");
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.bytes().await.expect("bytes").as_ref(), PNG);
    app.post("/settings/company/logo/delete", &[])
        .await
        .assert_redirect("/settings/company");
    assert_eq!(app.get("/brand/logo").await.status, 404);
}

#[actix_web::test]
async fn members_edit_their_own_name_time_zone_and_password() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Viewer).await;
    let bad = app.post("/account", &[("name", " "), ("time_zone", "Mars/Base")]).await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("Enter a name.")
            && bad.body.contains("not a known time zone")
            && bad.body.contains("Mars/Base")
    );
    app.post("/account", &[("name", "Vera Stone"), ("time_zone", "Asia/Tokyo")])
        .await
        .assert_redirect("/account");
    let page = app.get("/account").await;
    assert!(page.body.contains("Vera Stone") && page.body.contains("Asia/Tokyo"));

    let wrong = app
        .post(
            "/account/password",
            &[
                ("current_password", "nope-nope-nope"),
                ("password", "another fine passphrase"),
                ("password_confirmation", "another fine passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("not your current password"));
    let other = app.new_client();
    other
        .sign_in("viewer@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    app.post(
        "/account/password",
        &[
            ("current_password", crate::helpers::PASSWORD),
            ("password", "another fine passphrase"),
            ("password_confirmation", "another fine passphrase"),
        ],
    )
    .await
    .assert_redirect("/account");
    assert_eq!(app.get("/account").await.status, 200, "this session continues");
    other.get("/account").await.assert_redirect("/sign-in");
}

#[actix_web::test]
async fn audit_log_filters_by_kind_actor_and_date() {
    let app = spawn_app().await;
    let owner = app.signed_in_as(BuiltinRole::Owner).await;
    app.new_client()
        .sign_in("nobody@example.test", "wrong-password-1")
        .await;
    let all = app.get("/audit").await;
    assert!(all.body.contains("<td>Failed sign-in</td>") && all.body.contains("<td>Signed in</td>"));
    // Subjects by name, linked to their page.
    let owner_row = all
        .body
        .split("<tr>")
        .find(|row| row.contains("<td>Signed in</td>"))
        .expect("the owner's sign-in");
    assert!(
        owner_row.contains(&format!("<a href=\"/team/members/{owner}\">")) && owner_row.contains("@example.test</a>"),
        "{owner_row}"
    );
    // A subject deleted since is shown by its id, with no link to a page
    // that is gone.
    app.post(
        "/email-templates",
        &[
            ("name", "Short-lived"),
            ("language", "en"),
            ("subject", "S"),
            ("body", "{{session_url}}"),
        ],
    )
    .await
    .assert_redirect("/email-templates");
    let list = app.get("/email-templates").await.body;
    let template = list
        .split("href=\"/email-templates/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|id| *id != "new")
        .expect("the template")
        .to_string();
    app.post(&format!("/email-templates/{template}/delete"), &[])
        .await
        .assert_redirect("/email-templates");
    let gone = app.get("/audit?kind=email_template.created").await.body;
    assert!(
        gone.contains(&template) && !gone.contains(&format!("href=\"/email-templates/{template}\"")),
        "{gone}"
    );
    let when = all
        .body
        .split("<td class=\"nowrap\">")
        .nth(1)
        .and_then(|rest| rest.split("</td>").next())
        .expect("an event's time");
    assert!(
        chrono::NaiveDateTime::parse_from_str(when, "%Y-%m-%d %H:%M:%S UTC").is_ok(),
        "times to the second: {when}"
    );
    let failed = app.get("/audit?kind=member.sign_in_failed").await;
    assert!(failed.body.contains("nobody@example.test"));
    assert!(failed.body.contains("<td>Failed sign-in</td>") && !failed.body.contains("<td>Signed in</td>"));
    let mine = app.get(&format!("/audit?actor={owner}")).await;
    assert!(!mine.body.contains("nobody@example.test"));
    // Someone typing the owner's email with a wrong password acts as a
    // visitor, about the owner: not listed as the owner's own doing.
    let owner_email: String = {
        use diesel::prelude::*;
        veridesk::db::schema::members::table
            .find(owner)
            .select(veridesk::db::schema::members::email)
            .first(&mut app.pool.get().expect("conn"))
            .expect("email")
    };
    app.new_client().sign_in(&owner_email, "wrong-password-1").await;
    let failed = app.get("/audit?kind=member.sign_in_failed").await;
    assert_eq!(
        failed.body.matches("<td>Failed sign-in</td>").count(),
        2,
        "{}",
        failed.body
    );
    let visitors = app.get("/audit?actor=visitor").await;
    assert!(
        visitors.body.contains("<td>Failed sign-in</td>") && !visitors.body.contains("<td>Signed in</td>"),
        "the actor filter takes visitors, not only members"
    );
    let mine = app
        .get(&format!("/audit?actor={owner}&kind=member.sign_in_failed"))
        .await;
    assert!(
        !mine.body.contains("<td>Failed sign-in</td>"),
        "a wrong password typed for the owner is not the owner's action"
    );
    let future = app.get("/audit?from=2999-01-01").await;
    assert!(future.body.contains("No events match"));
    let overflow = app.get("/audit?to=%2B262142-12-31").await;
    assert_eq!(overflow.status, 422);
    assert!(overflow.body.contains("is too far ahead; choose an earlier date."));
    let bad = app.get("/audit?from=yesterday&kind=nonsense").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("is not a date like") && bad.body.contains("Choose an event kind"));
    assert!(
        bad.body.contains("Correct the filters above") && !bad.body.contains("Failed sign-in</td>"),
        "no events under a filter that could not be read"
    );
    let page = app.get("/audit?before=abc").await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("This page address could not be read"));
    let reversed = app.get("/audit?from=2026-11-22&to=2026-11-01").await;
    assert_eq!(reversed.status, 422);
    assert!(reversed.body.contains("The start date is after the end date."));
    assert!(reversed.body.contains("value=\"2026-11-22\"") && reversed.body.contains("value=\"2026-11-01\""));
}

/// Two admins save the settings from pages shown at once: the second is
/// refused, and comes back with the first's change in the fields they left
/// alone and their own typed elsewhere, so saving again undoes nothing.
#[actix_web::test]
async fn a_settings_save_over_a_later_one_is_refused_and_merged() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Owner).await;
    let other = app.new_client();
    other.create_member(BuiltinRole::Admin, "second-admin@example.test");
    other
        .sign_in("second-admin@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    // The form as a browser would send it: every field as shown, then changes.
    let form_of = |page: &str, changes: &[(&'static str, &'static str)]| -> Vec<(&'static str, String)> {
        let value = |name: &str| -> String {
            let marker = format!("name=\"{name}\"");
            let at = page.find(&marker).unwrap_or_else(|| panic!("{name}"));
            let (before, after) = page.split_at(at);
            let raw = if name == "address" {
                after.split('>').nth(1).and_then(|rest| rest.split("</textarea").next())
            } else {
                before
                    .rsplit("<input")
                    .next()
                    .and_then(|tag| tag.split("value=\"").nth(1))
                    .or_else(|| after.split("value=\"").nth(1))
                    .and_then(|rest| rest.split('"').next())
            };
            raw.unwrap_or_default()
                .replace("&#34;", "\"")
                .replace("&quot;", "\"")
                .replace("&#38;", "&")
                .replace("&amp;", "&")
        };
        let mut fields: Vec<(&'static str, String)> = [
            "name",
            "address",
            "contact_email",
            "sender_name",
            "brand_colour",
            "seen",
            "shown",
        ]
        .into_iter()
        .map(|name| (name, value(name)))
        .collect();
        for (name, new) in changes {
            fields.iter_mut().find(|(n, _)| n == name).expect("field").1 = (*new).to_string();
        }
        fields
    };
    let mine = app.get("/settings/company").await.body;
    let theirs = other.get("/settings/company").await.body;
    app.advance(chrono::Duration::seconds(1));
    let first = form_of(&mine, &[("address", "2 New Street")]);
    let first: Vec<(&str, &str)> = first.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post("/settings/company", &first)
        .await
        .assert_redirect("/settings/company");
    let stale = form_of(&theirs, &[("sender_name", "Acme Compliance")]);
    let stale: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = other.post("/settings/company", &stale).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("saved the settings after this page was shown"));
    assert!(
        refused.body.contains("value=\"Acme Compliance\"") && refused.body.contains(">2 New Street</textarea>"),
        "their typed change kept, the first save's change shown where they left the field alone"
    );
    let again = form_of(&refused.body, &[]);
    let again: Vec<(&str, &str)> = again.iter().map(|(k, v)| (*k, v.as_str())).collect();
    other
        .post("/settings/company", &again)
        .await
        .assert_redirect("/settings/company");
    let page = app.get("/settings/company").await.body;
    assert!(
        page.contains(">2 New Street</textarea>") && page.contains("value=\"Acme Compliance\""),
        "both changes stand"
    );
    // The same admin in two tabs is told it was them.
    let tab = app.get("/settings/company").await.body;
    app.advance(chrono::Duration::seconds(1));
    let now = form_of(&tab, &[("address", "3 Third Street")]);
    let now: Vec<(&str, &str)> = now.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post("/settings/company", &now)
        .await
        .assert_redirect("/settings/company");
    let old_tab = form_of(&tab, &[("sender_name", "Acme KYC desk")]);
    let old_tab: Vec<(&str, &str)> = old_tab.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let own = app.post("/settings/company", &old_tab).await;
    assert_eq!(own.status, 409);
    assert!(own.body.contains("You saved the settings in another tab"));
}

/// Events are listed by when they happened, also when one is written late
/// (the sweep records a link that ran out at the time it ran out), and the
/// pages follow that order.
#[actix_web::test]
async fn events_written_late_take_their_place_in_time() {
    use veridesk::audit::queries::{EventFilter, list_events};
    use veridesk::audit::{Actor, EventKind, record};
    let app = spawn_app().await;
    let mut conn = app.pool.get().expect("conn");
    let now = app.clock.now();
    let about = |name: &str| Some(("applicant", name.to_string()));
    let system = Actor::system("Veridesk");
    // Written in this order: the newest first, the oldest, then one between.
    for (name, ago) in [("newest", 0), ("oldest", 60), ("between", 30)] {
        record(
            &mut conn,
            now - chrono::Duration::minutes(ago),
            &system,
            EventKind::LinkLapsed,
            about(name),
            serde_json::json!({}),
        )
        .expect("record");
    }
    let mut filter = EventFilter {
        kind: Some("link.lapsed".into()),
        ..EventFilter::default()
    };
    let mut seen = Vec::new();
    loop {
        let (page, more) = list_events(&mut conn, &filter, 1).expect("page");
        seen.extend(page.iter().filter_map(|e| e.subject_id.clone()));
        if !more {
            break;
        }
        filter.before = page.last().map(|e| e.id);
    }
    assert_eq!(seen, ["newest", "between", "oldest"]);
}
