//! Roles: custom roles by ticking permissions; built-in roles are fixed.

use crate::helpers::spawn_app;
use veridesk::auth::permissions::BuiltinRole;

#[actix_web::test]
async fn custom_roles_grant_exactly_the_ticked_permissions() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Admin).await;
    let empty = app.post("/roles", &[("name", ""), ("description", "x")]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Give the role a name.") && empty.body.contains("Tick at least one permission."));
    let unknown = app
        .post("/roles", &[("name", "Odd"), ("permissions", "launch.missiles")])
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains("value=\"Odd\""));

    let created = app
        .post(
            "/roles",
            &[
                ("name", "Auditor"),
                ("description", "Reads the log"),
                ("permissions", "audit.view"),
                ("permissions", "team.view"),
            ],
        )
        .await;
    created.assert_redirect("/roles");
    let list = app.get("/roles").await;
    assert!(list.body.contains("Auditor") && list.body.contains("2 of"));
    let duplicate = app
        .post("/roles", &[("name", "auditor"), ("permissions", "audit.view")])
        .await;
    assert_eq!(duplicate.status, 422);
    assert!(duplicate.body.contains("Another role already has this name."));
    // Editing flows comes with seeing them.
    app.post("/roles", &[("name", "Flow editor"), ("permissions", "flows.edit")])
        .await
        .assert_redirect("/roles");
    assert!(app.get("/roles").await.body.contains("Flow editor"));
    {
        use diesel::prelude::*;
        use veridesk::db::schema::roles;
        let mut conn = app.pool.get().expect("conn");
        let mut held: Vec<String> = roles::table
            .filter(roles::name.eq("Flow editor"))
            .select(roles::permissions)
            .first(&mut conn)
            .expect("role");
        held.sort();
        assert_eq!(held, vec!["flows.edit".to_string(), "flows.view".to_string()]);
    }

    // A member holding the custom role gets exactly its permissions.
    let role_id: uuid::Uuid = {
        use diesel::prelude::*;
        use veridesk::db::schema::roles;
        let mut conn = app.pool.get().expect("conn");
        roles::table
            .filter(roles::name.eq("Auditor"))
            .select(roles::id)
            .first(&mut conn)
            .expect("role")
    };
    let ada = app.new_client();
    let id = ada.signed_in_as(BuiltinRole::Viewer).await;
    app.post(
        &format!("/team/members/{id}/role"),
        &[("role_id", &role_id.to_string())],
    )
    .await;
    assert_eq!(ada.get("/audit").await.status, 200);
    assert_eq!(ada.get("/team").await.status, 200);
    assert_eq!(ada.get("/settings/company").await.status, 403);

    // Edit it, then try to delete it while held.
    app.post(
        &format!("/roles/{role_id}"),
        &[("name", "Auditor"), ("permissions", "team.view")],
    )
    .await
    .assert_redirect("/roles");
    assert_eq!(ada.get("/audit").await.status, 403);
    app.post(&format!("/roles/{role_id}/delete"), &[])
        .await
        .assert_redirect("/roles");
    assert!(app.get("/roles").await.body.contains("is held by 1 member"));
    let kinds = app.event_kinds();
    assert!(kinds.contains(&"role.created".to_string()) && kinds.contains(&"role.updated".to_string()));
}

#[actix_web::test]
async fn built_in_roles_cannot_be_changed_or_deleted() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Owner).await;
    let viewer: uuid::Uuid = {
        let mut conn = app.pool.get().expect("conn");
        veridesk::roles::queries::builtin_role_id(&mut conn, BuiltinRole::Viewer).expect("role")
    };
    let page = app.get(&format!("/roles/{viewer}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Built-in roles cannot be changed"));
    let update = app
        .post(
            &format!("/roles/{viewer}"),
            &[("name", "Viewer"), ("permissions", "audit.view")],
        )
        .await;
    assert_eq!(update.status, 409);
    app.post(&format!("/roles/{viewer}/delete"), &[]).await;
    assert!(
        app.get("/roles")
            .await
            .body
            .contains("Built-in roles cannot be deleted.")
    );
}

#[actix_web::test]
async fn members_cannot_hand_out_permissions_they_do_not_hold() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::Owner).await;
    app.post(
        "/roles",
        &[
            ("name", "People lead"),
            ("permissions", "team.view"),
            ("permissions", "team.manage"),
            ("permissions", "team.invite"),
            ("permissions", "roles.view"),
            ("permissions", "roles.manage"),
        ],
    )
    .await
    .assert_redirect("/roles");
    let (lead_role, admin_role): (uuid::Uuid, uuid::Uuid) = {
        use diesel::prelude::*;
        use veridesk::db::schema::roles;
        let mut conn = app.pool.get().expect("conn");
        let lead = roles::table
            .filter(roles::name.eq("People lead"))
            .select(roles::id)
            .first(&mut conn)
            .expect("role");
        (
            lead,
            veridesk::roles::queries::builtin_role_id(&mut conn, BuiltinRole::Admin).expect("admin"),
        )
    };
    let lead = app.new_client();
    let id = lead.signed_in_as(BuiltinRole::Viewer).await;
    app.post(
        &format!("/team/members/{id}/role"),
        &[("role_id", &lead_role.to_string())],
    )
    .await;

    // Promoting themselves to Admin is refused.
    lead.post(
        &format!("/team/members/{id}/role"),
        &[("role_id", &admin_role.to_string())],
    )
    .await;
    assert!(
        lead.get(&format!("/team/members/{id}"))
            .await
            .body
            .contains("whose permissions you hold yourself")
    );
    assert_eq!(lead.get("/audit").await.status, 403);
    // So is adding permissions to their own role.
    let widened = lead
        .post(
            &format!("/roles/{lead_role}"),
            &[
                ("name", "People lead"),
                ("permissions", "team.manage"),
                ("permissions", "audit.view"),
            ],
        )
        .await;
    assert_eq!(widened.status, 422);
    assert!(widened.body.contains("only tick permissions that your own role has"));
    assert_eq!(lead.get("/audit").await.status, 403);

    // They are offered only the roles they may give.
    let own = lead.get(&format!("/team/members/{id}")).await;
    assert!(
        own.body.contains(&format!("value=\"{lead_role}\"")) && !own.body.contains(&format!("value=\"{admin_role}\"")),
        "the role form offers only roles within the lead's own"
    );
    // Nor can they demote or lock out someone whose role holds more.
    let admin = app.create_member(BuiltinRole::Admin, "ada@example.test");
    let page = lead.get(&format!("/team/members/{admin}")).await;
    assert!(
        page.body.contains("Test Admin holds permissions you do not") && !page.body.contains("Change role"),
        "{}",
        page.body
    );
    for (action, fields) in [
        ("role", vec![("role_id", lead_role.to_string())]),
        ("deactivate", vec![]),
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        lead.post(&format!("/team/members/{admin}/{action}"), &fields)
            .await
            .assert_redirect(&format!("/team/members/{admin}"));
        assert!(
            lead.get(&format!("/team/members/{admin}"))
                .await
                .body
                .contains("Test Admin holds permissions you do not"),
            "{action} is refused"
        );
    }
    let kinds = app.event_kinds();
    assert!(
        !kinds.contains(&"member.deactivated".to_string())
            && kinds.iter().filter(|k| *k == "member.role_changed").count() == 1,
        "only the lead's own role change went through: {kinds:?}"
    );

    // Nor can they cut down a custom role that holds more than theirs,
    // which would demote its holders all at once.
    app.post(
        "/roles",
        &[
            ("name", "Settings lead"),
            ("permissions", "team.view"),
            ("permissions", "audit.view"),
            ("permissions", "settings.manage"),
        ],
    )
    .await
    .assert_redirect("/roles");
    let settings_role: uuid::Uuid = {
        use diesel::prelude::*;
        use veridesk::db::schema::roles;
        let mut conn = app.pool.get().expect("conn");
        roles::table
            .filter(roles::name.eq("Settings lead"))
            .select(roles::id)
            .first(&mut conn)
            .expect("role")
    };
    let shown = lead.get(&format!("/roles/{settings_role}")).await;
    assert!(
        shown.body.contains("This role holds permissions you do not.")
            && !shown.body.contains(&format!("action=\"/roles/{settings_role}\"")),
        "shown read-only, saying why"
    );
    let cut = lead
        .post(
            &format!("/roles/{settings_role}"),
            &[("name", "Settings lead"), ("permissions", "team.view")],
        )
        .await;
    assert_eq!(cut.status, 409);
    assert!(cut.body.contains("This role holds permissions you do not."));
    let kept = app.get(&format!("/roles/{settings_role}")).await;
    assert!(
        kept.body.contains("value=\"settings.manage\" checked"),
        "the role is unchanged"
    );

    // And an Admin's pending invitation stays out of their hands: no new
    // link is sent for it.
    app.post(
        "/team/invitations",
        &[
            ("email", "new-admin@example.test"),
            ("role_id", &admin_role.to_string()),
        ],
    )
    .await;
    let invited: uuid::Uuid = {
        use diesel::prelude::*;
        use veridesk::db::schema::members;
        let mut conn = app.pool.get().expect("conn");
        members::table
            .filter(members::email.eq("new-admin@example.test"))
            .select(members::id)
            .first(&mut conn)
            .expect("invited")
    };
    lead.post(&format!("/team/members/{invited}/resend"), &[("sent", "1")])
        .await
        .assert_redirect(&format!("/team/members/{invited}"));
    assert!(
        lead.get(&format!("/team/members/{invited}"))
            .await
            .body
            .contains("holds permissions you do not"),
        "the resend is refused"
    );
    assert!(!app.event_kinds().contains(&"invitation.resent".to_string()));
}
