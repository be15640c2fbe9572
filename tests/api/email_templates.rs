//! Email templates: placeholders checked, preview with a sample applicant.

use crate::helpers::spawn_app;
use veridesk::auth::permissions::BuiltinRole;

#[actix_web::test]
async fn templates_need_the_link_and_known_placeholders() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let new = app.get("/email-templates/new").await;
    assert!(new.body.contains("Ana Lima"), "the preview uses a sample applicant");
    let no_link = app
        .post(
            "/email-templates",
            &[
                ("name", "Reminder"),
                ("language", "en"),
                ("subject", "Reminder"),
                ("body", "Hello {{applicant_name}}"),
            ],
        )
        .await;
    assert_eq!(no_link.status, 422);
    assert!(no_link.body.contains("must contain {{session_url}}") && no_link.body.contains("Hello {{applicant_name}}"));
    let unknown = app
        .post(
            "/email-templates",
            &[
                ("name", "Reminder"),
                ("language", "en"),
                ("subject", "Hi {{first_name}}"),
                ("body", "{{session_url}}"),
            ],
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains("Unknown placeholder {{first_name}}"));
    let unlisted = app
        .post(
            "/email-templates",
            &[
                ("name", "Reminder"),
                ("language", "xx"),
                ("subject", "Hi"),
                ("body", "{{session_url}}"),
            ],
        )
        .await;
    assert_eq!(unlisted.status, 422);
    assert!(
        unlisted
            .body
            .contains("id=\"e-language\">Choose a language from the list.")
    );
    app.post(
        "/email-templates",
        &[
            ("name", "Reminder"),
            ("language", "en"),
            ("subject", "Your {{company_name}} check"),
            ("body", "Dear {{applicant_name}}, go to {{session_url}}"),
        ],
    )
    .await
    .assert_redirect("/email-templates");
    // A name that reads the same, spaced or composed differently, is taken.
    for same in ["  Reminder ", "REMINDER"] {
        let twin = app
            .post(
                "/email-templates",
                &[
                    ("name", same),
                    ("language", "en"),
                    ("subject", "Again"),
                    ("body", "{{session_url}}"),
                ],
            )
            .await;
        assert_eq!(twin.status, 422, "{same:?}");
        assert!(twin.body.contains("Another template already has this name."));
    }
    let list = app.get("/email-templates").await;
    assert!(
        list.body.contains("<td class=\"small\">English</td>"),
        "the list says each template's language: {}",
        list.body
    );
    let start = list
        .body
        .find("/email-templates/")
        .and_then(|i| list.body[i..].find('"').map(|e| (i, i + e)))
        .expect("a template link");
    let mut path = list.body[start.0..start.1].to_string();
    if path.ends_with("/new") {
        let rest = &list.body[start.1..];
        let i = rest.find("/email-templates/").expect("template link");
        path = rest[i..i + rest[i..].find('"').expect("end")].to_string();
    }
    let edit = app.get(&path).await;
    assert!(edit.body.contains("Dear Ana Lima, go to http://"), "{}", edit.body);

    // Two people save the version they opened: the second is told, keeps
    // their text, and replaces the first's only by saving again.
    let version_in = |html: &str| {
        html.split("name=\"lock_version\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a version in the form")
            .to_string()
    };
    let opened = version_in(&edit.body);
    let save = |body: &'static str, version: String| {
        let path = path.clone();
        let app = &app;
        async move {
            app.post(
                &path,
                &[
                    ("name", "Reminder"),
                    ("language", "en"),
                    ("subject", "Your {{company_name}} check"),
                    ("body", body),
                    ("lock_version", version.as_str()),
                ],
            )
            .await
        }
    };
    save("First: {{session_url}}", opened.clone())
        .await
        .assert_redirect("/email-templates");
    let trail: serde_json::Value = {
        use diesel::prelude::*;
        use veridesk::db::schema::events;
        events::table
            .filter(events::kind.eq("email_template.updated"))
            .select(events::details)
            .first(&mut app.pool.get().expect("conn"))
            .expect("event")
    };
    assert_eq!(
        trail["body before"], "Dear {{applicant_name}}, go to {{session_url}}",
        "the audit log keeps what the template said: {trail}"
    );
    let late = save("Second: {{session_url}}", opened).await;
    assert_eq!(late.status, 409);
    assert!(
        late.body
            .contains("You (in another tab, perhaps) saved this template meanwhile")
            && late.body.contains("Second: {{session_url}}"),
        "{}",
        late.body
    );
    save("Second: {{session_url}}", version_in(&late.body))
        .await
        .assert_redirect("/email-templates");
    assert!(app.get(&path).await.body.contains("Second: {{session_url}}"));
    // A template saved under older rules (the link in its subject) is
    // flagged in the list until someone edits it.
    {
        use diesel::prelude::*;
        use veridesk::db::schema::email_templates;
        let mut conn = app.pool.get().expect("conn");
        diesel::update(email_templates::table)
            .set(email_templates::subject.eq("Your link: {{session_url}}"))
            .execute(&mut conn)
            .expect("an old template");
    }
    assert!(app.get("/email-templates").await.body.contains("needs a change"));
    let opened = app.get(&path).await;
    assert_eq!(opened.status, 200);
    assert!(
        opened.body.contains("The link cannot go in the subject"),
        "the template says what to change as soon as it is opened"
    );
    let unreadable = save("Third: {{session_url}}", "x".into()).await;
    assert_eq!(unreadable.status, 422, "not taken for someone else's save");
    assert!(unreadable.body.contains("The form could not be read"));
    let before_deletion = version_in(&app.get(&path).await.body);
    app.post(&format!("{path}/delete"), &[])
        .await
        .assert_redirect("/email-templates");
    assert!(app.get("/email-templates").await.body.contains("No templates yet"));
    // The same click posted twice: told it is done, not a missing page.
    app.post(&format!("{path}/delete"), &[])
        .await
        .assert_redirect("/email-templates");
    assert!(
        app.get("/email-templates").await.body.contains("already deleted"),
        "a second delete says so"
    );
    assert_eq!(
        app.post(&format!("/email-templates/{}/delete", uuid::Uuid::nil()), &[])
            .await
            .status,
        404,
        "a template that never existed is still not found"
    );
    // Saved after someone deleted it: told so, the text kept, on a form
    // that saves it anew.
    let orphan = save("Kept: {{session_url}}", before_deletion).await;
    assert_eq!(orphan.status, 409);
    assert!(
        orphan.body.contains("deleted meanwhile")
            && orphan.body.contains("Kept: {{session_url}}")
            && orphan.body.contains("action=\"/email-templates\""),
        "{}",
        orphan.body
    );
    assert!(app.event_kinds().contains(&"email_template.deleted".to_string()));
    let deleted: serde_json::Value = {
        use diesel::prelude::*;
        use veridesk::db::schema::events;
        events::table
            .filter(events::kind.eq("email_template.deleted"))
            .select(events::details)
            .first(&mut app.pool.get().expect("conn"))
            .expect("event")
    };
    assert!(
        deleted["body"].as_str().is_some_and(|b| b.contains("{{session_url}}")),
        "{deleted}"
    );
    let never = app
        .post(
            &format!("/email-templates/{}", uuid::Uuid::nil()),
            &[
                ("name", "Ghost"),
                ("language", "en"),
                ("subject", "S"),
                ("body", "{{session_url}}"),
                ("lock_version", "1"),
            ],
        )
        .await;
    assert_eq!(
        never.status, 404,
        "an edit of a template that never existed is not 'deleted meanwhile'"
    );
}

/// Preview shows the text as it would be sent, in the sample applicant's
/// language, and saves nothing.
#[actix_web::test]
async fn preview_in_a_language_without_saving() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let preview = app
        .post(
            "/email-templates",
            &[
                ("name", "Draft in French"),
                ("subject", "Vérification"),
                (
                    "body",
                    "Bonjour {{applicant_name}}: {{session_url}} jusqu'au {{link_expires_at}}",
                ),
                ("language", "fr"),
                ("preview", "1"),
            ],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview.body.contains("Bonjour Ana Lima: http://"));
    let expiry =
        veridesk::email_templates::placeholders::format_expiry(app.clock.now() + chrono::Duration::hours(72), "fr");
    assert!(
        preview.body.contains(&format!("jusqu&#39;au {expiry}")),
        "the expiry reads in French ({expiry}): {}",
        preview.body
    );
    assert!(
        preview.body.contains("value=\"fr\" selected"),
        "the language stays chosen"
    );
    assert!(
        !app.get("/email-templates").await.body.contains("Draft in French"),
        "nothing saved"
    );
    let unnamed = app
        .post(
            "/email-templates",
            &[
                ("name", ""),
                ("language", "en"),
                ("subject", "Check"),
                ("body", "Hi {{applicant_name}}: {{session_url}}"),
                ("preview", "1"),
            ],
        )
        .await;
    assert_eq!(unnamed.status, 200, "a preview needs no name yet: {}", unnamed.body);
    assert!(unnamed.body.contains("Hi Ana Lima: http://") && !unnamed.body.contains("Give it a name."));
}

/// Names that read the same are one name: spaces collapsed, accents
/// composed, case ignored.
#[actix_web::test]
async fn a_template_name_spaced_or_composed_differently_is_taken() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    app.post(
        "/email-templates",
        &[
            ("name", "Zo\u{e9} list"),
            ("language", "en"),
            ("subject", "S"),
            ("body", "{{session_url}}"),
        ],
    )
    .await
    .assert_redirect("/email-templates");
    let decomposed = app
        .post(
            "/email-templates",
            &[
                ("name", "Zoe\u{301}  list"),
                ("language", "en"),
                ("subject", "S"),
                ("body", "{{session_url}}"),
            ],
        )
        .await;
    assert_eq!(
        decomposed.status, 422,
        "the same name, its accent decomposed and spaced twice"
    );
    assert_eq!(
        app.get("/email-templates")
            .await
            .body
            .matches(">Zo\u{e9} list<")
            .count(),
        1
    );
}
