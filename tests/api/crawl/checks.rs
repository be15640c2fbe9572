//! What must hold on every page and form the crawls reach: bad input never
//! causes a server error or loses what was typed; every role may send the
//! forms it is shown; a page made stale by another officer changes nothing.

use super::html::{Form, ID, Kind, links_in, shape};
use super::{Crawl, FormKey};
use crate::helpers::{TestApp, csrf_in, spawn_app};
use crate::sessions::{delivery_status_url, link_in, path_of};
use regex::Regex;
use std::collections::{BTreeSet, HashSet};
use veridesk::applicants::models::Status;
use veridesk::auth::permissions::BuiltinRole;

/// A new app with the demo data.
async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    let mut conn = app.pool.get().expect("conn");
    assert!(veridesk::demo::seed(&mut conn, app.clock.now(), &app.address).expect("seed"));
    app
}

async fn sign_in_owner(app: &TestApp) -> String {
    if app.get("/account").await.status != 200 {
        app.sign_in(veridesk::demo::OWNER_EMAIL, veridesk::demo::OWNER_PASSWORD)
            .await
            .assert_redirect("/");
    }
    app.csrf().await
}

/// The back office's start pages: the menu's, and the list in every status
/// (the demo's applicants are created at random times, so the first pages
/// alone would not show every state).
fn back_office_start() -> Vec<String> {
    let mut start: Vec<String> = [
        "/",
        "/applicants",
        "/outbox",
        "/audit",
        "/flows?archived=1",
        "/status",
        "/health",
    ]
    .map(String::from)
    .to_vec();
    start.extend(Status::ALL.iter().map(|s| format!("/applicants?status={}", s.code())));
    start
}

/// Bad input, as the Owner and as a visitor: every form sent back with
/// text empty, hostile and 10,000 characters long, values huge and
/// negative, hidden values forged, and nothing at all; file forms sent
/// files that are not images; every form sent to a record that does not
/// exist; every address spoiled; every page visited again. No answer may
/// be a server error, a refused form (422) must show again what was typed
/// in each text field, and no page may show typed markup unescaped. The
/// crawl runs twice, so forms that the first round's submissions bring
/// about (Restore after a deletion is scheduled, say) are attacked too.
#[actix_web::test]
async fn no_page_or_form_answers_bad_input_with_a_server_error() {
    let app = demo_app().await;
    sign_in_owner(&app).await;

    // A live link for the applicant's side, made as an officer would.
    let list = app.get("/applicants?status=INIT").await.body;
    let new_session = links_in(&list)
        .into_iter()
        .find(|l| l.ends_with("/sessions/new"))
        .expect("the list offers a new session");
    let form = app.get(&new_session).await.body;
    let flow = Regex::new(r#"<option value="([0-9a-f-]{36})""#)
        .expect("regex")
        .captures(&form)
        .expect("a flow")[1]
        .to_string();
    let mut fields = crate::sessions::session_fields(&flow, "2", "days", "20");
    fields.extend([
        ("send_email", "on"),
        ("recipient", "someone@example.test"),
        ("subject", "Verify"),
        ("body", "Please verify: {{session_url}}"),
    ]);
    let confirmation = app.post(new_session.trim_end_matches("/new"), &fields).await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.body);
    let link = path_of(&app, &link_in(&confirmation.body));

    // A password reset link and an invitation, from their emails.
    let visitor = app.new_client();
    let token = csrf_in(&visitor.get("/forgot-password").await.body);
    visitor
        .post_raw(
            "/forgot-password",
            &[("email", "viewer@veridesk.test"), ("csrf_token", &token)],
        )
        .await;
    let reset = app.email_to("viewer@veridesk.test", "Reset your").await;
    let reset = path_of(&app, &reset.link(&format!("{}/reset-password/", app.address)));
    let role = {
        let mut conn = app.pool.get().expect("conn");
        veridesk::roles::queries::builtin_role_id(&mut conn, BuiltinRole::Viewer).expect("role")
    };
    let invited = app
        .post(
            "/team/invitations",
            &[("email", "newcomer@example.test"), ("role_id", &role.to_string())],
        )
        .await;
    assert!(invited.status < 400, "{}", invited.body);
    let invitation = app.email_to("newcomer@example.test", "").await;
    let invitation = path_of(&app, &invitation.link(&format!("{}/invitations/", app.address)));

    let mut outside = Crawl::walk(
        &visitor,
        &[&link, &reset, &invitation, "/sign-in", "/forgot-password"],
        &[],
        &HashSet::new(),
    )
    .await;
    for path in [&link, &reset, &invitation] {
        assert!(
            outside.forms.iter().any(|f| &f.action == path),
            "{path} has its form: {:?}",
            outside.forms
        );
    }
    outside.attack(&visitor, || visitor.csrf()).await;

    // Pages no demo page links to: a saved email template, a timeline's
    // older events and an email's delivery status.
    let saved = app
        .post(
            "/email-templates",
            &[
                ("name", "Reminder"),
                ("language", "en"),
                ("subject", "Reminder"),
                ("body", "Hello {{applicant_name}}, {{session_url}}"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let applicant = new_session.trim_end_matches("/sessions/new");
    let mut start = back_office_start();
    start.push(format!("{applicant}/timeline?before=1"));
    start.push(delivery_status_url(&confirmation.body));
    let start: Vec<&str> = start.iter().map(String::as_str).collect();
    let mut first = Crawl::walk(&app, &start, &["/sign-out"], &HashSet::new()).await;
    assert!(
        first.pages.len() > 80 && first.forms.len() > 60,
        "the crawl reached {} pages and {} forms: {:?}",
        first.pages.len(),
        first.forms.len(),
        first.pages
    );
    first.attack(&app, || sign_in_owner(&app)).await;
    let mut second = Crawl::walk(&app, &start, &["/sign-out"], &first.keys()).await;
    if std::env::var_os("CRAWL_LIST").is_some() {
        eprintln!(
            "second round: {:#?}",
            second.forms.iter().map(|f| &f.action).collect::<Vec<_>>()
        );
    }
    second.attack(&app, || sign_in_owner(&app)).await;

    eprintln!(
        "bad input: {} pages and {} + {} forms signed in, {} pages and {} forms outside; gone before sent: {:?}",
        first.pages.len(),
        first.forms.len(),
        second.forms.len(),
        outside.pages.len(),
        outside.forms.len(),
        first.gone.iter().chain(&second.gone).collect::<Vec<_>>()
    );
    let failures: Vec<String> = [first.failures, second.failures, outside.failures].concat();
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// What a member is shown, they may use: every page each demo role reaches
/// renders and links only to pages that work; every form on those pages,
/// sent as found, is read (no 400) and not refused for want of a
/// permission (403) or rank (409 beyond reach); and a form a role cannot
/// send shows its fields read-only.
#[actix_web::test]
async fn every_role_may_send_the_forms_it_is_shown() {
    let app = demo_app().await;
    let mut failures = Vec::new();
    for (email, least_forms) in [
        ("viewer@veridesk.test", 1),
        ("officer@veridesk.test", 15),
        ("admin@veridesk.test", 25),
    ] {
        let member = app.new_client();
        member
            .sign_in(email, veridesk::demo::MEMBER_PASSWORD)
            .await
            .assert_redirect("/");
        // What every member may open; the menu leads to the rest.
        let start = [
            "/",
            "/applicants",
            "/applicants?status=COMPLETED",
            "/applicants?status=IN_REVIEW",
        ];
        let mut crawl = Crawl::walk(&member, &start, &["/sign-out"], &HashSet::new()).await;
        assert!(
            crawl.forms.len() >= least_forms,
            "{email} was shown {} forms: {:?}",
            crawl.forms.len(),
            crawl.forms
        );
        let token = member.csrf().await;
        for form in &crawl.forms {
            if !form.sendable {
                if !form.typed().is_empty() && !form.locked {
                    failures.push(format!(
                        "{email}: {} has text fields but no way to send them",
                        form.action
                    ));
                }
                continue;
            }
            let mut fields = form.as_found();
            fields.push(("csrf_token".into(), token.clone()));
            let body: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let page = member.post_raw(&form.action, &body).await;
            let beyond = page.status == 409 && page.body.contains("permissions you do not");
            if matches!(page.status, 400 | 403) || beyond || page.status >= 500 {
                let text: String = page.body.chars().take(200).collect();
                failures.push(format!(
                    "{email}: POST {} answered {}: {text}",
                    form.action, page.status
                ));
            }
        }
        failures.append(&mut crawl.failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every versioned action on a profile, sent from a page another officer's
/// change has made stale, is refused with "changed … meanwhile" (409),
/// keeps what was typed, and changes nothing. The crawl finds the actions,
/// so a new one is covered too. Comments and Take are not versioned: a
/// comment never undoes anyone's work, and Take assigns whoever clicks.
#[actix_web::test]
async fn every_profile_action_from_a_stale_page_is_refused_and_keeps_the_text() {
    use diesel::prelude::*;
    use veridesk::db::schema::applicants;
    let app = demo_app().await;
    sign_in_owner(&app).await;
    let start = back_office_start();
    let start: Vec<&str> = start.iter().map(String::as_str).collect();
    let crawl = Crawl::walk(&app, &start, &["/sign-out"], &HashSet::new()).await;
    let actions: Vec<&Form> = crawl
        .forms
        .iter()
        .filter(|f| f.action.starts_with("/applicants/") && f.value("lock_version").is_some())
        .filter(|f| !f.action.ends_with("/comments") && !f.action.ends_with("/take"))
        .collect();
    let kinds: BTreeSet<String> = actions.iter().map(|f| shape(&f.action)).collect();
    assert!(kinds.len() >= 10, "the profiles offer these actions: {kinds:?}");
    let typed_text = "Typed while someone else acted";
    let mut failures = Vec::new();
    let mut refused = BTreeSet::new();
    for form in actions {
        let id: uuid::Uuid = ID
            .find(&form.action)
            .expect("applicant id")
            .as_str()
            .parse()
            .expect("id");
        let version_of = || {
            let mut conn = app.pool.get().expect("conn");
            applicants::table
                .find(id)
                .select(applicants::lock_version)
                .first::<i32>(&mut conn)
                .expect("applicant")
        };
        // Another officer's change: the page's version is now behind. The
        // session form lets through a change a new session does not depend
        // on, so for it the change is one it does: the email address.
        {
            let mut conn = app.pool.get().expect("conn");
            diesel::update(applicants::table.find(id))
                .set(applicants::lock_version.eq(applicants::lock_version + 1))
                .execute(&mut conn)
                .expect("bump");
            if form.value("seen_state").is_some() {
                diesel::update(applicants::table.find(id))
                    .set(applicants::email.eq("changed-meanwhile@example.test"))
                    .execute(&mut conn)
                    .expect("a new address");
            }
        }
        let before = version_of();
        // Filled as an officer would, until one filling passes the form's
        // own checks (a 422 says it did not): text in the empty boxes; the
        // form untouched; text and the first box of each empty group.
        for (with_text, tick) in [(true, false), (false, false), (true, true)] {
            let mut ticked = BTreeSet::new();
            let mut fields = form.filled(|_, v, kind| {
                Some(if kind == Kind::Typed && with_text && v.is_empty() {
                    typed_text.into()
                } else {
                    v.into()
                })
            });
            for (n, v, kind) in &form.fields {
                let group_empty = !form.fields.iter().any(|(m, _, k)| m == n && *k == Kind::Other);
                if tick && *kind == Kind::Unticked && group_empty && ticked.insert(n.clone()) {
                    fields.push((n.clone(), v.clone()));
                }
            }
            let body: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let page = app.post(&form.action, &body).await;
            if page.status == 422 {
                continue;
            }
            let typed = fields.iter().any(|(_, v)| v == typed_text);
            let kept = !typed || page.body.contains(typed_text);
            let told = page.body.contains("meanwhile") || page.body.contains("after this form was shown");
            if page.status != 409 || !told || !kept || version_of() != before {
                failures.push(format!(
                    "{}: answered {}, told: {told}, text kept: {kept}, version {} → {}",
                    form.action,
                    page.status,
                    before,
                    version_of()
                ));
            }
            refused.insert(shape(&form.action));
            break;
        }
    }
    assert!(
        refused == kinds,
        "only these actions could be filled validly: {refused:?} of {kinds:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Keys are compared across walks; a form found twice is attacked once.
#[test]
fn a_form_on_two_records_is_one_form() {
    let page = |id: &str| {
        format!(
            r#"<form method="post" action="/applicants/{id}/reset"><input type="hidden" name="csrf_token" value="t"><button>Reset</button></form>"#
        )
    };
    let a = super::html::forms_in("/x", &page("7e0b9f3c-5b1a-4c1e-9a59-2f3f6f0a1b2c"));
    let b = super::html::forms_in("/y", &page("0a5c2c1e-1111-4c1e-9a59-2f3f6f0a1b2c"));
    let keys: HashSet<FormKey> = a.iter().chain(&b).map(Form::key).collect();
    assert_eq!(keys.len(), 1);
}

/// A fresh installation, before anyone has set it up, takes the same bad
/// input on its setup and sign-in pages.
#[actix_web::test]
async fn a_fresh_installation_answers_bad_input_without_a_server_error() {
    let app = spawn_app().await;
    let mut crawl = Crawl::walk(
        &app,
        &["/", "/setup", "/sign-in", "/forgot-password"],
        &[],
        &HashSet::new(),
    )
    .await;
    assert!(
        crawl.forms.iter().any(|f| f.action == "/setup"),
        "the setup form is offered: {:?}",
        crawl.forms
    );
    crawl.attack(&app, || app.csrf()).await;
    assert!(crawl.failures.is_empty(), "{}", crawl.failures.join("\n"));
}

/// Requests no browser of ours sends, but a proxy, a script or a tampered
/// cookie might: each gets a clear 4xx, never a server error, and a forged
/// or broken session cookie counts as signed out.
#[actix_web::test]
async fn strange_requests_get_clear_answers() {
    let app = demo_app().await;
    let token = sign_in_owner(&app).await;
    let url = |path: &str| format!("{}{path}", app.address);
    let stranger = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let long = "a".repeat(3000);
    for cookie in [
        "id=garbage",
        "id=",
        "id=%00%ff",
        &format!("id={long}"),
        "other=1; id=x; id=y",
    ] {
        let response = stranger
            .get(url("/applicants"))
            .header("cookie", cookie)
            .send()
            .await
            .expect("GET");
        assert_eq!(
            response.status(),
            303,
            "{cookie}: a broken session cookie is no session"
        );
    }
    let body = format!("csrf_token={token}&name=x");
    for (content_type, body) in [
        ("application/json", format!(r#"{{"csrf_token":"{token}"}}"#)),
        ("text/plain", body.clone()),
        ("multipart/form-data; boundary=x", "garbage".to_string()),
        (
            "application/x-www-form-urlencoded",
            format!("csrf_token={token}&name=%E9"),
        ),
    ] {
        let response = app
            .client
            .post(url("/applicants"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST");
        let status = response.status().as_u16();
        let page = response.text().await.unwrap_or_default();
        assert!(
            (400..500).contains(&status) && page.contains("<h1"),
            "{content_type}: {status} {page}"
        );
    }
    for (method, path) in [
        (reqwest::Method::PUT, "/applicants"),
        (reqwest::Method::DELETE, "/applicants/x"),
        (reqwest::Method::PATCH, "/team"),
    ] {
        let status = app
            .client
            .request(method.clone(), url(path))
            .send()
            .await
            .expect("request")
            .status();
        assert!(status.is_client_error(), "{method} {path}: {status}");
    }
    let repeated = app.get("/applicants?status=INIT&status=INIT").await;
    assert_eq!(repeated.status, 400);
    assert!(
        repeated.body.contains("The address gives “status” more than once"),
        "{}",
        repeated.body
    );
}
