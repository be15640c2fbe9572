//! Team: invitations end to end, resend/revoke, roles, deactivation, last Owner.

use crate::helpers::{TestApp, csrf_in, spawn_app};
use veridesk::auth::permissions::BuiltinRole;

fn role_id(app: &TestApp, role: BuiltinRole) -> String {
    let mut conn = app.pool.get().expect("conn");
    veridesk::roles::queries::builtin_role_id(&mut conn, role)
        .expect("role")
        .to_string()
}

fn member_id(app: &TestApp, email: &str) -> String {
    let mut conn = app.pool.get().expect("conn");
    veridesk::team::queries::find_by_email(&mut conn, email)
        .expect("query")
        .expect("member")
        .id
        .to_string()
}

#[actix_web::test]
async fn invitation_end_to_end() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Owner).await;
    let officer = role_id(&app, BuiltinRole::ComplianceOfficer);
    let sent = app
        .post(
            "/team/invitations",
            &[("email", "Nina@Example.test"), ("role_id", &officer)],
        )
        .await;
    sent.assert_redirect("/team");
    let team = app.get("/team").await;
    assert!(team.body.contains("Invitation sent to nina@example.test"));
    assert!(team.body.contains("badge-invited"));

    let email = app.email_to("nina@example.test", "invited you").await;
    assert!(email.from_header.contains("veridesk@example.test") && email.from.contains("veridesk@example.test"));
    assert!(email.text.contains("Compliance officer"));
    assert!(email.html.contains("Accept the invitation"));
    let link = email.link(&format!("{}/invitations/", app.address));

    let nina = app.new_client();
    let path = link.trim_start_matches(&app.address).to_string();
    let form = nina.get(&path).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("nina@example.test"));
    let token = csrf_in(&form.body);
    let bad = nina
        .post_raw(
            &path,
            &[
                ("name", "Nina Petrova"),
                ("password", "nina@example.test"),
                ("password_confirmation", "x"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("value=\"Nina Petrova\""));
    assert!(bad.body.contains("not the same"));
    let password = "nina's own long passphrase";
    nina.post_raw(
        &path,
        &[
            ("name", "Nina Petrova"),
            ("password", password),
            ("password_confirmation", password),
            ("csrf_token", &token),
        ],
    )
    .await
    .assert_redirect("/sign-in");
    let again = nina.get(&path).await;
    assert_eq!(again.status, 410, "an invitation works once");
    assert!(
        again.body.contains("This invitation was accepted") && again.body.contains("sign in"),
        "opened again, it says to sign in"
    );

    nina.sign_in("nina@example.test", password).await.assert_redirect("/");
    let home = nina.get("/").await;
    assert!(home.body.contains("Nina Petrova") && home.body.contains("Compliance officer"));
    assert_eq!(nina.get("/team").await.status, 200);
    assert_eq!(nina.get("/roles").await.status, 403, "officers cannot see roles");
    let team = app.get("/team").await;
    assert!(team.body.contains("Nina Petrova") && team.body.contains("badge-active"));
    let kinds = app.event_kinds();
    assert!(kinds.contains(&"invitation.sent".to_string()) && kinds.contains(&"invitation.accepted".to_string()));
}

#[actix_web::test]
async fn invitation_form_errors_keep_what_was_typed() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Admin).await;
    let viewer = role_id(&app, BuiltinRole::Viewer);
    let bad = app
        .post("/team/invitations", &[("email", "not an email"), ("role_id", &viewer)])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("is not a valid email address"));
    assert!(bad.body.contains("value=\"not an email\""));
    let no_role = app
        .post("/team/invitations", &[("email", "a@example.test"), ("role_id", "")])
        .await;
    assert_eq!(no_role.status, 422);
    assert!(no_role.body.contains("Choose a role."));
    let garbage = app
        .post(
            "/team/invitations",
            &[
                ("email", "a@example.test"),
                ("role_id", "00000000-0000-0000-0000-000000000000"),
            ],
        )
        .await;
    assert_eq!(garbage.status, 422);
    assert!(garbage.body.contains("no longer exists"));
    let owner = role_id(&app, BuiltinRole::Owner);
    let not_owner = app
        .post("/team/invitations", &[("email", "a@example.test"), ("role_id", &owner)])
        .await;
    assert_eq!(not_owner.status, 422);
    assert!(not_owner.body.contains("Only an Owner"));
    let duplicate = app
        .post(
            "/team/invitations",
            &[("email", "admin@example.test"), ("role_id", &viewer)],
        )
        .await;
    assert_eq!(duplicate.status, 422);
    assert!(duplicate.body.contains("already a member"));
}

#[actix_web::test]
async fn resend_replaces_the_link_and_revoke_kills_it() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Owner).await;
    let viewer = role_id(&app, BuiltinRole::Viewer);
    app.post(
        "/team/invitations",
        &[("email", "sam@example.test"), ("role_id", &viewer)],
    )
    .await
    .assert_redirect("/team");
    let first = app.email_to("sam@example.test", "invited you").await.link(&app.address);
    let id = member_id(&app, "sam@example.test");
    let page = app.get(&format!("/team/members/{id}")).await;
    assert!(
        page.body.contains(r#"name="sent" value="1""#),
        "the resend form carries the count"
    );
    app.post(&format!("/team/members/{id}/resend"), &[("sent", "1")])
        .await
        .assert_redirect(&format!("/team/members/{id}"));
    // The same click posted twice sends nothing more: a second email would
    // replace the link of the first.
    app.post(&format!("/team/members/{id}/resend"), &[("sent", "1")])
        .await
        .assert_redirect(&format!("/team/members/{id}"));
    assert!(
        app.get(&format!("/team/members/{id}"))
            .await
            .body
            .contains("already sent again to sam@example.test"),
        "the second click is told it was done"
    );
    assert_eq!(
        app.event_kinds().iter().filter(|k| *k == "invitation.resent").count(),
        1,
        "one resend"
    );
    let all: Vec<String> = crate::helpers::eventually("both invitation emails", async || {
        let links: Vec<String> = app
            .smtp
            .all()
            .iter()
            .filter(|e| e.to.contains(&"sam@example.test".to_string()))
            .map(|e| e.link(&app.address))
            .collect();
        if links.len() == 2 {
            Ok(links)
        } else {
            Err(format!("{links:?}"))
        }
    })
    .await;
    let second = all.iter().find(|l| **l != first).expect("a new link").clone();
    assert_eq!(
        app.get(first.trim_start_matches(&app.address)).await.status,
        410,
        "the old link stops working"
    );
    assert_eq!(
        app.new_client()
            .get(second.trim_start_matches(&app.address))
            .await
            .status,
        200
    );

    let dup = app
        .post(
            "/team/invitations",
            &[("email", "sam@example.test"), ("role_id", &viewer)],
        )
        .await;
    assert!(dup.body.contains("already invited"));
    app.post(&format!("/team/members/{id}/revoke"), &[])
        .await
        .assert_redirect("/team");
    assert_eq!(
        app.new_client()
            .get(second.trim_start_matches(&app.address))
            .await
            .status,
        410
    );
    let team = app.get("/team").await;
    assert!(team.body.contains("Invitation to sam@example.test revoked"));
    app.post(&format!("/team/members/{id}/revoke"), &[])
        .await
        .assert_redirect("/team");
    assert!(
        app.get("/team").await.body.contains("already revoked"),
        "a second revoke says so, not a missing page"
    );
    assert!(
        !team.body.contains("badge-invited"),
        "the invited member is gone from the list"
    );
    assert!(app.event_kinds().contains(&"invitation.revoked".to_string()));
}

#[actix_web::test]
async fn invitations_expire_after_seven_days() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Owner).await;
    let viewer = role_id(&app, BuiltinRole::Viewer);
    app.post(
        "/team/invitations",
        &[("email", "late@example.test"), ("role_id", &viewer)],
    )
    .await;
    let link = app
        .email_to("late@example.test", "invited you")
        .await
        .link(&app.address);
    app.advance(chrono::Duration::days(7) + chrono::Duration::minutes(1));
    assert_eq!(
        app.new_client().get(link.trim_start_matches(&app.address)).await.status,
        410
    );
}

#[actix_web::test]
async fn deactivating_a_member_ends_their_open_session() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Owner).await;
    let victor = app.new_client();
    victor.signed_in_as(BuiltinRole::Viewer).await;
    assert_eq!(victor.get("/team").await.status, 200);

    let id = member_id(&app, "viewer@example.test");
    let done = app.post(&format!("/team/members/{id}/deactivate"), &[]).await;
    done.assert_redirect(&format!("/team/members/{id}"));
    assert!(
        app.get(&format!("/team/members/{id}"))
            .await
            .body
            .contains("signed out everywhere")
    );

    victor.get("/team").await.assert_redirect("/sign-in");
    assert_eq!(
        victor
            .sign_in("viewer@example.test", crate::helpers::PASSWORD)
            .await
            .status,
        401
    );

    app.post(&format!("/team/members/{id}/reactivate"), &[]).await;
    victor
        .sign_in("viewer@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
}

#[actix_web::test]
async fn the_last_owner_can_be_neither_demoted_nor_deactivated() {
    let app = spawn_app().await;
    let me = app.signed_in_as(BuiltinRole::Owner).await.to_string();
    let admin_role = role_id(&app, BuiltinRole::Admin);
    app.post(&format!("/team/members/{me}/role"), &[("role_id", &admin_role)])
        .await;
    let page = app.get(&format!("/team/members/{me}")).await;
    assert!(page.body.contains("last active Owner"), "{}", page.body);
    assert!(app.get("/").await.body.contains("Owner"));

    // An admin cannot touch the owner at all.
    let adam = app.new_client();
    adam.signed_in_as(BuiltinRole::Admin).await;
    assert!(
        adam.get(&format!("/team/members/{me}"))
            .await
            .body
            .contains("Only an Owner can change the role or access of an Owner."),
        "the owner's page says why there is nothing to change"
    );
    adam.post(&format!("/team/members/{me}/deactivate"), &[]).await;
    assert!(
        adam.get(&format!("/team/members/{me}"))
            .await
            .body
            .contains("Only an Owner")
    );
    let viewer_role = role_id(&app, BuiltinRole::Viewer);
    adam.post(&format!("/team/members/{me}/role"), &[("role_id", &viewer_role)])
        .await;
    assert!(
        adam.get(&format!("/team/members/{me}"))
            .await
            .body
            .contains("Only an Owner")
    );

    // With a second owner, the first can step down.
    let second = app.create_member(BuiltinRole::Owner, "second@example.test");
    app.post(&format!("/team/members/{me}/role"), &[("role_id", &admin_role)])
        .await;
    assert!(
        app.get(&format!("/team/members/{me}"))
            .await
            .body
            .contains("is now Admin")
    );
    // Now the second is the last owner; the (admin) first cannot deactivate them.
    app.post(&format!("/team/members/{second}/deactivate"), &[]).await;
    let page = app.get(&format!("/team/members/{second}")).await;
    assert!(page.body.contains("Only an Owner"), "{}", page.body);
}

#[actix_web::test]
async fn role_changes_apply_on_the_next_request() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Admin).await;
    let vic = app.new_client();
    let id = vic.signed_in_as(BuiltinRole::Viewer).await;
    assert_eq!(vic.get("/audit").await.status, 403);
    let admin_role = role_id(&app, BuiltinRole::Admin);
    app.post(&format!("/team/members/{id}/role"), &[("role_id", &admin_role)])
        .await;
    assert_eq!(vic.get("/audit").await.status, 200);
    let audit = app.get("/audit?kind=member.role_changed").await;
    assert!(audit.body.contains("Viewer") && audit.body.contains("Admin"));
}

/// An invitation goes by email: an address the mailer cannot send to is
/// refused on the form, as typed.
#[actix_web::test]
async fn an_invitation_to_an_address_the_mailer_cannot_send_to_is_refused() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Admin).await;
    let viewer = role_id(&app, BuiltinRole::Viewer);
    for email in ["\"new analyst\"@example.com", "analyst@[192.0.2.1]"] {
        let refused = app
            .post("/team/invitations", &[("email", email), ("role_id", &viewer)])
            .await;
        assert_eq!(refused.status, 422, "{email}: {}", refused.body);
        assert!(refused.body.contains("is not a valid email address"), "{email}");
    }
    assert!(!app.event_kinds().contains(&"invitation.sent".to_string()));
}

/// An invitation whose email could not be delivered says so on the team
/// page and the member's page, not only in the outbox.
#[actix_web::test]
async fn an_invitation_email_that_failed_shows_on_the_team_page() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Options {
        smtp: true,
        ..Default::default()
    })
    .await;
    app.signed_in_as(BuiltinRole::Admin).await;
    let viewer = role_id(&app, BuiltinRole::Viewer);
    let nobody = format!("nina{}", crate::helpers::UNKNOWN_MAILBOX_DOMAIN);
    app.post("/team/invitations", &[("email", nobody.as_str()), ("role_id", &viewer)])
        .await
        .assert_redirect("/team");
    let team = crate::helpers::eventually("the team page to show the failure", async || {
        let team = app.get("/team").await.body;
        if team.contains("invitation email failed") {
            Ok(team)
        } else {
            Err(team)
        }
    })
    .await;
    assert!(team.contains("invitation email failed: "), "{team}");
}
