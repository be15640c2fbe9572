//! The permission matrix: every back-office route, for every built-in role
//! and for a signed-out visitor.

use crate::helpers::spawn_app;
use veridesk::auth::permissions::{BuiltinRole, Permission};

/// Who may use a route.
#[derive(Clone, Copy, Debug)]
enum Needs {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in member.
    SignedIn,
    /// A member whose role has this permission.
    Has(Permission),
}

#[actix_web::test]
async fn every_route_checks_its_permission_on_the_server() {
    let app = spawn_app().await;
    let owner = app.create_member(BuiltinRole::Owner, "boss@example.test");
    let viewer_role = {
        let mut conn = app.pool.get().expect("conn");
        veridesk::roles::queries::builtin_role_id(&mut conn, BuiltinRole::Viewer).expect("role")
    };
    let nobody = uuid::Uuid::new_v4();
    let questionnaire = {
        let mut conn = app.pool.get().expect("conn");
        veridesk::questionnaires::queries::create(&mut conn, "Matrix", &Default::default(), owner, app.clock.now())
            .expect("questionnaire")
    };
    use Needs::*;
    use Permission as P;
    let flow = {
        let mut conn = app.pool.get().expect("conn");
        veridesk::flows::queries::create(
            &mut conn,
            "Matrix flow",
            "regular",
            &Default::default(),
            owner,
            app.clock.now(),
        )
        .expect("flow")
    };
    let routes: Vec<(&str, String, Needs)> = vec![
        ("GET", "/applicants".into(), Has(P::ApplicantsView)),
        ("GET", "/applicants/new".into(), Has(P::ApplicantsCreate)),
        ("POST", "/applicants".into(), Has(P::ApplicantsCreate)),
        ("GET", format!("/applicants/{nobody}"), Has(P::ApplicantsView)),
        ("GET", format!("/applicants/{nobody}/timeline"), Has(P::ApplicantsView)),
        ("GET", format!("/applicants/{nobody}/edit"), Has(P::ApplicantsCreate)),
        ("POST", format!("/applicants/{nobody}"), Has(P::ApplicantsCreate)),
        (
            "GET",
            format!("/applicants/{nobody}/sessions/new"),
            Has(P::ApplicantsSendLinks),
        ),
        (
            "POST",
            format!("/applicants/{nobody}/sessions"),
            Has(P::ApplicantsSendLinks),
        ),
        (
            "GET",
            format!("/applicants/{nobody}/emails/{nobody}"),
            Has(P::ApplicantsView),
        ),
        ("GET", "/v/unknown-token".into(), Public),
        ("POST", "/v/unknown-token".into(), Public),
        ("GET", "/brand/colour/2f5bea.css".into(), Public),
        (
            "POST",
            format!("/applicants/{nobody}/links"),
            Has(P::ApplicantsSendLinks),
        ),
        ("POST", format!("/applicants/{nobody}/flow"), Has(P::ApplicantsReview)),
        ("POST", format!("/applicants/{nobody}/reset"), Has(P::ApplicantsReview)),
        (
            "POST",
            format!("/applicants/{nobody}/request-info"),
            Has(P::ApplicantsSendLinks),
        ),
        (
            "POST",
            format!("/applicants/{nobody}/results/{nobody}/resolve"),
            Has(P::ApplicantsReview),
        ),
        (
            "POST",
            format!("/applicants/{nobody}/results/{nobody}/deactivate"),
            Has(P::ApplicantsReview),
        ),
        (
            "POST",
            format!("/applicants/{nobody}/results/{nobody}/reactivate"),
            Has(P::ApplicantsReview),
        ),
        (
            "POST",
            format!("/applicants/{nobody}/reviewer"),
            Has(P::ApplicantsReview),
        ),
        (
            "POST",
            format!("/applicants/{nobody}/approve"),
            Has(P::ApplicantsReview),
        ),
        ("POST", format!("/applicants/{nobody}/reject"), Has(P::ApplicantsReview)),
        ("POST", format!("/applicants/{nobody}/take"), Has(P::ApplicantsReview)),
        (
            "POST",
            format!("/applicants/{nobody}/comments"),
            Has(P::ApplicantsReview),
        ),
        (
            "POST",
            format!("/applicants/{nobody}/deletion"),
            Has(P::ApplicantsDelete),
        ),
        (
            "POST",
            format!("/applicants/{nobody}/restore"),
            Has(P::ApplicantsDelete),
        ),
        ("GET", "/email-templates".into(), Has(P::EmailTemplatesManage)),
        ("GET", "/email-templates/new".into(), Has(P::EmailTemplatesManage)),
        ("POST", "/email-templates".into(), Has(P::EmailTemplatesManage)),
        (
            "GET",
            format!("/email-templates/{nobody}"),
            Has(P::EmailTemplatesManage),
        ),
        (
            "POST",
            format!("/email-templates/{nobody}"),
            Has(P::EmailTemplatesManage),
        ),
        (
            "POST",
            format!("/email-templates/{nobody}/delete"),
            Has(P::EmailTemplatesManage),
        ),
        ("GET", "/flows".into(), Has(P::FlowsView)),
        ("POST", "/flows".into(), Has(P::FlowsEdit)),
        ("GET", "/flows/import".into(), Has(P::FlowsEdit)),
        ("POST", "/flows/import".into(), Has(P::FlowsEdit)),
        ("GET", format!("/flows/{flow}"), Has(P::FlowsView)),
        ("GET", format!("/flows/{flow}/versions"), Has(P::FlowsView)),
        ("GET", format!("/flows/{flow}/preview"), Has(P::FlowsView)),
        ("GET", format!("/flows/{flow}/export"), Has(P::FlowsView)),
        ("GET", format!("/flows/{flow}/steps/{nobody}"), Has(P::FlowsView)),
        ("POST", format!("/flows/{nobody}/rename"), Has(P::FlowsEdit)),
        ("POST", format!("/flows/{nobody}/duplicate"), Has(P::FlowsEdit)),
        ("POST", format!("/flows/{nobody}/archive"), Has(P::FlowsEdit)),
        ("POST", format!("/flows/{nobody}/unarchive"), Has(P::FlowsEdit)),
        ("POST", format!("/flows/{flow}/settings"), Has(P::FlowsEdit)),
        ("POST", format!("/flows/{flow}/logo"), Has(P::FlowsEdit)),
        ("POST", format!("/flows/{nobody}/logo/delete"), Has(P::FlowsEdit)),
        ("GET", format!("/assets/{}", "0".repeat(64)), Public),
        ("POST", format!("/flows/{flow}/steps"), Has(P::FlowsEdit)),
        ("POST", format!("/flows/{flow}/steps/{nobody}"), Has(P::FlowsEdit)),
        (
            "POST",
            format!("/flows/{nobody}/steps/{nobody}/move"),
            Has(P::FlowsEdit),
        ),
        (
            "POST",
            format!("/flows/{nobody}/steps/{nobody}/delete"),
            Has(P::FlowsEdit),
        ),
        ("POST", format!("/flows/{nobody}/publish"), Has(P::FlowsPublish)),
        ("POST", format!("/flows/{nobody}/discard"), Has(P::FlowsEdit)),
        ("GET", "/health".into(), Public),
        ("GET", "/sign-in".into(), Public),
        ("GET", "/forgot-password".into(), Public),
        ("GET", "/".into(), SignedIn),
        ("GET", "/account".into(), SignedIn),
        ("POST", "/account".into(), SignedIn),
        ("POST", "/account/password".into(), SignedIn),
        ("GET", "/team".into(), Has(P::TeamView)),
        ("GET", format!("/team/members/{owner}"), Has(P::TeamView)),
        ("POST", "/team/invitations".into(), Has(P::TeamInvite)),
        ("POST", format!("/team/members/{nobody}/resend"), Has(P::TeamInvite)),
        ("POST", format!("/team/members/{nobody}/revoke"), Has(P::TeamInvite)),
        ("POST", format!("/team/members/{nobody}/role"), Has(P::TeamManage)),
        ("POST", format!("/team/members/{nobody}/deactivate"), Has(P::TeamManage)),
        ("POST", format!("/team/members/{nobody}/reactivate"), Has(P::TeamManage)),
        ("GET", "/roles".into(), Has(P::RolesView)),
        ("GET", format!("/roles/{viewer_role}"), Has(P::RolesView)),
        ("GET", "/roles/new".into(), Has(P::RolesManage)),
        ("POST", "/roles".into(), Has(P::RolesManage)),
        ("POST", format!("/roles/{nobody}"), Has(P::RolesManage)),
        ("POST", format!("/roles/{nobody}/delete"), Has(P::RolesManage)),
        ("GET", "/settings/company".into(), Has(P::SettingsManage)),
        ("POST", "/settings/company".into(), Has(P::SettingsManage)),
        ("POST", "/settings/company/logo".into(), Has(P::SettingsManage)),
        ("POST", "/settings/company/logo/delete".into(), Has(P::SettingsManage)),
        ("GET", "/audit".into(), Has(P::AuditView)),
        ("GET", "/outbox".into(), Has(P::OutboxView)),
        ("GET", format!("/outbox/{nobody}"), Has(P::OutboxView)),
        ("GET", "/questionnaires".into(), Has(P::FlowsView)),
        ("POST", "/questionnaires".into(), Has(P::FlowsEdit)),
        ("GET", format!("/questionnaires/{questionnaire}"), Has(P::FlowsView)),
        (
            "GET",
            format!("/questionnaires/{questionnaire}/preview"),
            Has(P::FlowsView),
        ),
        (
            "POST",
            format!("/questionnaires/{questionnaire}/preview"),
            Has(P::FlowsView),
        ),
        (
            "GET",
            format!("/questionnaires/{questionnaire}/questions/none"),
            Has(P::FlowsView),
        ),
        ("POST", format!("/questionnaires/{nobody}/rename"), Has(P::FlowsEdit)),
        ("POST", format!("/questionnaires/{nobody}/duplicate"), Has(P::FlowsEdit)),
        ("POST", format!("/questionnaires/{nobody}/delete"), Has(P::FlowsEdit)),
        (
            "POST",
            format!("/questionnaires/{questionnaire}/questions"),
            Has(P::FlowsEdit),
        ),
        (
            "POST",
            format!("/questionnaires/{nobody}/questions/none"),
            Has(P::FlowsEdit),
        ),
        (
            "POST",
            format!("/questionnaires/{nobody}/questions/none/move"),
            Has(P::FlowsEdit),
        ),
        (
            "POST",
            format!("/questionnaires/{nobody}/questions/none/delete"),
            Has(P::FlowsEdit),
        ),
    ];

    let mut failures = Vec::new();
    let visitors: Vec<(Option<BuiltinRole>, crate::helpers::TestApp)> = {
        let mut all = vec![(None, app.new_client())];
        for role in BuiltinRole::ALL {
            let client = app.new_client();
            client.signed_in_as(role).await;
            all.push((Some(role), client));
        }
        all
    };
    for (role, client) in &visitors {
        let token = match role {
            Some(_) => client.csrf().await,
            None => String::new(),
        };
        for (method, path, needs) in &routes {
            let page = if *method == "GET" {
                client.get(path).await
            } else {
                client.post_raw(path, &[("csrf_token", token.as_str())]).await
            };
            let to_sign_in = page.status == 303 && page.location.as_deref().is_some_and(|l| l.starts_with("/sign-in"));
            let allowed = match (needs, role) {
                (Public, _) => true,
                (SignedIn, r) => r.is_some(),
                (Has(p), Some(r)) => r.permissions().allows(*p),
                (Has(_), None) => false,
            };
            let ok = match (allowed, role) {
                (true, _) => page.status != 403 && !to_sign_in && page.status < 500,
                (false, None) => to_sign_in,
                (false, Some(_)) => page.status == 403,
            };
            if !ok {
                failures.push(format!(
                    "{role:?} {method} {path} -> {} {:?}",
                    page.status, page.location
                ));
            }
        }
    }

    // Built-in roles grant some permissions only together, so a route that
    // checked the wrong one of them would pass above. A role with every
    // permission but one must be refused each route that needs that one.
    let mut needed: Vec<Permission> = routes
        .iter()
        .filter_map(|(_, _, needs)| match needs {
            Has(p) => Some(*p),
            _ => None,
        })
        .collect();
    needed.sort_by_key(|p| p.code());
    needed.dedup();
    for missing in needed {
        let email = format!("all-but-{}@example.test", missing.code().replace('.', "-"));
        {
            use veridesk::domain::{EmailAddress, PersonName};
            let mut conn = app.pool.get().expect("conn");
            let others = Permission::ALL
                .iter()
                .filter(|p| **p != missing)
                .map(|p| p.code().to_string())
                .collect();
            let role = veridesk::roles::queries::create_role(&mut conn, &email, "test", others, app.clock.now())
                .expect("role");
            veridesk::team::queries::create_active_member(
                &mut conn,
                &EmailAddress::parse(&email).expect("email"),
                &PersonName::parse("Test All But One").expect("name"),
                &crate::helpers::password_hash(),
                role,
                app.clock.now(),
            )
            .expect("member");
        }
        let client = app.new_client();
        client
            .sign_in(&email, crate::helpers::PASSWORD)
            .await
            .assert_redirect("/");
        let token = client.csrf().await;
        for (method, path, needs) in &routes {
            if !matches!(needs, Has(p) if *p == missing) {
                continue;
            }
            let page = if *method == "GET" {
                client.get(path).await
            } else {
                client.post_raw(path, &[("csrf_token", token.as_str())]).await
            };
            if page.status != 403 {
                failures.push(format!("all but {} {method} {path} -> {}", missing.code(), page.status));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "permission matrix violations:\n{}",
        failures.join("\n")
    );
}

/// Built-in roles grant the applicant permissions together, so the matrix
/// alone cannot tell which one a route checks. A custom role that may send
/// links but not view applicants must not reach the pages that show them.
#[actix_web::test]
async fn sending_links_also_needs_seeing_applicants() {
    use veridesk::domain::{EmailAddress, PersonName};
    let app = spawn_app().await;
    let applicant = crate::applicants::insert_applicant(&app, "Ana Lima", "ANA-1", "INIT", 5);
    let member_with = |codes: &[Permission], email: &str| {
        let mut conn = app.pool.get().expect("conn");
        let role = veridesk::roles::queries::create_role(
            &mut conn,
            email,
            "test",
            codes.iter().map(|p| p.code().to_string()).collect(),
            app.clock.now(),
        )
        .expect("role");
        veridesk::team::queries::create_active_member(
            &mut conn,
            &EmailAddress::parse(email).expect("email"),
            &PersonName::parse("Test Sender").expect("name"),
            &crate::helpers::password_hash(),
            role,
            app.clock.now(),
        )
        .expect("member")
    };
    member_with(&[Permission::ApplicantsSendLinks], "sender@example.test");
    member_with(
        &[Permission::ApplicantsSendLinks, Permission::ApplicantsView],
        "viewer-sender@example.test",
    );

    app.sign_in("sender@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    let form = app.get(&format!("/applicants/{applicant}/sessions/new")).await;
    assert_eq!(form.status, 403);
    assert!(!form.body.contains("Ana Lima"));
    assert_eq!(
        app.post(&format!("/applicants/{applicant}/sessions"), &[]).await.status,
        403
    );
    assert_eq!(
        app.post(&format!("/applicants/{applicant}/links"), &[]).await.status,
        403
    );

    let other = app.new_client();
    other
        .sign_in("viewer-sender@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    let form = other.get(&format!("/applicants/{applicant}/sessions/new")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Ana Lima"));

    // Changing flows or the team needs seeing them: a role saved before
    // that rule (or written by hand) gets no further than a 403.
    member_with(&[Permission::FlowsEdit, Permission::TeamInvite], "blind@example.test");
    let author = app.create_member(BuiltinRole::Owner, "flow-author@example.test");
    let flow = {
        let mut conn = app.pool.get().expect("conn");
        veridesk::flows::queries::create(
            &mut conn,
            "Blind spot",
            "regular",
            &Default::default(),
            author,
            app.clock.now(),
        )
        .expect("flow")
    };
    let blind = app.new_client();
    blind
        .sign_in("blind@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    assert_eq!(
        blind
            .post(&format!("/flows/{flow}/rename"), &[("name", "Renamed")])
            .await
            .status,
        403
    );
    assert_eq!(
        blind.post(&format!("/team/members/{flow}/revoke"), &[]).await.status,
        403
    );

    // A reviewer must see what they review: not offered otherwise.
    let blind_reviewer = member_with(&[Permission::ApplicantsReview], "blind-reviewer@example.test");
    let seeing_reviewer = member_with(
        &[Permission::ApplicantsReview, Permission::ApplicantsView],
        "reviewer@example.test",
    );
    {
        let mut conn = app.pool.get().expect("conn");
        let reviewers: Vec<uuid::Uuid> = veridesk::applicants::queries::reviewers(&mut conn)
            .expect("reviewers")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert!(reviewers.contains(&seeing_reviewer) && !reviewers.contains(&blind_reviewer));
    }

    // Editing shows the applicant's details: it needs seeing them too.
    member_with(&[Permission::ApplicantsCreate], "creator@example.test");
    let creator = app.new_client();
    creator
        .sign_in("creator@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    let form = creator.get(&format!("/applicants/{applicant}/edit")).await;
    assert_eq!(form.status, 403);
    assert!(!form.body.contains("Ana Lima"));
    assert_eq!(creator.post(&format!("/applicants/{applicant}"), &[]).await.status, 403);
}
