//! Browser journey in headless Chromium: invite a teammate, accept from the
//! development mailbox, sign in as the teammate. Screenshots go to
//! `$ARTIFACTS_DIR` (default `artifacts/`).

use crate::helpers::{Options, PASSWORD, spawn_app, spawn_app_with};
use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use veridesk::auth::permissions::BuiltinRole;

/// chromedriver, and the browser profile it was given: both go when the
/// test ends, so runs leave nothing behind in the temp dir.
struct Driver {
    child: Child,
    profile: std::path::PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

async fn browser() -> (fantoccini::Client, Driver) {
    let driver_bin = std::env::var("CHROMEDRIVER_BIN").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let chromium = std::env::var("CHROMIUM_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
    // The port is free when chosen, but a parallel test may take it before
    // chromedriver binds it; chromedriver then exits, and is started again
    // on another port.
    for _ in 0..3 {
        let port = free_port();
        let child = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("could not start {driver_bin} ({e}); run scripts/test, which installs chromium-driver")
            });
        let profile = std::env::temp_dir().join(format!("veridesk-chromium-{}", uuid::Uuid::new_v4()));
        let mut driver = Driver {
            child,
            profile: profile.clone(),
        };
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--window-size=1280,900", format!("--user-data-dir={}", profile.display())]
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..300 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            if let Ok(client) = ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                return (client, driver);
            }
            if matches!(driver.child.try_wait(), Ok(Some(_))) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    panic!("chromedriver did not accept a session");
}

async fn screenshot(client: &fantoccini::Client, name: &str) {
    let dir = std::env::var("ARTIFACTS_DIR").unwrap_or_else(|_| format!("{}/artifacts", env!("CARGO_MANIFEST_DIR")));
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(format!("{dir}/{name}.png"), png).expect("write screenshot");
}

async fn fill(client: &fantoccini::Client, selector: &str, value: &str) {
    let field = client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|_| panic!("field {selector}"));
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

async fn click(client: &fantoccini::Client, selector: &str) {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|_| panic!("element {selector}"))
        .click()
        .await
        .expect("click");
}

/// The page's text. A page still loading may replace its body between
/// finding it and reading it (a stale element), so that is tried again.
async fn text(client: &fantoccini::Client) -> String {
    for _ in 0..20 {
        if let Ok(body) = client.find(Locator::Css("body")).await
            && let Ok(text) = body.text().await
        {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the page's text could not be read");
}

#[actix_web::test]
async fn invite_accept_and_sign_in_as_the_teammate() {
    let app = spawn_app_with(Options {
        smtp: false,
        ..Options::default()
    })
    .await;
    app.create_member(BuiltinRole::Owner, "owner@example.test");
    let (b, _driver) = browser().await;

    b.goto(&format!("{}/sign-in", app.address)).await.expect("open sign-in");
    fill(&b, "#f-email", "owner@example.test").await;
    fill(&b, "#f-password", PASSWORD).await;
    // The sign-in page has an h1 too: wait for the page that answers.
    click_and_wait(&b, "form[action='/sign-in'] button[type=submit]").await;
    assert!(text(&b).await.contains("Dashboard"));

    b.goto(&format!("{}/team", app.address)).await.expect("team");
    fill(&b, "#f-email", "teammate@example.test").await;
    b.find(Locator::Css("#f-role_id"))
        .await
        .expect("role select")
        .select_by_label("Compliance officer")
        .await
        .expect("choose role");
    click(&b, "form[action='/team/invitations'] button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css(".flash-success"))
        .await
        .expect("confirmation");
    assert!(text(&b).await.contains("Invitation sent to teammate@example.test"));
    screenshot(&b, "team-after-invite").await;

    b.goto(&format!("{}/outbox", app.address)).await.expect("mailbox");
    assert!(text(&b).await.contains("Development mailbox"));
    b.find(Locator::XPath("//a[contains(., 'invited you')]"))
        .await
        .expect("invitation email")
        .click()
        .await
        .expect("open email");
    b.wait()
        .for_element(Locator::Css("a.mono"))
        .await
        .expect("link in email");
    screenshot(&b, "mailbox-invitation").await;
    let link = b
        .find(Locator::Css("a.mono"))
        .await
        .expect("link")
        .attr("href")
        .await
        .expect("href")
        .expect("an href");
    // The teammate opens the link in their own browser: no owner cookies.
    b.delete_all_cookies().await.expect("clear cookies");
    b.goto(&link).await.expect("open invitation");

    b.wait()
        .for_element(Locator::Css("#f-name"))
        .await
        .expect("invitation form");
    assert!(text(&b).await.contains("teammate@example.test"));
    fill(&b, "#f-name", "Tess Mate").await;
    fill(&b, "#f-password", "short").await;
    fill(&b, "#f-password_confirmation", "short").await;
    click(&b, "button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css(".field.has-error"))
        .await
        .expect("validation message");
    let page = text(&b).await;
    assert!(page.contains("Use at least 12 characters."));
    let kept = b
        .find(Locator::Css("#f-name"))
        .await
        .expect("name")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("Tess Mate"));
    screenshot(&b, "invitation-validation").await;
    fill(&b, "#f-password", "tess has a long passphrase").await;
    fill(&b, "#f-password_confirmation", "tess has a long passphrase").await;
    click(&b, "button[type=submit]").await;

    b.wait()
        .for_element(Locator::Css("form[action='/sign-in']"))
        .await
        .expect("sign-in page");
    assert!(text(&b).await.contains("Your account teammate@example.test is ready"));
    fill(&b, "#f-email", "teammate@example.test").await;
    fill(&b, "#f-password", "tess has a long passphrase").await;
    click(&b, "form[action='/sign-in'] button[type=submit]").await;
    b.wait().for_element(Locator::Css(".topbar")).await.expect("signed in");
    b.goto(&format!("{}/team", app.address))
        .await
        .expect("team as teammate");
    let page = text(&b).await;
    assert!(page.contains("Tess Mate") && page.contains("Compliance officer"));
    assert!(
        b.find(Locator::Css("form[action='/team/invitations']")).await.is_err(),
        "officers cannot invite"
    );
    screenshot(&b, "team-as-teammate").await;
    b.close().await.expect("close browser");
}

/// The current value of a form field.
/// Clicks what submits a form and waits for the page that answers it.
async fn click_and_wait(client: &fantoccini::Client, selector: &str) {
    client
        .execute("document.documentElement.dataset.left = '1';", vec![])
        .await
        .expect("script");
    click(client, selector).await;
    for _ in 0..300 {
        let fresh = client
            .execute(
                "return document.readyState === 'complete' && !document.documentElement.dataset.left;",
                vec![],
            )
            .await;
        if matches!(fresh, Ok(serde_json::Value::Bool(true))) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no new page after clicking {selector}");
}

async fn value_of(client: &fantoccini::Client, selector: &str) -> String {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|_| panic!("field {selector}"))
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

async fn choose(client: &fantoccini::Client, selector: &str, label: &str) {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|_| panic!("select {selector}"))
        .select_by_label(label)
        .await
        .unwrap_or_else(|_| panic!("option {label} in {selector}"));
}

async fn is_hidden(client: &fantoccini::Client, selector: &str) -> bool {
    let value = client
        .execute(
            "return document.querySelector(arguments[0]).hidden;",
            vec![serde_json::json!(selector)],
        )
        .await
        .expect("script");
    value.as_bool().unwrap_or(false)
}

#[actix_web::test]
async fn build_and_publish_a_flow_with_a_questionnaire() {
    let app = spawn_app_with(Options {
        smtp: false,
        ..Options::default()
    })
    .await;
    app.create_member(BuiltinRole::ComplianceOfficer, "officer@example.test");
    let (b, _driver) = browser().await;
    let base = app.address.clone();

    b.goto(&format!("{base}/sign-in")).await.expect("sign-in");
    fill(&b, "#f-email", "officer@example.test").await;
    fill(&b, "#f-password", PASSWORD).await;
    click(&b, "form[action='/sign-in'] button[type=submit]").await;
    b.wait().for_element(Locator::Css(".topbar")).await.expect("signed in");

    // The questionnaire, with a show-if rule.
    b.goto(&format!("{base}/questionnaires")).await.expect("questionnaires");
    fill(&b, "#f-name", "Source of funds").await;
    click(&b, "form[method='post'][action='/questionnaires'] button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css("#add-question"))
        .await
        .expect("editor");
    choose(&b, "#f-kind", "Yes / no").await;
    fill(&b, "#add-question #f-label", "Are you a PEP?").await;
    click(&b, "#add-question button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css("#f-show_if_question"))
        .await
        .expect("question form");
    click(&b, "form.stack button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css("#add-question"))
        .await
        .expect("editor again");
    choose(&b, "#f-kind", "Short text").await;
    fill(&b, "#add-question #f-label", "Which public role do you hold").await;
    click(&b, "#add-question button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css("#f-show_if_question"))
        .await
        .expect("question form");
    choose(&b, "#f-show_if_question", "Are you a PEP? (are_you_a_pep)").await;
    fill(&b, "#f-show_if_values", "yes").await;
    click(&b, "form.stack button[type=submit]").await;
    b.wait().for_element(Locator::Css("#questions")).await.expect("saved");
    assert!(text(&b).await.contains("when are_you_a_pep is yes"));
    screenshot(&b, "questionnaire-editor").await;

    // The preview hides the dependent question until "yes" is chosen.
    b.find(Locator::Css("a[href$='/preview']"))
        .await
        .expect("preview link")
        .click()
        .await
        .expect("open preview");
    b.wait()
        .for_element(Locator::Css("[data-q='which_public_role_do_you_hold']"))
        .await
        .expect("preview");
    assert!(is_hidden(&b, "[data-q='which_public_role_do_you_hold']").await);
    click(&b, "input[name='a.are_you_a_pep'][value='yes']").await;
    assert!(!is_hidden(&b, "[data-q='which_public_role_do_you_hold']").await);
    screenshot(&b, "questionnaire-preview").await;

    // The flow: Intro, Document check, the questionnaire, Final screen.
    b.goto(&format!("{base}/flows")).await.expect("flows");
    fill(&b, "#new-flow #f-name", "Retail onboarding").await;
    click(&b, "#new-flow button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css("#add-step"))
        .await
        .expect("flow editor");
    for step in ["Intro", "Document check", "Final screen", "Questionnaire"] {
        choose(&b, "#f-step-kind", step).await;
        if step == "Questionnaire" {
            choose(&b, "#f-questionnaire_id", "Source of funds").await;
        }
        click(&b, "#add-step button[type=submit]").await;
        let added = format!("//table[@id='steps']//a[text()='{step}']");
        b.wait().for_element(Locator::XPath(&added)).await.expect("step added");
    }
    let steps = b
        .find(Locator::Css("#steps"))
        .await
        .expect("steps")
        .text()
        .await
        .expect("text");
    let order: Vec<usize> = ["Intro", "Document check", "Questionnaire", "Final screen"]
        .iter()
        .map(|s| steps.find(s).expect("step listed"))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "steps in order: {steps}");
    // The editor already shows a success message: wait for the next page.
    click_and_wait(&b, "form[action$='/publish'] button").await;
    assert!(text(&b).await.contains("Version 1 is live"));
    screenshot(&b, "flow-editor-published").await;

    b.goto(&format!("{base}/flows")).await.expect("flows list");
    let list = text(&b).await;
    assert!(list.contains("Retail onboarding") && list.contains("published"));
    screenshot(&b, "flows-list").await;
    b.close().await.expect("close browser");
}

#[actix_web::test]
async fn create_an_applicant_send_a_link_and_open_it_from_the_email() {
    let app = spawn_app().await;
    let officer = app.create_member(BuiltinRole::ComplianceOfficer, "officer@example.test");
    crate::sessions::published_flow(&app, "Retail onboarding", officer);
    crate::sessions::published_flow_with(
        &app,
        "Express check",
        officer,
        veridesk::flows::definition::FlowSettings {
            link_expiry_hours: 36,
            session_minutes: 15,
            ..Default::default()
        },
    );
    let (b, _driver) = browser().await;
    let base = app.address.clone();

    b.goto(&format!("{base}/sign-in")).await.expect("sign-in");
    fill(&b, "#f-email", "officer@example.test").await;
    fill(&b, "#f-password", PASSWORD).await;
    click(&b, "form[action='/sign-in'] button[type=submit]").await;
    b.wait().for_element(Locator::Css(".topbar")).await.expect("signed in");

    b.goto(&format!("{base}/applicants/new")).await.expect("new applicant");
    // Sent empty, the form comes back with the cursor in the first field
    // that needs a change.
    click(&b, "form[action='/applicants'] button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css(".field.has-error"))
        .await
        .expect("the form comes back");
    let focused = b
        .execute("return document.activeElement.id;", vec![])
        .await
        .expect("script");
    assert_eq!(
        focused.as_str(),
        Some("f-name"),
        "the first field with a message has the focus"
    );
    fill(&b, "#f-name", "Maria Svensson").await;
    fill(&b, "#f-external_user_id", "CRM-4711").await;
    fill(&b, "#f-email", "maria@example.test").await;
    fill(&b, "#f-phone", "+46 8 123 456 78").await;
    choose(&b, "#f-country", "Sweden").await;
    choose(&b, "#f-flow_id", "Retail onboarding").await;
    click(&b, "form[action='/applicants'] button[type=submit]").await;
    b.wait().for_element(Locator::Css("#header")).await.expect("profile");
    assert!(text(&b).await.contains("Maria Svensson"));
    screenshot(&b, "applicant-profile").await;
    let profile_url = b.current_url().await.expect("profile url").to_string();

    // Text typed into one of the profile's boxes outlives sending another
    // of its forms (here, naming the reviewer): it comes back, with a note.
    let draft = "Passport photo looks retouched; ask for the original.";
    fill(&b, "#f-comment", draft).await;
    choose(&b, "#f-reviewer_id", "Test Compliance officer").await;
    click_and_wait(&b, "form[action$='/reviewer'] button[type=submit]").await;
    assert_eq!(
        value_of(&b, "#f-reviewer_id").await,
        officer.to_string(),
        "the reviewer is saved"
    );
    assert_eq!(value_of(&b, "#f-comment").await, draft, "the unsent comment is back");
    assert!(
        text(&b)
            .await
            .contains("Restored: you typed this earlier and did not send it.")
    );
    // Sent, it is posted and leaves the box.
    click_and_wait(&b, "form[action$='/comments'] button[type=submit]").await;
    let posted = b
        .find(Locator::Css("#comments .comment-text"))
        .await
        .expect("the comment is listed")
        .text()
        .await
        .expect("text");
    assert_eq!(posted, draft);
    assert_eq!(value_of(&b, "#f-comment").await, "", "a sent comment is no draft");
    assert!(!text(&b).await.contains("Restored:"));

    click(&b, "a[href$='/sessions/new']").await;
    b.wait()
        .for_element(Locator::Css("#session-form"))
        .await
        .expect("session form");
    // Switching the flow's expiry to days converts it: 72 hours are 3 days.
    let hours = value_of(&b, "#f-expiry_value").await;
    choose(&b, "#f-expiry_unit", "days").await;
    let days = value_of(&b, "#f-expiry_value").await;
    assert_eq!(
        (hours.as_str(), days.as_str()),
        ("72", "3"),
        "the expiry follows its unit"
    );
    // Another flow brings its defaults into fields that still show the
    // first's: 36 hours are no whole number of days, so they show in hours.
    let retail_minutes = value_of(&b, "#f-session_minutes").await;
    choose(&b, "#f-flow_id", "Express check").await;
    assert_eq!(value_of(&b, "#f-expiry_value").await, "36");
    assert_eq!(value_of(&b, "#f-expiry_unit").await, "hours");
    assert_eq!(value_of(&b, "#f-session_minutes").await, "15");
    // In days they are rounded, and the form says so.
    choose(&b, "#f-expiry_unit", "days").await;
    assert_eq!(value_of(&b, "#f-expiry_value").await, "2");
    assert!(!is_hidden(&b, "#expiry-note").await);
    assert!(
        text(&b)
            .await
            .contains("36 hours are not a whole number of days: now 2 days.")
    );
    choose(&b, "#f-expiry_unit", "hours").await;
    assert_eq!(value_of(&b, "#f-expiry_value").await, "48");
    // A number the officer typed keeps its value when they then choose its
    // unit; out of range, the form says so.
    fill(&b, "#f-expiry_value", "31").await;
    choose(&b, "#f-expiry_unit", "days").await;
    assert_eq!(value_of(&b, "#f-expiry_value").await, "31", "31 days, as typed");
    assert!(text(&b).await.contains("A link lasts from 1 hour to 30 days."));
    fill(&b, "#f-expiry_value", "5").await;
    assert!(is_hidden(&b, "#expiry-note").await, "typing clears the note");
    choose(&b, "#f-flow_id", "Retail onboarding").await;
    assert_eq!(
        (
            value_of(&b, "#f-expiry_value").await,
            value_of(&b, "#f-expiry_unit").await,
            value_of(&b, "#f-session_minutes").await
        ),
        ("5".to_string(), "days".to_string(), retail_minutes.clone()),
        "the expiry the officer chose is kept; the untouched session time follows the flow"
    );
    fill(&b, "#f-cc", "compliance@example.test").await;
    fill(&b, "#f-subject", "Please verify your identity").await;
    // The "Add verification link" button inserts the placeholder at the cursor.
    // Typed up to the colon: the link is not glued onto it.
    fill(&b, "#f-body", "Hello Maria, please start here:").await;
    click(&b, "#add-link").await;
    let body = b
        .find(Locator::Css("#f-body"))
        .await
        .expect("body")
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(body.ends_with("here: {{session_url}}"), "{body}");
    screenshot(&b, "create-session-form").await;
    click(&b, "#session-form button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css("#session-url"))
        .await
        .expect("link shown");
    let email = app.email_to("maria@example.test", "Please verify your identity").await;
    let badge = b.find(Locator::Css("#email-status")).await.expect("delivery status");
    let mut delivery = String::new();
    for _ in 0..50 {
        delivery = badge.text().await.expect("status");
        if delivery == "sent" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(delivery, "sent", "the confirmation follows the email until it is sent");
    screenshot(&b, "session-created").await;

    assert!(email.to.contains(&"compliance@example.test".to_string()));
    // On a phone the profile, flow tracker and all, does not scroll sideways.
    b.set_window_size(390, 844).await.expect("phone size");
    b.goto(&profile_url).await.expect("profile");
    b.wait().for_element(Locator::Css("#header")).await.expect("profile");
    let overflow = b
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(overflow.as_i64(), Some(0), "the page is as wide as the phone");
    // Nor do the tracker and the links inside their boxes: each row is a card.
    let hidden = b
        .execute(
            "return [...document.querySelectorAll('#tracker .table-wrap, #links .table-wrap')]
                .map(w => w.scrollWidth - w.clientWidth);",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(
        hidden,
        serde_json::json!([0, 0]),
        "nothing to scroll sideways in the tracker or the links"
    );
    screenshot(&b, "applicant-profile-phone").await;
    b.set_window_size(1280, 900).await.expect("desktop size");

    // The reject form says what is missing before it asks to confirm: a
    // form the server would send back is not confirmed, nor sent.
    b.goto(&profile_url).await.expect("profile");
    let steps_disabled = async || {
        b.execute(
            "return document.querySelector('#reject input[name=retry_steps]').matches(':disabled');",
            vec![],
        )
        .await
        .expect("script")
    };
    click(&b, "#reject input[name=rejection_type][value=final]").await;
    assert_eq!(
        steps_disabled().await,
        serde_json::json!(true),
        "a final rejection has no steps to redo"
    );
    click(&b, "#reject input[name=rejection_type][value=retry]").await;
    assert_eq!(
        steps_disabled().await,
        serde_json::json!(false),
        "a retry names its steps"
    );
    click(&b, "#reject input[name=reasons][value=other]").await;
    let validation = async |selector: &str| {
        b.execute(
            "return document.querySelector(arguments[0]).validationMessage;",
            vec![serde_json::json!(selector)],
        )
        .await
        .expect("script")
    };
    click(&b, "#reject button[type=submit]").await;
    assert!(b.get_alert_text().await.is_err(), "no confirmation yet");
    assert_eq!(
        validation("#reject input[name=retry_steps]").await,
        "Tick the steps the applicant must redo."
    );
    click(&b, "#reject input[name=retry_steps]").await;
    click(&b, "#reject button[type=submit]").await;
    assert!(b.get_alert_text().await.is_err(), "no confirmation yet");
    assert_eq!(
        validation("#f-comment_internal").await,
        "Say in the internal comment what “Other” stands for."
    );
    assert_eq!(
        b.current_url().await.expect("url").as_str(),
        profile_url,
        "nothing was sent"
    );
    screenshot(&b, "reject-form-says-what-is-missing").await;
    let link = email.link(&format!("{base}/v/"));
    b.delete_all_cookies()
        .await
        .expect("the applicant has no back-office session");
    b.goto(&link).await.expect("open the link from the email");
    assert!(
        text(&b)
            .await
            .contains(&format!("Once you start, you have {retail_minutes} minutes to finish")),
        "the page before the start says how long the session lasts"
    );
    screenshot(&b, "portal-ready").await;
    b.find(Locator::XPath("//button[normalize-space()='Start']"))
        .await
        .expect("the Start button")
        .click()
        .await
        .expect("start");
    let countdown = b
        .wait()
        .for_element(Locator::Css("#countdown"))
        .await
        .expect("countdown");
    let first = countdown.text().await.expect("time");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let later = countdown.text().await.expect("time");
    assert_ne!(first, later, "the countdown runs");
    assert!(text(&b).await.contains("Retail onboarding"));
    screenshot(&b, "portal-countdown").await;
    b.close().await.expect("close browser");
}
