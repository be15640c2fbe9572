//! Flow builder over HTTP: drafts and publishing, rules, duplicate,
//! archive, export/import, and versions the database keeps unchanged.

use crate::helpers::{TestApp, spawn_app};
use crate::questionnaires::create_questionnaire;
use diesel::prelude::*;
use veridesk::auth::permissions::BuiltinRole;

/// Creates a flow; returns its editor path.
async fn create_flow(app: &TestApp, name: &str) -> String {
    let created = app.post("/flows", &[("name", name), ("kind", "regular")]).await;
    assert_eq!(created.status, 303, "{}", created.body);
    created.location.expect("editor")
}

async fn add_step(app: &TestApp, flow: &str, kind: &str) -> crate::helpers::Page {
    app.post(&format!("{flow}/steps"), &[("kind", kind)]).await
}

fn step_count(app: &TestApp, flow: &str, number: i32) -> usize {
    use veridesk::db::schema::flow_versions;
    let id: uuid::Uuid = flow.trim_start_matches("/flows/").parse().expect("id");
    let mut conn = app.pool.get().expect("conn");
    let def: serde_json::Value = flow_versions::table
        .filter(flow_versions::flow_id.eq(id))
        .filter(flow_versions::number.eq(number))
        .select(flow_versions::definition)
        .first(&mut conn)
        .expect("version");
    def["steps"].as_array().map_or(0, Vec::len)
}

#[actix_web::test]
async fn editing_a_published_flow_works_on_a_draft_until_publish() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = create_flow(&app, "Retail onboarding").await;
    let empty = app.post(&format!("{flow}/publish"), &[]).await;
    empty.assert_redirect(&flow);
    assert!(
        app.get(&flow)
            .await
            .body
            .contains("Add at least one step before publishing.")
    );

    for kind in ["document_check", "final_screen", "intro"] {
        add_step(&app, &flow, kind).await.assert_redirect(&flow);
    }
    let page = app.get(&flow).await;
    let intro = page.body.find(">Intro</a>").expect("intro");
    let doc = page.body.find(">Document check</a>").expect("document");
    let fin = page.body.find(">Final screen</a>").expect("final");
    assert!(
        intro < doc && doc < fin,
        "intro goes first and the final screen stays last"
    );
    add_step(&app, &flow, "intro").await;
    let refused = app.get(&flow).await;
    assert!(refused.body.contains("already has its Intro step"), "{}", refused.body);

    app.post(&format!("{flow}/publish"), &[]).await.assert_redirect(&flow);
    let live = app.get(&flow).await;
    assert!(live.body.contains("Version 1 is live") && live.body.contains("live version 1"));

    // Edit the live flow: a draft (version 2) takes the change; version 1 stays.
    add_step(&app, &flow, "liveness").await;
    let page = app.get(&flow).await;
    assert!(page.body.contains("draft version 2"));
    assert_eq!(step_count(&app, &flow, 1), 3);
    assert_eq!(step_count(&app, &flow, 2), 4);
    let versions = app.get(&format!("{flow}/versions")).await;
    assert!(versions.body.contains(">live<") && versions.body.contains(">draft<"));
    let old = app.get(&format!("{flow}/preview?version=1")).await;
    assert!(!old.body.contains("Liveness"));

    // Discard the draft, edit again, publish version 2.
    app.post(&format!("{flow}/discard"), &[]).await;
    assert!(!app.get(&flow).await.body.contains("draft version"));
    add_step(&app, &flow, "email_verification").await;
    app.post(&format!("{flow}/publish"), &[]).await;
    let versions = app.get(&format!("{flow}/versions")).await;
    assert!(versions.body.contains(">superseded<") && versions.body.contains("v2"));
    let kinds = app.event_kinds();
    for kind in ["flow.created", "flow.edited", "flow.published", "flow.draft_discarded"] {
        assert!(kinds.contains(&kind.to_string()), "{kind}");
    }
}

#[actix_web::test]
async fn published_versions_cannot_be_changed_even_by_sql() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Admin).await;
    let flow = create_flow(&app, "Frozen").await;
    add_step(&app, &flow, "intro").await;
    app.post(&format!("{flow}/publish"), &[]).await;
    let mut conn = app.pool.get().expect("conn");
    let update = diesel::sql_query("UPDATE flow_versions SET definition = '{}'::jsonb WHERE published_at IS NOT NULL")
        .execute(&mut conn);
    let error = update.expect_err("a published version cannot be updated");
    assert!(
        error.to_string().contains("is published and cannot be changed"),
        "{error}"
    );
    let delete = diesel::sql_query("DELETE FROM flow_versions WHERE published_at IS NOT NULL").execute(&mut conn);
    assert!(delete.is_err(), "nor deleted");
    assert_eq!(step_count(&app, &flow, 1), 1);
}

#[actix_web::test]
async fn rules_are_checked_with_clear_messages() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = create_flow(&app, "Rules").await;
    for kind in ["face_match", "aml", "liveness"] {
        add_step(&app, &flow, kind).await;
    }
    app.post(&format!("{flow}/publish"), &[]).await;
    let page = app.get(&flow).await;
    assert!(page.body.contains("Not published."));
    assert!(page.body.contains("a Document check step must come before it"));
    assert!(
        page.body
            .contains("takes the name and birth date from a document check")
    );

    // Step settings with bad input come back with messages and what was typed.
    let step_id = {
        let start = page.body.find("/steps/").expect("a step link") + "/steps/".len();
        page.body[start..start + 36].to_string()
    };
    let step = format!("{flow}/steps/{step_id}");
    let bad = app
        .post(&step, &[("sources", "document_photo"), ("threshold", "high")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("must be a whole number from 0 to 100") && bad.body.contains("value=\"high\""));
    let one = app
        .post(&step, &[("sources", "document_photo"), ("threshold", "80")])
        .await;
    assert_eq!(one.status, 422);
    assert!(one.body.contains("compare at least two different images"));

    let settings = app
        .post(
            &format!("{flow}/settings"),
            &[
                ("link_expiry_hours", "1000"),
                ("session_minutes", "30"),
                ("max_attempts", "0"),
                ("redirect_url", "javascript:alert(1)"),
                ("intro_text", "Hello"),
            ],
        )
        .await;
    assert_eq!(settings.status, 422);
    assert!(
        settings.body.contains("from 1 to 720")
            && settings.body.contains("from 1 to 10")
            && settings.body.contains("http:// or https://")
    );
    assert!(settings.body.contains("value=\"1000\""));
    let no_kind = app.post(&format!("{flow}/steps"), &[("kind", "teleport")]).await;
    assert_eq!(no_kind.status, 422);
    let no_questionnaire = app.post(&format!("{flow}/steps"), &[("kind", "questionnaire")]).await;
    assert_eq!(no_questionnaire.status, 422);
    assert!(no_questionnaire.body.contains("Choose the questionnaire"));
}

#[actix_web::test]
async fn duplicate_archive_and_unarchive() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = create_flow(&app, "Business onboarding").await;
    add_step(&app, &flow, "intro").await;
    add_step(&app, &flow, "document_check").await;
    app.post(&format!("{flow}/publish"), &[]).await;
    let copy = app
        .post(&format!("{flow}/duplicate"), &[])
        .await
        .location
        .expect("copy");
    let page = app.get(&copy).await;
    assert!(page.body.contains("Business onboarding (copy)") && page.body.contains("draft only"));
    assert_eq!(step_count(&app, &copy, 1), 2);

    app.post(&format!("{flow}/archive"), &[]).await.assert_redirect(&flow);
    let archived = app.get(&flow).await.body;
    assert!(
        archived.contains("Archived: unarchive the flow to change it.") && !archived.contains("needs the permission"),
        "an Owner is told why the archived flow is read-only, and it is not a missing permission"
    );
    let list = app.get("/flows").await;
    assert!(!list.body.contains(">Business onboarding</a>"));
    assert!(
        app.get("/flows?archived=1")
            .await
            .body
            .contains(">Business onboarding</a>")
    );
    add_step(&app, &flow, "liveness").await;
    assert!(app.get(&flow).await.body.contains("archived; unarchive it to edit"));
    app.post(&format!("{flow}/unarchive"), &[]).await;
    assert!(
        app.get("/flows?q=onboarding")
            .await
            .body
            .contains(">Business onboarding</a>")
    );
}

fn normalise(mut export: serde_json::Value) -> serde_json::Value {
    // Questionnaire ids differ between installations; compare by position.
    let ids: Vec<String> = export["questionnaires"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|q| q["id"].as_str().unwrap_or_default().to_string())
        .collect();
    let mut text = export.to_string();
    for (i, id) in ids.iter().enumerate() {
        text = text.replace(id, &format!("questionnaire-{i}"));
    }
    export = serde_json::from_str(&text).expect("json");
    export
}

#[actix_web::test]
async fn export_then_import_round_trips_and_import_reports_every_problem() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let questionnaire = create_questionnaire(&app, "Tax residency").await;
    app.post(
        &format!("{questionnaire}/questions"),
        &[("kind", "country"), ("label", "Country of tax residence")],
    )
    .await;
    let q_id = questionnaire.trim_start_matches("/questionnaires/").to_string();
    let flow = create_flow(&app, "Round trip").await;
    add_step(&app, &flow, "intro").await;
    app.post(
        &format!("{flow}/steps"),
        &[("kind", "questionnaire"), ("questionnaire_id", &q_id)],
    )
    .await
    .assert_redirect(&flow);
    add_step(&app, &flow, "final_screen").await;
    app.post(&format!("{flow}/publish"), &[]).await;

    let original = app
        .client
        .get(format!("{}{flow}/export", app.address))
        .send()
        .await
        .expect("export");
    assert!(
        original.headers()["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .contains("flow-round-trip.json")
    );
    let original = original.text().await.expect("body");
    let imported = app.post("/flows/import", &[("json", &original)]).await;
    let copy = imported
        .location
        .clone()
        .unwrap_or_else(|| panic!("imported: {}", imported.body));
    let again = app
        .client
        .get(format!("{}{copy}/export", app.address))
        .send()
        .await
        .expect("export")
        .text()
        .await
        .expect("body");
    let a: serde_json::Value = serde_json::from_str(&original).expect("json");
    let mut b: serde_json::Value = serde_json::from_str(&again).expect("json");
    // Imported next to its original, the flow and its questionnaire take
    // the next free names: flows are told apart by name.
    assert_eq!(b["name"], format!("{} (2)", a["name"].as_str().expect("name")));
    assert_eq!(b["questionnaires"][0]["name"], "Tax residency (2)");
    b["name"] = a["name"].clone();
    b["questionnaires"][0]["name"] = a["questionnaires"][0]["name"].clone();
    assert_ne!(
        a["questionnaires"][0]["id"], b["questionnaires"][0]["id"],
        "the import made its own questionnaire"
    );
    assert_eq!(normalise(a), normalise(b));
    assert!(app.event_kinds().contains(&"flow.imported".to_string()));

    let garbage = app.post("/flows/import", &[("json", "{not json")]).await;
    assert_eq!(garbage.status, 422);
    assert!(garbage.body.contains("not a Veridesk flow export") && garbage.body.contains("{not json"));
    let mut broken: serde_json::Value = serde_json::from_str(&original).expect("json");
    broken["kind"] = "weird".into();
    broken["name"] = "".into();
    broken["definition"]["settings"]["session_minutes"] = 99.into();
    broken["questionnaires"] = serde_json::json!([]);
    let steps = broken["definition"]["steps"].as_array_mut().expect("steps");
    let intro = steps[0].clone();
    steps.push(intro);
    let report = app.post("/flows/import", &[("json", &broken.to_string())]).await;
    assert_eq!(report.status, 422);
    for expected in [
        "Flow kind “weird”",
        "Flow name",
        "Session time must be 5–60",
        "no longer exists",
        "only one Intro",
        "its id is used by another step",
    ] {
        assert!(report.body.contains(expected), "missing {expected}");
    }
}

#[actix_web::test]
async fn publishing_freezes_the_questionnaire_version_it_uses() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let questionnaire = create_questionnaire(&app, "PEP declaration").await;
    app.post(
        &format!("{questionnaire}/questions"),
        &[("kind", "yes_no"), ("label", "Are you a PEP?")],
    )
    .await;
    let q_id = questionnaire.trim_start_matches("/questionnaires/").to_string();
    let flow = create_flow(&app, "With questionnaire").await;
    app.post(
        &format!("{flow}/steps"),
        &[("kind", "questionnaire"), ("questionnaire_id", &q_id)],
    )
    .await;
    app.post(&format!("{flow}/publish"), &[]).await;
    assert!(app.get(&flow).await.body.contains("Version 1 is live"));

    app.post(
        &format!("{questionnaire}/questions"),
        &[("kind", "short_text"), ("label", "Public role")],
    )
    .await;
    let page = app.get(&questionnaire).await;
    assert!(page.body.contains("Version 2"), "the edit went into a new version");
    let preview = app.get(&format!("{flow}/preview?version=1")).await;
    assert!(
        preview.body.contains("Are you a PEP?") && !preview.body.contains("Public role"),
        "the live flow keeps version 1"
    );
    let mut conn = app.pool.get().expect("conn");
    let update =
        diesel::sql_query("UPDATE questionnaire_versions SET definition = '{}'::jsonb WHERE frozen_at IS NOT NULL")
            .execute(&mut conn);
    assert!(update.is_err());
    drop(conn);
    app.post(&format!("{questionnaire}/delete"), &[]).await;
    assert!(
        app.get(&questionnaire)
            .await
            .body
            .contains("is used by the flow(s) With questionnaire")
    );
}

#[actix_web::test]
async fn editing_and_publishing_are_separate_permissions() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Owner).await;
    app.post(
        "/roles",
        &[
            ("name", "Flow editor"),
            ("permissions", "flows.view"),
            ("permissions", "flows.edit"),
        ],
    )
    .await;
    let role: uuid::Uuid = {
        use veridesk::db::schema::roles;
        let mut conn = app.pool.get().expect("conn");
        roles::table
            .filter(roles::name.eq("Flow editor"))
            .select(roles::id)
            .first(&mut conn)
            .expect("role")
    };
    let flow = create_flow(&app, "Four eyes").await;
    add_step(&app, &flow, "intro").await;
    let editor = app.new_client();
    let id = editor.signed_in_as(BuiltinRole::Viewer).await;
    assert_eq!(
        add_step(&editor, &flow, "liveness").await.status,
        403,
        "viewers cannot edit"
    );
    app.post(&format!("/team/members/{id}/role"), &[("role_id", &role.to_string())])
        .await;
    add_step(&editor, &flow, "liveness").await.assert_redirect(&flow);
    assert_eq!(editor.post(&format!("{flow}/publish"), &[]).await.status, 403);
    assert!(!editor.get(&flow).await.body.contains("Publish version"));
    app.post(&format!("{flow}/publish"), &[]).await;
    assert!(app.get(&flow).await.body.contains("Version 1 is live"));
}

async fn upload_logo(app: &TestApp, flow: &str, bytes: &[u8]) -> u16 {
    let token = app.csrf().await;
    let form = reqwest::multipart::Form::new().text("csrf_token", token).part(
        "logo",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("logo.png"),
    );
    app.client
        .post(format!("{}{flow}/logo", app.address))
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .status()
        .as_u16()
}

#[actix_web::test]
async fn a_flow_can_carry_its_own_logo_through_export_and_import() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = create_flow(&app, "Branded").await;
    add_step(&app, &flow, "intro").await;
    assert_eq!(upload_logo(&app, &flow, b"<svg/>").await, 422);
    assert_eq!(upload_logo(&app, &flow, crate::settings::PNG).await, 303);
    let page = app.get(&flow).await;
    let start = page.body.find("/assets/").expect("logo shown");
    let asset = page.body[start..start + "/assets/".len() + 64].to_string();
    let image = app
        .client
        .get(format!("{}{asset}", app.address))
        .send()
        .await
        .expect("asset");
    assert_eq!(image.headers()["content-type"], "image/png");
    assert!(
        image.headers()["cache-control"]
            .to_str()
            .unwrap_or_default()
            .contains("immutable")
    );
    app.post(
        &format!("{flow}/settings"),
        &[
            ("link_expiry_hours", "48"),
            ("session_minutes", "20"),
            ("max_attempts", "5"),
        ],
    )
    .await;
    assert!(
        app.get(&flow).await.body.contains(&asset),
        "saving settings keeps the logo"
    );
    app.post(&format!("{flow}/publish"), &[]).await;

    let export = app
        .client
        .get(format!("{}{flow}/export", app.address))
        .send()
        .await
        .expect("export")
        .text()
        .await
        .expect("body");
    assert!(export.contains("\"assets\""));
    let copy = app
        .post("/flows/import", &[("json", &export)])
        .await
        .location
        .expect("imported");
    assert!(app.get(&copy).await.body.contains(&asset));
    let mut tampered: serde_json::Value = serde_json::from_str(&export).expect("json");
    tampered["assets"][0]["base64"] = "aGVsbG8=".into();
    let refused = app.post("/flows/import", &[("json", &tampered.to_string())]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("does not match its sha256"));
}

#[actix_web::test]
async fn a_refused_rename_keeps_what_was_typed() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = create_flow(&app, "Named").await;
    let long = "x".repeat(121);
    let refused = app.post(&format!("{flow}/rename"), &[("name", &long)]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains(&long) && refused.body.contains("120 characters"));
    let multibyte = format!("a{}", "日".repeat(119));
    app.post(&format!("{flow}/rename"), &[("name", &multibyte)])
        .await
        .assert_redirect(&flow);
    let copy = app.post(&format!("{flow}/duplicate"), &[]).await;
    assert_eq!(
        copy.status, 303,
        "duplicating a long multibyte name works: {}",
        copy.body
    );
}

/// Flows and questionnaires are told apart by name, regardless of case:
/// a name given twice is refused with what was typed; copies take the
/// next free name.
#[actix_web::test]
async fn flow_and_questionnaire_names_are_unique() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let first = create_flow(&app, "Retail onboarding").await;
    let twice = app
        .post("/flows", &[("name", "retail ONBOARDING"), ("kind", "regular")])
        .await;
    assert_eq!(twice.status, 422);
    assert!(
        twice.body.contains("Another flow already has this name") && twice.body.contains("value=\"retail ONBOARDING\"")
    );
    let second = create_flow(&app, "Business onboarding").await;
    let renamed = app
        .post(&format!("{second}/rename"), &[("name", "Retail Onboarding")])
        .await;
    assert_eq!(renamed.status, 422);
    assert!(
        renamed.body.contains("Another flow already has this name")
            && renamed.body.contains("value=\"Retail Onboarding\"")
    );
    app.post(&format!("{first}/rename"), &[("name", "Retail Onboarding")])
        .await
        .assert_redirect(&first);
    // Case in every script, and spaces that only look alike.
    create_flow(&app, "Évaluation clients").await;
    for twin in ["évaluation CLIENTS", "Évaluation\u{a0}  clients"] {
        let refused = app.post("/flows", &[("name", twin), ("kind", "regular")]).await;
        assert_eq!(refused.status, 422, "{twin}");
        assert!(refused.body.contains("Another flow already has this name"), "{twin}");
    }
    for expected in ["Retail Onboarding (copy)", "Retail Onboarding (copy) (2)"] {
        let copy = app.post(&format!("{first}/duplicate"), &[]).await;
        let page = app.get(copy.location.as_deref().expect("the copy")).await;
        assert!(page.body.contains(expected), "{expected}");
    }

    let q = app.post("/questionnaires", &[("name", "Source of funds")]).await;
    let q = q.location.expect("questionnaire");
    let twice = app.post("/questionnaires", &[("name", "source of funds")]).await;
    assert_eq!(twice.status, 422);
    assert!(twice.body.contains("Another questionnaire already has this name"));
    let other = app.post("/questionnaires", &[("name", "Tax residency")]).await;
    let other = other.location.expect("questionnaire");
    let renamed = app
        .post(&format!("{other}/rename"), &[("name", "Source of Funds")])
        .await;
    assert_eq!(renamed.status, 422);
    assert!(
        renamed.body.contains("Another questionnaire already has this name")
            && renamed.body.contains("value=\"Source of Funds\"")
    );
    let copy = app.post(&format!("{q}/duplicate"), &[]).await;
    assert!(
        app.get(copy.location.as_deref().expect("copy"))
            .await
            .body
            .contains("Source of funds (copy)")
    );
}

/// Names saved before the forms composed them (NFC) are composed by
/// migration 21; one whose composed form is taken gets a number.
#[actix_web::test]
async fn names_saved_decomposed_are_composed_by_the_migration() {
    use diesel::connection::SimpleConnection as _;
    let app = spawn_app().await;
    let owner = app.signed_in_as(BuiltinRole::Owner).await;
    let mut conn = app.pool.get().expect("conn");
    let now = app.clock.now();
    let create = |conn: &mut diesel::PgConnection, name: &str| {
        veridesk::flows::queries::create(conn, name, "regular", &Default::default(), owner, now).expect("flow")
    };
    let decomposed = "E\u{301}valuation clients";
    let composed = "\u{c9}valuation clients";
    let alone = create(&mut conn, "Re\u{301}sidents");
    create(&mut conn, composed);
    let twin = create(&mut conn, decomposed);
    // U+0958 composes to two characters (a composition exclusion): 120 of
    // them would no longer fit the 120 a name may have.
    let longer = create(&mut conn, &"\u{958}".repeat(120));
    conn.batch_execute(include_str!("../../migrations/2026-11-23-000021_names_composed/up.sql"))
        .expect("migration");
    let name_of = |conn: &mut diesel::PgConnection, id: uuid::Uuid| {
        veridesk::flows::queries::find(conn, id).expect("flow").flow.name
    };
    assert_eq!(name_of(&mut conn, alone), "R\u{e9}sidents");
    assert_eq!(name_of(&mut conn, twin), format!("{composed} (2)"));
    assert_eq!(
        name_of(&mut conn, longer),
        "\u{915}\u{93c}".repeat(60),
        "composed, then cut to 120"
    );
    drop(conn);
    let list = app.get("/flows").await.body;
    assert!(list.contains(composed) && list.contains(&format!("{composed} (2)")) && !list.contains(decomposed));
}
