//! Questionnaire builder over HTTP.

use crate::helpers::{TestApp, spawn_app};
use veridesk::auth::permissions::BuiltinRole;

/// Creates a questionnaire and returns its editor path.
pub async fn create_questionnaire(app: &TestApp, name: &str) -> String {
    let created = app.post("/questionnaires", &[("name", name)]).await;
    assert_eq!(created.status, 303, "{}", created.body);
    created.location.expect("editor location")
}

#[actix_web::test]
async fn build_a_questionnaire_with_a_show_if_rule_and_preview_it() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let bad = app.post("/questionnaires", &[("name", "  ")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Give it a name."));
    let editor = create_questionnaire(&app, "Source of funds").await;

    app.post(
        &format!("{editor}/questions"),
        &[("kind", "yes_no"), ("label", "Are you a PEP?")],
    )
    .await
    .assert_redirect(&format!("{editor}/questions/are_you_a_pep"));
    app.post(
        &format!("{editor}/questions"),
        &[("kind", "short_text"), ("label", "Public role")],
    )
    .await;
    let no_type = app
        .post(&format!("{editor}/questions"), &[("kind", "hologram"), ("label", "x")])
        .await;
    assert_eq!(no_type.status, 422);

    let role = format!("{editor}/questions/public_role");
    let fields = |values: &'static str| {
        vec![
            ("id", "public_role"),
            ("label", "Public role"),
            ("help", "Your role"),
            ("required", "on"),
            ("show_if_question", "are_you_a_pep"),
            ("show_if_values", values),
        ]
    };
    let wrong = app.post(&role, &fields("maybe")).await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("“maybe” is not an answer"));
    assert!(wrong.body.contains("Your role"), "what was typed comes back");
    app.post(&role, &fields("yes")).await.assert_redirect(&editor);
    let page = app.get(&editor).await;
    assert!(page.body.contains("when are_you_a_pep is yes"));

    // A question cannot move above the one it depends on.
    app.post(&format!("{role}/move"), &[("direction", "up")]).await;
    assert!(app.get(&editor).await.body.contains("Cannot move it there"));
    // Nor can its driver be removed.
    app.post(&format!("{editor}/questions/are_you_a_pep/delete"), &[]).await;
    assert!(app.get(&editor).await.body.contains("depend on this question"));

    let preview = format!("{editor}/preview");
    assert_eq!(app.get(&preview).await.status, 200);
    let hidden = app
        .post(&preview, &[("a.are_you_a_pep", "no"), ("a.public_role", "Minister")])
        .await;
    assert_eq!(hidden.status, 200, "{}", hidden.body);
    assert!(hidden.body.contains("would be accepted") && !hidden.body.contains("Minister</li>"));
    let missing = app.post(&preview, &[("a.are_you_a_pep", "yes")]).await;
    assert_eq!(missing.status, 422);
    assert!(missing.body.contains("This question needs an answer."));
    assert!(app.event_kinds().contains(&"questionnaire.edited".to_string()));
}

#[actix_web::test]
async fn duplicate_and_delete_questionnaires() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Admin).await;
    let editor = create_questionnaire(&app, "Company details").await;
    app.post(
        &format!("{editor}/questions"),
        &[("kind", "country"), ("label", "Country of incorporation")],
    )
    .await;
    let copy = app.post(&format!("{editor}/duplicate"), &[]).await;
    let copy_path = copy.location.expect("copy");
    let page = app.get(&copy_path).await;
    assert!(page.body.contains("Company details (copy)") && page.body.contains("Country of incorporation"));
    app.post(&format!("{copy_path}/delete"), &[])
        .await
        .assert_redirect("/questionnaires");
    let list = app.get("/questionnaires?q=company").await;
    assert!(list.body.contains(">Company details</a>") && !list.body.contains(">Company details (copy)</a>"));
    assert_eq!(app.get(&copy_path).await.status, 404);
}
