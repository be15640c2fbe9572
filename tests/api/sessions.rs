//! Verification sessions: the create-session form end to end, the email to
//! recipient and cc's, and the link's clock rules driven by the app clock.

use crate::applicants::insert_applicant;
use crate::helpers::{TestApp, spawn_app};
use chrono::Duration;
use veridesk::auth::permissions::BuiltinRole;
use veridesk::flows::definition::{FlowDefinition, FlowSettings, Step, StepKind};

/// Publishes a flow with Intro, Document check and Final screen.
pub fn published_flow(app: &TestApp, name: &str, by: uuid::Uuid) -> uuid::Uuid {
    published_flow_with(app, name, by, Default::default())
}

/// A published flow with its own link expiry and session time.
pub fn published_flow_with(app: &TestApp, name: &str, by: uuid::Uuid, settings: FlowSettings) -> uuid::Uuid {
    let steps = [StepKind::Intro, StepKind::DocumentCheck, StepKind::FinalScreen]
        .iter()
        .map(|k| Step {
            id: uuid::Uuid::new_v4(),
            config: k.default_config(None).expect("config"),
        })
        .collect();
    let def = FlowDefinition { settings, steps };
    let mut conn = app.pool.get().expect("conn");
    let id = veridesk::flows::queries::create(&mut conn, name, "regular", &def, by, app.clock.now()).expect("flow");
    veridesk::flows::queries::publish(&mut conn, id, by, app.clock.now())
        .expect("publish")
        .expect("published");
    id
}

pub fn link_in(page: &str) -> String {
    let marker = "id=\"session-url\"";
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("no link on the page: {page}"));
    let before = &page[..at];
    let start = before.rfind("value=\"").expect("value") + "value=\"".len();
    before[start..].split('"').next().expect("link").to_string()
}

/// Where the session confirmation asks for its email's delivery state.
pub fn delivery_status_url(confirmation: &str) -> String {
    confirmation
        .split("data-url=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the confirmation follows the email")
        .to_string()
}

/// The delivery state (JSON) once it reads `status`.
async fn wait_for_delivery(app: &TestApp, url: &str, status: &str) -> String {
    crate::helpers::eventually(&format!("the email to be {status}"), async || {
        let delivery = app.get(url).await.body;
        if delivery.contains(&format!("\"status\":\"{status}\"")) {
            Ok(delivery)
        } else {
            Err(delivery)
        }
    })
    .await
}

/// The seconds the countdown on `page` starts from.
fn seconds_left(page: &str) -> i64 {
    let marker = "data-seconds-left=\"";
    let at = page.find(marker).unwrap_or_else(|| panic!("a countdown: {page}")) + marker.len();
    page[at..]
        .split('"')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("whole seconds")
}

/// Whether the countdown on `page` starts from `expected` seconds, or a
/// little less: the app's clock is the real one moved, and a busy machine
/// may spend a second or two between the start and the page.
fn counts_down_from(page: &str, expected: i64) -> bool {
    (expected - 5..=expected).contains(&seconds_left(page))
}

pub fn path_of(app: &TestApp, url: &str) -> String {
    url.trim_start_matches(&app.address).to_string()
}

/// The applicant presses Start on their link's page (a path): the session
/// clock starts. Returns the page they land on.
pub async fn start_session(visitor: &TestApp, link: &str) -> crate::helpers::Page {
    let answer = visitor.post_raw(link, &[]).await;
    answer.assert_redirect(link);
    visitor
        .get(answer.location.as_deref().expect("where the start leads"))
        .await
}

pub fn session_fields<'a>(flow: &'a str, expiry: &'a str, unit: &'a str, minutes: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("flow_id", flow),
        ("expiry_value", expiry),
        ("expiry_unit", unit),
        ("session_minutes", minutes),
    ]
}

#[actix_web::test]
async fn create_session_emails_the_link_to_recipient_and_cc_and_the_link_opens() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Retail onboarding", officer).to_string();
    let applicant = insert_applicant(&app, "Ana Lima", "ANA-1", "INIT", 5);
    let form = app.get(&format!("/applicants/{applicant}/sessions/new")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Retail onboarding") && form.body.contains("value=\"ana-1@example.test\""));

    let mut fields = session_fields(&flow, "2", "days", "20");
    fields.extend([
        ("send_email", "on"),
        ("recipient", "ana-1@example.test"),
        // A name pasted from an address book, with a comma inside its quotes.
        ("cc", "compliance@example.test, \"Smith, Ann\" <manager@example.test>"),
        ("subject", "Verify your identity with {{company_name}}"),
        (
            "body",
            "Hello {{applicant_name}},\n\nPlease verify here: {{session_url}}\n\nValid until {{link_expires_at}}.",
        ),
    ]);
    let created = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(created.body.contains("20 minutes") && created.body.contains("queued"));
    let url = link_in(&created.body);
    assert!(url.starts_with(&format!("{}/v/", app.address)));

    let email = app.email_to("ana-1@example.test", "Verify your identity").await;
    let status_url = delivery_status_url(&created.body);
    let delivery = wait_for_delivery(&app, &status_url, "sent").await;
    assert!(delivery.contains("\"status\":\"sent\""), "{delivery}");
    let fetched = app
        .client
        .get(format!("{}{status_url}", app.address))
        .send()
        .await
        .expect("GET");
    assert_eq!(
        fetched.headers().get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "a mail server's reply, which may name the address, is not cached"
    );
    let elsewhere = status_url.replace(&applicant.to_string(), &uuid::Uuid::new_v4().to_string());
    assert_eq!(app.get(&elsewhere).await.status, 404, "only the applicant's own emails");
    for cc in ["compliance@example.test", "manager@example.test"] {
        assert!(
            email.to.contains(&cc.to_string()),
            "cc {cc} gets the email: {:?}",
            email.to
        );
    }
    assert!(email.text.contains("Hello Ana Lima") && email.text.contains(&url) && email.text.contains("UTC"));
    assert!(email.html.contains(&format!("href=\"{url}\"")));

    let flows = app.get("/flows").await;
    let compact: String = flows.body.split_whitespace().collect();
    assert!(
        compact.contains("<tdclass=\"num\">3</td><tdclass=\"num\">1</td>"),
        "the flows list counts the applicant on the flow"
    );
    let visitor = app.new_client();
    let landing = visitor.get(&path_of(&app, &url)).await;
    assert_eq!(landing.status, 200);
    assert!(
        landing.body.contains("Retail onboarding")
            && landing.body.contains("<strong>Identity document</strong>")
            && !landing.body.contains("Document check")
            && landing.body.contains("you have <strong>20 minutes</strong> to finish")
            && landing.body.contains(">Start</button>")
            && !landing.body.contains("id=\"countdown\""),
        "the steps in the applicant's words, and a Start button: {}",
        landing.body
    );
    // Fetching the page (a mail filter does) starts nothing.
    app.advance(Duration::minutes(25));
    let profile = app.get(&format!("/applicants/{applicant}")).await;
    assert!(
        profile.body.contains("Not started yet") && profile.body.contains("Not initiated"),
        "{}",
        profile.body
    );
    let opens = || -> i32 {
        use diesel::prelude::*;
        use veridesk::db::schema::session_links;
        let mut conn = app.pool.get().expect("conn");
        session_links::table
            .filter(session_links::applicant_id.eq(applicant))
            .select(session_links::open_count)
            .first(&mut conn)
            .expect("link")
    };
    assert_eq!(opens(), 1, "a view before the start counts as an open");
    // A link checker asks first (HEAD): answered, and no open.
    let head = visitor
        .client
        .head(format!("{}{}", app.address, path_of(&app, &url)))
        .send()
        .await
        .expect("HEAD");
    assert_eq!(head.status(), 200);
    assert_eq!(opens(), 1, "a HEAD is no open");
    let started = start_session(&visitor, &path_of(&app, &url)).await;
    assert_eq!(opens(), 1, "the start, and the page it leads to, are no opens");
    assert!(
        started.body.contains("id=\"countdown\"")
            && counts_down_from(&started.body, 20 * 60)
            && !started.body.contains("Welcome back"),
        "the clock starts at Start: {}",
        started.body
    );
    // Opened again a few seconds later, in another browser: a resume.
    app.advance(Duration::seconds(15));
    let again = app.new_client().get(&path_of(&app, &url)).await;
    assert!(
        again.body.contains("Welcome back") && counts_down_from(&again.body, 20 * 60 - 15),
        "{}",
        again.body
    );
    assert_eq!(opens(), 2);
    // The starting browser's reload is an open too: only its first look
    // after the start is the start's own page.
    let reload = visitor.get(&path_of(&app, &url)).await;
    assert!(reload.body.contains("Welcome back"));
    assert_eq!(opens(), 3);
    let profile = app.get(&format!("/applicants/{applicant}")).await;
    assert!(profile.body.contains("Started, session running") && profile.body.contains("Incomplete"));
    assert!(profile.body.contains("Applicant started the session"));
    assert!(
        profile.body.contains("Verification link opened") && profile.body.contains("ana-1@example.test · sent"),
        "{}",
        profile.body
    );
}

#[actix_web::test]
async fn bad_session_forms_are_refused_with_what_was_typed() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Onboarding", officer).to_string();
    let applicant = insert_applicant(&app, "Ben Okafor", "BEN-1", "INIT", 5);
    let path = format!("/applicants/{applicant}/sessions");
    let nine: String = (0..9)
        .map(|i| format!("cc{i}@example.test"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut fields = session_fields(&flow, "31", "days", "4");
    fields.extend([
        ("send_email", "on"),
        ("recipient", "ben@example.test"),
        ("cc", &nine),
        ("subject", "Hi {{nickname}}"),
        ("body", "Please verify soon."),
    ]);
    let refused = app.post(&path, &fields).await;
    assert_eq!(refused.status, 422);
    for message in [
        "1 hour to 30 days",
        "5 to 60 minutes",
        "At most 8 cc addresses",
        "Unknown placeholder {{nickname}}",
        "must contain {{session_url}}",
    ] {
        assert!(refused.body.contains(message), "missing {message}");
    }
    assert!(refused.body.contains("Please verify soon.") && refused.body.contains("cc8@example.test"));
    let fraction = app.post(&path, &session_fields(&flow, "2", "days", "5.5")).await;
    assert_eq!(fraction.status, 422);
    assert!(
        fraction
            .body
            .contains("Give the session time in whole minutes, from 5 to 60.")
            && fraction.body.contains("value=\"5.5\""),
        "{}",
        fraction.body
    );
    // Each message is tied to its field for screen readers, also on the
    // fields the page draws by hand.
    for field in ["cc", "body", "expiry_value", "session_minutes", "subject"] {
        let tag_start = refused.body.find(&format!("id=\"f-{field}\"")).expect("the field");
        let tag = &refused.body[tag_start..tag_start + refused.body[tag_start..].find('>').expect("tag end")];
        assert!(
            tag.contains(&format!("aria-describedby=\"e-{field}\"")) && tag.contains("aria-invalid=\"true\""),
            "{field}: {tag}"
        );
    }
    let mut fields = session_fields(&flow, "2", "days", "30");
    fields.extend([
        ("send_email", "on"),
        ("recipient", "ben@example.test"),
        ("subject", "Your link: {{session_url}}"),
        ("body", "Start here: {{session_url}}"),
    ]);
    let in_subject = app.post(&path, &fields).await;
    assert_eq!(in_subject.status, 422);
    assert!(in_subject.body.contains("The link cannot go in the subject"));
    let mut fields = session_fields(&flow, "2", "days", "30");
    let gone = uuid::Uuid::new_v4().to_string();
    fields.extend([
        ("send_email", "on"),
        ("recipient", "ben@example.test"),
        ("template_id", gone.as_str()),
        ("subject", "Verify\u{1b}[31m now"),
        ("body", "Start here:\u{7} {{session_url}}"),
    ]);
    let odd = app.post(&path, &fields).await;
    assert_eq!(odd.status, 422);
    assert!(
        odd.body.contains("That template no longer exists")
            && odd.body.contains("without control characters")
            && odd.body.contains("The body contains a control character (U+0007)"),
        "{}",
        odd.body
    );
    let archived_flow = published_flow(&app, "Old", officer);
    {
        let mut conn = app.pool.get().expect("conn");
        veridesk::flows::queries::set_archived(
            &mut conn,
            archived_flow,
            Some(app.clock.now()),
            officer,
            app.clock.now(),
        )
        .expect("archive");
    }
    let archived = app
        .post(&path, &session_fields(&archived_flow.to_string(), "1", "days", "30"))
        .await;
    assert_eq!(archived.status, 422);
    assert!(archived.body.contains("Choose a published flow"));
}

/// A link that runs out is closed by the server's sweep, and the timeline
/// says so at the time it ran out, once, whether or not anyone opens it.
#[actix_web::test]
async fn a_link_that_runs_out_is_on_the_timeline() {
    use veridesk::verifications::queries::close_lapsed_links;
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Clocked", officer).to_string();
    let path = |applicant: uuid::Uuid| format!("/applicants/{applicant}/sessions");
    let started = insert_applicant(&app, "Cleo Park", "CLEO-1", "INIT", 5);
    let waiting = insert_applicant(&app, "Dan Moss", "DAN-1", "INIT", 5);
    let link = link_in(
        &app.post(&path(started), &session_fields(&flow, "2", "hours", "30"))
            .await
            .body,
    );
    app.post(&path(waiting), &session_fields(&flow, "1", "hours", "30"))
        .await;
    start_session(&app.new_client(), &path_of(&app, &link)).await;
    let sweep = || close_lapsed_links(&mut app.pool.get().expect("conn"), app.clock.now()).expect("sweep");
    assert_eq!(sweep(), 0, "nothing ran out yet");

    app.advance(Duration::minutes(31));
    assert_eq!(sweep(), 1, "the session time ran out");
    app.advance(Duration::minutes(30));
    assert_eq!(sweep(), 1, "the unopened link expired");
    assert_eq!(sweep(), 0, "each once");
    app.sign_in("compliance-officer@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    for (applicant, why) in [(started, "the session time ran out"), (waiting, "the link expired")] {
        let profile = app.get(&format!("/applicants/{applicant}")).await;
        assert!(
            profile.body.contains("Verification link ran out") && profile.body.contains(why),
            "{why}: {}",
            profile.body
        );
    }
    // Opening it now says it ran out, and records no second lapse.
    assert_eq!(app.new_client().get(&path_of(&app, &link)).await.status, 410);
    let lapses = app.event_kinds().iter().filter(|k| *k == "link.lapsed").count();
    assert_eq!(lapses, 2);
}

/// The timeline says which browser opened the link in a few words; the
/// full user-agent string stays in the title for whoever needs it.
#[actix_web::test]
async fn the_timeline_names_the_browser_a_link_was_opened_with() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Clocked", officer).to_string();
    let applicant = insert_applicant(&app, "Cleo Park", "CLEO-1", "INIT", 5);
    let link = link_in(
        &app.post(
            &format!("/applicants/{applicant}/sessions"),
            &session_fields(&flow, "2", "hours", "30"),
        )
        .await
        .body,
    );
    let phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/124.0.6367.82 Mobile Safari/537.36";
    let opened = reqwest::Client::new()
        .get(&link)
        .header(reqwest::header::USER_AGENT, phone)
        .send()
        .await
        .expect("open");
    assert_eq!(opened.status(), 200);
    let profile = app.get(&format!("/applicants/{applicant}")).await;
    assert!(
        profile.body.contains(&format!(
            "<span class=\"user-agent\" title=\"{phone}\">Chrome 124 on Android</span>"
        )),
        "{}",
        profile.body
    );
    let admin = app.new_client();
    admin.signed_in_as(BuiltinRole::Admin).await;
    let audit = admin.get("/audit").await;
    assert!(
        audit
            .body
            .contains(&format!("title=\"{phone}\">Chrome 124 on Android</span>"))
    );
}

#[actix_web::test]
async fn links_follow_their_clock_and_are_replaced_blocked_or_expired() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Clocked", officer).to_string();
    let applicant = insert_applicant(&app, "Cleo Park", "CLEO-1", "INIT", 5);
    let path = format!("/applicants/{applicant}/sessions");
    let visitor = app.new_client();

    let first = link_in(&app.post(&path, &session_fields(&flow, "2", "hours", "30")).await.body);
    let first = path_of(&app, &first);
    assert_eq!(start_session(&visitor, &first).await.status, 200);
    app.advance(Duration::minutes(10));
    // Start pressed again (a second tab): the clock does not start over.
    let resumed = start_session(&visitor, &first).await;
    assert_eq!(resumed.status, 200);
    assert!(
        resumed.body.contains("continue where you left off") && counts_down_from(&resumed.body, 20 * 60),
        "the session clock keeps running"
    );
    app.advance(Duration::minutes(21));
    let ran_out = visitor.get(&first).await;
    assert_eq!(ran_out.status, 410);
    assert!(ran_out.body.contains("session time ran out"));

    let second = path_of(
        &app,
        &link_in(&app.post(&path, &session_fields(&flow, "2", "hours", "30")).await.body),
    );
    let third = path_of(
        &app,
        &link_in(&app.post(&path, &session_fields(&flow, "2", "hours", "30")).await.body),
    );
    let replaced = visitor.get(&second).await;
    assert_eq!(replaced.status, 410);
    assert!(replaced.body.contains("replaced"));

    {
        use diesel::prelude::*;
        use veridesk::db::schema::session_links;
        let mut conn = app.pool.get().expect("conn");
        let hash = veridesk::domain::SecretToken::hash(third.trim_start_matches("/v/"));
        let id: uuid::Uuid = session_links::table
            .filter(session_links::token_hash.eq(hash))
            .select(session_links::id)
            .first(&mut conn)
            .expect("link");
        for _ in 0..9 {
            assert!(!veridesk::verifications::queries::record_failed_attempt(&mut conn, id).expect("attempt"));
        }
        assert!(
            veridesk::verifications::queries::record_failed_attempt(&mut conn, id).expect("attempt"),
            "the 10th failure blocks"
        );
    }
    let blocked = visitor.get(&third).await;
    assert_eq!(blocked.status, 410);
    assert!(blocked.body.contains("blocked"));

    let fourth = path_of(
        &app,
        &link_in(&app.post(&path, &session_fields(&flow, "1", "hours", "30")).await.body),
    );
    app.advance(Duration::minutes(61));
    let expired = start_session(&visitor, &fourth).await;
    assert_eq!(expired.status, 410, "an expired link cannot be started");
    assert!(expired.body.contains("has expired"));
    visitor
        .post_raw("/v/not-a-real-token", &[])
        .await
        .assert_redirect("/v/not-a-real-token");
    assert_eq!(visitor.get("/v/not-a-real-token").await.status, 404);

    // A session opened close to the link's expiry ends with the link.
    // (The hours that passed ended the officer's idle session.)
    app.sign_in("compliance-officer@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    let fifth = path_of(
        &app,
        &link_in(&app.post(&path, &session_fields(&flow, "1", "hours", "60")).await.body),
    );
    app.advance(Duration::minutes(40));
    // Whole minutes, never more than there is: 19 once a second has passed.
    let before = visitor.get(&fifth).await.body;
    assert!(
        ["20", "19"]
            .iter()
            .any(|m| before.contains(&format!("you have <strong>{m} minutes</strong> to finish"))),
        "the page before the start promises only the time the link has left: {before}"
    );
    let late = start_session(&visitor, &fifth).await;
    assert_eq!(late.status, 200);
    assert!(
        counts_down_from(&late.body, 20 * 60),
        "20 minutes are left of the link, not 60 of the session: {}",
        late.body
    );
}

/// Sending links is the busiest write path. Its statements stay prepared on
/// the connection (see `db::kept_update`) instead of being parsed and planned
/// on every call, and those that read a partial index keep a generic plan
/// that uses it: with the index's condition bound as parameters instead,
/// PostgreSQL would plan them afresh each time.
#[actix_web::test]
async fn link_statements_stay_prepared_with_plans_that_use_their_indexes() {
    use crate::helpers::{generic_plan, prepared};
    use diesel::prelude::*;
    let app = spawn_app().await;
    let owner = app.create_member(BuiltinRole::Owner, "own@example.test");
    let flow = published_flow(&app, "Standard", owner);
    let applicant = insert_applicant(&app, "Ana Lima", "ANA-1", "INIT", 5);
    let mut conn = app.pool.get().expect("conn");

    for _ in 0..2 {
        veridesk::verifications::queries::revoke_links(&mut conn, applicant, "test", app.clock.now()).expect("revoke");
    }
    let revoke = "UPDATE \"session_links\" SET";
    assert_eq!(prepared(&mut conn, revoke), 1);
    let plan = generic_plan(&mut conn, revoke, &format!("'REVOKED', now(), 'test', '{applicant}'"));
    assert!(plan.contains("session_links_live_idx"), "{plan}");

    // Flows of different lengths share one insert of their step results.
    let usable = veridesk::verifications::queries::usable_flow(&mut conn, flow)
        .expect("flow")
        .expect("usable");
    let mut shorter = usable.definition.clone();
    shorter.steps.truncate(1);
    for definition in [&usable.definition, &shorter] {
        veridesk::verifications::queries::start(
            &mut conn,
            applicant,
            flow,
            usable.version_id,
            "regular",
            definition,
            None,
            app.clock.now(),
        )
        .expect("verification");
    }
    assert_eq!(
        prepared(&mut conn, "INSERT INTO \"step_results\""),
        1,
        "step results too"
    );
    let written: i64 = veridesk::db::schema::step_results::table
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(written as usize, usable.definition.steps.len() + 1);

    let actor = veridesk::audit::Actor::system("test");
    for _ in 0..2 {
        veridesk::audit::record(
            &mut conn,
            app.clock.now(),
            &actor,
            veridesk::audit::EventKind::LinkOpened,
            None,
            serde_json::json!({}),
        )
        .expect("event");
    }
    assert_eq!(prepared(&mut conn, "INSERT INTO \"events\""), 1, "timeline events too");

    for _ in 0..2 {
        veridesk::outbox::queries::claim_due(&mut conn, app.clock.now(), 20).expect("claim");
    }
    let claim = "UPDATE \"outbox_messages\" SET \"attempts\"";
    assert_eq!(prepared(&mut conn, claim), 1, "the outbox claim too");
    let plan = generic_plan(&mut conn, claim, "1, now(), now(), 20");
    assert!(plan.contains("outbox_due_idx"), "{plan}");

    // Cancelling a revoked link's email finds it by id, not by walking the
    // queue of waiting emails.
    for _ in 0..2 {
        veridesk::outbox::queries::cancel_waiting(&mut conn, &[uuid::Uuid::nil()], "test").expect("cancel");
    }
    let cancel = "UPDATE \"outbox_messages\" SET \"status\" = $1, \"last_error\"";
    assert_eq!(prepared(&mut conn, cancel), 1, "the cancel too");
    let plan = generic_plan(
        &mut conn,
        cancel,
        &format!("'cancelled', 'test', ARRAY['{}']::uuid[]", uuid::Uuid::nil()),
    );
    assert!(plan.contains("outbox_messages_pkey"), "{plan}");
}

/// The database itself refuses a link whose applicant is not its
/// verification's applicant.
#[actix_web::test]
async fn a_link_belongs_to_its_verifications_applicant() {
    use veridesk::verifications::queries::{NewLink, create_link, start, usable_flow};
    let app = spawn_app().await;
    let owner = app.create_member(BuiltinRole::Owner, "own@example.test");
    let flow = published_flow(&app, "Standard", owner);
    let (ana, ben) = (
        insert_applicant(&app, "Ana Lima", "ANA-1", "INIT", 5),
        insert_applicant(&app, "Ben Okafor", "BEN-1", "INIT", 4),
    );
    let mut conn = app.pool.get().expect("conn");
    let usable = usable_flow(&mut conn, flow).expect("flow").expect("usable");
    let now = app.clock.now();
    let verification = start(
        &mut conn,
        ana,
        flow,
        usable.version_id,
        "regular",
        &usable.definition,
        None,
        now,
    )
    .expect("verification");
    let link = |applicant, hash: &'static [u8]| NewLink {
        applicant,
        verification,
        token_hash: hash,
        expires_at: now + Duration::days(1),
        session_minutes: 30,
        max_attempts: 10,
        email_message: None,
        created_by: None,
        note: None,
    };
    assert!(
        create_link(&mut conn, link(ben, b"for-ben"), now).is_err(),
        "not Ben's verification"
    );
    create_link(&mut conn, link(ana, b"for-ana"), now).expect("Ana's link");
}

/// Two officers on one applicant: the session form shown before the other's
/// change is refused with who changed what, and keeps what was typed.
#[actix_web::test]
async fn a_session_form_shown_before_another_officers_change_is_refused() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Standard", officer).to_string();
    let applicant = insert_applicant(&app, "Ana Lima", "ANA-1", "INIT", 5);
    let form = app.get(&format!("/applicants/{applicant}/sessions/new")).await;
    let seen = form
        .body
        .split("name=\"lock_version\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form carries the applicant's version")
        .to_string();

    let other = app.new_client();
    other.create_member(BuiltinRole::ComplianceOfficer, "second@example.test");
    other
        .sign_in("second@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    let theirs = other
        .post(
            &format!("/applicants/{applicant}/sessions"),
            &[
                session_fields(&flow, "2", "days", "30"),
                vec![("lock_version", seen.as_str())],
            ]
            .concat(),
        )
        .await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);

    let mut fields = session_fields(&flow, "5", "days", "45");
    fields.extend([("lock_version", seen.as_str()), ("subject", "My own subject")]);
    let mine = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(mine.status, 409, "{}", mine.body);
    assert!(
        mine.body
            .contains("changed by Test Compliance officer meanwhile. Last change: "),
        "{}",
        mine.body
    );
    assert!(mine.body.contains("value=\"45\"") && mine.body.contains("My own subject"));
    assert!(!mine.body.contains("id=\"session-url\""), "no link was made");
}

/// A change meanwhile that leaves what a new session depends on as it was
/// (a reviewer assigned) does not refuse the session form; a new link made
/// meanwhile (another officer's restart) does.
#[actix_web::test]
async fn a_session_form_goes_through_an_unrelated_change_but_not_a_new_link() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Standard", officer).to_string();
    let applicant = insert_applicant(&app, "Ana Lima", "ANA-1", "INIT", 5);
    let hidden = |page: &str, name: &str| -> String {
        page.split(&format!("name=\"{name}\" value=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("the form carries {name}"))
            .to_string()
    };
    let other = app.new_client();
    let second = other.create_member(BuiltinRole::ComplianceOfficer, "second@example.test");
    other
        .sign_in("second@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    let path = format!("/applicants/{applicant}/sessions");
    let mine = async |form: &str| {
        let (version, state) = (hidden(form, "lock_version"), hidden(form, "seen_state"));
        let mut fields = session_fields(&flow, "5", "days", "45");
        fields.extend([("lock_version", version.as_str()), ("seen_state", state.as_str())]);
        app.post(&path, &fields).await
    };

    let form = app.get(&format!("/applicants/{applicant}/sessions/new")).await.body;
    other
        .post(
            &format!("/applicants/{applicant}/reviewer"),
            &[
                ("reviewer_id", second.to_string().as_str()),
                ("lock_version", hidden(&form, "lock_version").as_str()),
            ],
        )
        .await
        .assert_redirect(&format!("/applicants/{applicant}"));
    let through = mine(&form).await;
    assert_eq!(through.status, 200, "a reviewer assigned meanwhile: {}", through.body);
    assert!(through.body.contains("id=\"session-url\""));

    let form = app.get(&format!("/applicants/{applicant}/sessions/new")).await.body;
    let restarted = other
        .post(
            &format!("/applicants/{applicant}/links"),
            &[("lock_version", hidden(&form, "lock_version").as_str())],
        )
        .await;
    assert!(restarted.status < 400, "{}", restarted.body);
    let refused = mine(&form).await;
    assert_eq!(refused.status, 409, "a link made meanwhile: {}", refused.body);
    assert!(
        refused
            .body
            .contains("meanwhile. Last change: new link generated (restart). No session was created")
            && refused.body.contains("value=\"45\"")
    );
}

/// A saved template chosen on the session form is the email sent, also
/// when the page's script did not copy it into the fields.
#[actix_web::test]
async fn a_saved_template_is_the_email_sent() {
    use diesel::prelude::*;
    use veridesk::db::schema::email_templates;
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Standard", officer).to_string();
    let applicant = insert_applicant(&app, "Ana Lima", "ANA-1", "INIT", 5);
    app.post(
        "/email-templates",
        &[
            ("name", "Friendly"),
            ("language", "de"),
            ("subject", "A friendly check from {{company_name}}"),
            (
                "body",
                "Hi {{applicant_name}}! Your link: {{session_url}} (until {{link_expires_at}})",
            ),
        ],
    )
    .await
    .assert_redirect("/email-templates");
    let template: uuid::Uuid = {
        let mut conn = app.pool.get().expect("conn");
        email_templates::table
            .select(email_templates::id)
            .first(&mut conn)
            .expect("template")
    };
    let template = template.to_string();
    let form = app.get(&format!("/applicants/{applicant}/sessions/new")).await;
    assert!(
        form.body.contains(">Friendly, in German (Deutsch)</option>")
            && form
                .body
                .contains("The applicant reads English; a template in another language says so"),
        "a template in another language than the applicant's says so: {}",
        form.body
    );
    let mut fields = session_fields(&flow, "2", "days", "30");
    fields.extend([
        ("send_email", "on"),
        ("recipient", "ana-1@example.test"),
        ("template_id", template.as_str()),
        ("subject", veridesk::email_templates::DEFAULT_SUBJECT),
        ("body", veridesk::email_templates::DEFAULT_BODY),
    ]);
    let created = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let email = app.email_to("ana-1@example.test", "A friendly check from").await;
    assert!(email.text.contains("Hi Ana Lima! Your link: http://"), "{}", email.text);
    // The email is in the template's language throughout: its date and
    // footer are not English in the middle of German.
    assert!(
        email.text.contains(" UTC)") && email.text.contains("Gesendet von Veridesk im Auftrag von"),
        "{}",
        email.text
    );
    let expiry = veridesk::email_templates::placeholders::format_expiry(app.clock.now() + Duration::days(2), "de");
    assert!(
        email.text.contains(&format!("(until {expiry})")),
        "the expiry reads in German ({expiry}): {}",
        email.text
    );
}

/// When the mail server is down, the confirmation reports the email as
/// retrying, with the reason.
#[actix_web::test]
async fn an_email_that_cannot_be_delivered_shows_as_retrying_with_the_reason() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Options {
        smtp_down: true,
        ..Default::default()
    })
    .await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Standard", officer).to_string();
    let applicant = insert_applicant(&app, "Ana Lima", "ANA-1", "INIT", 5);
    let mut fields = session_fields(&flow, "2", "days", "30");
    fields.extend([
        ("send_email", "on"),
        ("recipient", "ana-1@example.test"),
        ("subject", "Verify"),
        ("body", "Start: {{session_url}}"),
    ]);
    let created = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let delivery = wait_for_delivery(&app, &delivery_status_url(&created.body), "retrying").await;
    assert!(
        delivery.contains("\"status\":\"retrying\"") && delivery.contains("\"detail\":\"attempt 1: "),
        "{delivery}"
    );
    // A new session replaces the link: its email, not gone yet, never will.
    let replaced = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let first = app.get(&delivery_status_url(&created.body)).await.body;
    assert!(
        first.contains("\"status\":\"cancelled\"")
            && first.contains("its link was withdrawn (replaced by a new verification session)"),
        "{first}"
    );
}

/// A server that refuses the mailbox for good (550) fails the email at
/// once, with its reason, instead of retrying it for hours; a permanent
/// reply about the server's settings (530) is retried, as every email
/// would meet it until the settings are fixed; a refused cc costs only
/// its own copy.
#[actix_web::test]
async fn an_email_refused_for_good_fails_at_once_with_the_reason() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Standard", officer).to_string();
    let applicant = insert_applicant(&app, "Ana Lima", "ANA-1", "INIT", 5);
    let recipient = format!("ana{}", crate::helpers::UNKNOWN_MAILBOX_DOMAIN);
    let mut fields = session_fields(&flow, "2", "days", "30");
    fields.extend([
        ("send_email", "on"),
        ("recipient", recipient.as_str()),
        ("subject", "Verify"),
        ("body", "Start: {{session_url}}"),
    ]);
    let created = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let delivery = wait_for_delivery(&app, &delivery_status_url(&created.body), "failed").await;
    assert!(
        delivery.contains("\"status\":\"failed\"") && delivery.contains("Mailbox unavailable"),
        "{delivery}"
    );
    let timeline = app.get(&format!("/applicants/{applicant}")).await.body;
    assert!(
        timeline.contains("Verification link email queued") && timeline.contains("Email could not be delivered"),
        "the failure is on the applicant's timeline, beside the email it ends: {timeline}"
    );
    let recipient = format!("ana{}", crate::helpers::AUTH_REQUIRED_DOMAIN);
    fields.retain(|(name, _)| *name != "recipient");
    fields.push(("recipient", recipient.as_str()));
    let again = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(again.status, 200, "{}", again.body);
    let delivery = wait_for_delivery(&app, &delivery_status_url(&again.body), "retrying").await;
    assert!(delivery.contains("\"status\":\"retrying\""), "{delivery}");

    // A cc refused for good does not keep the link from the applicant:
    // their copy goes, and the refused cc is named.
    let refused_cc = format!("typo{}", crate::helpers::UNKNOWN_MAILBOX_DOMAIN);
    fields.retain(|(name, _)| *name != "recipient");
    fields.extend([("recipient", "ana-1@example.test"), ("cc", &refused_cc)]);
    let with_cc = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(with_cc.status, 200, "{}", with_cc.body);
    app.email_to("ana-1@example.test", "Verify").await;
    let delivery = wait_for_delivery(&app, &delivery_status_url(&with_cc.body), "sent").await;
    assert!(
        delivery.contains("\"status\":\"sent\"")
            && delivery.contains("\"badge\":\"warning\"")
            && delivery.contains("\"detail\":\"but not delivered to cc typo@no-such-mailbox.test"),
        "{delivery}"
    );

    // The recipient refused for good, a cc fine: the cc still gets their
    // copy, and the failure says so.
    let refused_recipient = format!("gone{}", crate::helpers::UNKNOWN_MAILBOX_DOMAIN);
    let ccs = format!("compliance@example.test, later{}", crate::helpers::GREYLISTING_DOMAIN);
    fields.retain(|(name, _)| *name != "recipient" && *name != "cc");
    fields.extend([("recipient", refused_recipient.as_str()), ("cc", ccs.as_str())]);
    let bounced = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(bounced.status, 200, "{}", bounced.body);
    let delivery = wait_for_delivery(&app, &delivery_status_url(&bounced.body), "failed").await;
    assert!(
        delivery.contains("\"status\":\"failed\"")
            && delivery.contains("the copy went to cc compliance@example.test all the same")
            && delivery.contains("put off by their server; retried on its own"),
        "{delivery}"
    );
    // The cc put off gets a copy of its own, made from the failed email.
    let (_, _, _, made_from) = cc_copy_tried(
        &mut app.pool.get().expect("conn"),
        &format!("later{}", crate::helpers::GREYLISTING_DOMAIN),
        None,
    )
    .await;
    assert!(made_from.is_some(), "a copy of its own for the cc put off");
    let copy = app.email_to("compliance@example.test", "Verify").await;
    assert_eq!(copy.link(&app.address), link_in(&bounced.body));
    // Sent again to the applicant's own address: the cc, who has the
    // email, does not get it twice.
    let profile = app.get(&format!("/applicants/{applicant}")).await;
    send_again_from(&app, &profile.body)
        .await
        .assert_redirect(&format!("/applicants/{applicant}"));
    let again: (String, Vec<String>) = {
        use diesel::prelude::*;
        use veridesk::db::schema::outbox_messages;
        outbox_messages::table
            .filter(outbox_messages::applicant_id.eq(applicant))
            .order((outbox_messages::created_at.desc(), outbox_messages::id.desc()))
            .select((outbox_messages::to_address, outbox_messages::cc_addresses))
            .first(&mut app.pool.get().expect("conn"))
            .expect("the copy")
    };
    assert_eq!(again, ("ana-1@example.test".to_string(), Vec::<String>::new()));
}

/// The newest outbox copy made for the cc `to`, once the worker has tried
/// it (it is put off again, so "retrying"), and made from another email
/// than `not_from`: (id, its cc, status, the email it was made from). The
/// test moves a copy on only after that attempt, which would undo it.
async fn cc_copy_tried(
    conn: &mut diesel::PgConnection,
    to: &str,
    not_from: Option<uuid::Uuid>,
) -> (uuid::Uuid, Vec<String>, String, Option<uuid::Uuid>) {
    use diesel::prelude::*;
    use veridesk::db::schema::outbox_messages;
    crate::helpers::eventually("the cc's copy to be tried", async || {
        let found: Option<(uuid::Uuid, Vec<String>, String, Option<uuid::Uuid>)> = outbox_messages::table
            .filter(outbox_messages::to_address.eq(to))
            // The test's clock stands still: the time-ordered ids tell.
            .order((outbox_messages::created_at.desc(), outbox_messages::id.desc()))
            .select((
                outbox_messages::id,
                outbox_messages::cc_addresses,
                outbox_messages::status,
                outbox_messages::cc_copy_of,
            ))
            .first(conn)
            .optional()
            .expect("the cc's copies");
        match found {
            Some(found) if found.3 != not_from && found.2 == "retrying" => Ok(found),
            other => Err(format!("{other:?}")),
        }
    })
    .await
}

/// A cc whose server says "try later" does not hold the applicant's email
/// back: it goes now, and that cc gets a copy of its own, retried like any
/// email, while the link can still be used; its failure is said where the
/// officer looks.
#[actix_web::test]
async fn a_cc_put_off_by_its_server_gets_its_own_copy_while_the_link_lives() {
    use diesel::prelude::*;
    use veridesk::db::schema::outbox_messages;
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Standard", officer).to_string();
    let applicant = insert_applicant(&app, "Ana Lima", "ANA-1", "INIT", 5);
    let greylisted_cc = format!("boss{}", crate::helpers::GREYLISTING_DOMAIN);
    let ccs = format!("{greylisted_cc}, team@example.test");
    let mut fields = session_fields(&flow, "2", "days", "30");
    fields.extend([
        ("send_email", "on"),
        ("subject", "Verify"),
        ("body", "Start: {{session_url}}"),
        ("recipient", "ana-2@example.test"),
        ("cc", &ccs),
    ]);
    let put_off = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(put_off.status, 200, "{}", put_off.body);
    let email = app.email_to("ana-2@example.test", "Verify").await;
    assert_eq!(
        email.to,
        vec!["ana-2@example.test".to_string()],
        "the applicant's copy, alone"
    );
    app.email_to("team@example.test", "Verify").await;
    let delivery = wait_for_delivery(&app, &delivery_status_url(&put_off.body), "sent").await;
    assert!(
        delivery.contains("\"status\":\"sent\"")
            && delivery.contains("cc boss@greylisting.test put off by their server"),
        "{delivery}"
    );
    let mut conn = app.pool.get().expect("conn");
    let (copy, cc, _, original) = cc_copy_tried(&mut conn, &greylisted_cc, None).await;
    assert!(cc.is_empty(), "the copy goes to that cc alone");

    // Its last attempt fails: the email it was made from says so, and the
    // profile shows that note with the link's email.
    diesel::update(outbox_messages::table.find(copy))
        .set((
            outbox_messages::attempts.eq(outbox_messages::max_attempts - 1),
            outbox_messages::next_attempt_at.eq(app.clock.now()),
        ))
        .execute(&mut conn)
        .expect("last attempt");
    let note = crate::helpers::eventually("the link's email to note the copy's failure", async || {
        let note = outbox_messages::table
            .find(original.expect("made from the link's email"))
            .select(outbox_messages::last_error)
            .first::<Option<String>>(&mut conn)
            .expect("note")
            .unwrap_or_default();
        if note.contains("failed") { Ok(note) } else { Err(note) }
    })
    .await;
    assert!(note.contains("the copy to cc boss@greylisting.test failed"), "{note}");
    let holds_token = |conn: &mut diesel::PgConnection, id: uuid::Uuid| -> bool {
        let (text, html): (String, String) = outbox_messages::table
            .find(id)
            .select((outbox_messages::body_text, outbox_messages::body_html))
            .first(conn)
            .expect("body");
        let token = regex::Regex::new("/v/[A-Za-z0-9_-]{20}").expect("regex");
        token.is_match(&text) || token.is_match(&html)
    };
    assert!(
        !holds_token(&mut conn, copy),
        "a failed cc copy is never sent again, so it keeps no token"
    );
    assert!(
        app.get(&format!("/applicants/{applicant}"))
            .await
            .body
            .contains("the copy to cc boss@greylisting.test failed"),
        "the profile shows it"
    );

    // A copy whose link was withdrawn meanwhile is cancelled, not sent.
    let again = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(again.status, 200, "{}", again.body);
    let copy = cc_copy_tried(&mut conn, &greylisted_cc, original).await.0;
    veridesk::verifications::queries::revoke_links(&mut conn, applicant, "test", app.clock.now()).expect("revoke");
    diesel::update(outbox_messages::table.find(copy))
        .set(outbox_messages::next_attempt_at.eq(app.clock.now()))
        .execute(&mut conn)
        .expect("due");
    // The copy of a withdrawn link's email does not go.
    crate::helpers::eventually("the copy to be cancelled", async || {
        let status: String = outbox_messages::table
            .find(copy)
            .select(outbox_messages::status)
            .first(&mut conn)
            .expect("status");
        if status == "cancelled" { Ok(()) } else { Err(status) }
    })
    .await;
    assert!(!holds_token(&mut conn, copy), "nor keeps the dead link's token");
    let second_original: Option<String> = outbox_messages::table
        .filter(outbox_messages::cc_copy_of.is_null())
        .filter(outbox_messages::applicant_id.eq(applicant))
        .order((outbox_messages::created_at.desc(), outbox_messages::id.desc()))
        .select(outbox_messages::last_error)
        .first(&mut conn)
        .expect("the second email");
    assert!(
        second_original.is_some_and(|note| note.contains("the copy to cc boss@greylisting.test was not sent")),
        "the email it was made from no longer says the cc will get it"
    );
}

/// A recipient or cc the mailer cannot send to (a quoted local part, an IP
/// address for a domain) is refused on the form, next to its field, instead
/// of being queued for an outbox that could never deliver it.
#[actix_web::test]
async fn addresses_the_mailer_cannot_send_to_are_refused_on_the_form() {
    use diesel::prelude::*;
    use veridesk::db::schema::outbox_messages;
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Onboarding", officer).to_string();
    let applicant = insert_applicant(&app, "Ben Okafor", "BEN-1", "INIT", 5);
    let mut fields = session_fields(&flow, "2", "days", "30");
    fields.extend([
        ("send_email", "on"),
        ("recipient", "\"ben okafor\"@example.com"),
        ("cc", "compliance@example.test, a@[127.0.0.1]"),
        ("subject", "Verify your identity"),
        ("body", "Please verify: {{session_url}}"),
    ]);
    let refused = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("is not a valid email address.</p>"));
    assert!(
        refused
            .body
            .contains("<p class=\"error\" id=\"e-cc\">“a@[127.0.0.1]” is not a valid email address.</p>")
    );
    assert!(refused.body.contains("id=\"e-recipient\""));
    assert!(
        refused
            .body
            .contains("value=\"compliance@example.test, a@[127.0.0.1]\"")
    );
    let mut conn = app.pool.get().expect("conn");
    let queued: i64 = outbox_messages::table.count().get_result(&mut conn).expect("count");
    assert_eq!(queued, 0, "nothing was queued");
}

/// An applicant at the mistyped address `to`, and a session with an
/// email there, once its delivery reads `status`: (applicant, link).
async fn emailed_to_a_typo(app: &TestApp, to: &str, status: &str) -> (uuid::Uuid, String) {
    use diesel::prelude::*;
    use veridesk::db::schema::applicants;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(app, "Standard", officer).to_string();
    let applicant = insert_applicant(app, "Ana Lima", "ANA-1", "INIT", 5);
    let mut conn = app.pool.get().expect("conn");
    diesel::update(applicants::table.find(applicant))
        .set(applicants::email.eq(to))
        .execute(&mut conn)
        .expect("typo");
    let mut fields = session_fields(&flow, "2", "days", "30");
    fields.extend([
        ("send_email", "on"),
        ("recipient", to),
        ("subject", "Verify"),
        ("body", "Start: {{session_url}}"),
    ]);
    let created = app.post(&format!("/applicants/{applicant}/sessions"), &fields).await;
    assert_eq!(created.status, 200, "{}", created.body);
    wait_for_delivery(app, &delivery_status_url(&created.body), status).await;
    (applicant, link_in(&created.body))
}

/// A failed link email keeps its token only while its link may still be
/// sent again: once a new link replaces it, the stored email loses it.
#[actix_web::test]
async fn a_failed_link_email_loses_its_token_when_the_link_is_replaced() {
    use diesel::prelude::*;
    use veridesk::db::schema::outbox_messages;
    let app = spawn_app().await;
    let typo = format!("ana{}", crate::helpers::UNKNOWN_MAILBOX_DOMAIN);
    let (applicant, link) = emailed_to_a_typo(&app, &typo, "failed").await;
    let token = link.rsplit('/').next().expect("token").to_string();
    let stored = |conn: &mut diesel::PgConnection| -> (String, String) {
        outbox_messages::table
            .filter(outbox_messages::to_address.eq(&typo))
            .select((outbox_messages::body_text, outbox_messages::body_html))
            .first(conn)
            .expect("failed email")
    };
    let mut conn = app.pool.get().expect("conn");
    let (text, _) = stored(&mut conn);
    assert!(text.contains(&token), "kept while the link may be sent again");

    let profile = app.get(&format!("/applicants/{applicant}")).await;
    let relinked = app
        .post(
            &format!("/applicants/{applicant}/links"),
            &[("lock_version", version_on(&profile.body).as_str())],
        )
        .await;
    assert_eq!(relinked.status, 200, "the new link is shown: {}", relinked.body);
    assert_ne!(link_in(&relinked.body), link);
    assert_eq!(
        app.get(&path_of(&app, &link)).await.status,
        410,
        "the old link is replaced"
    );
    let (text, html) = stored(&mut conn);
    assert!(
        !text.contains(&token) && !html.contains(&token) && text.contains("/v/[token removed]"),
        "{text}"
    );
}

/// Corrects the applicant's address, as "Edit details" would.
fn correct_address(app: &TestApp, applicant: uuid::Uuid, email: &str) {
    use diesel::prelude::*;
    use veridesk::db::schema::applicants;
    let mut conn = app.pool.get().expect("conn");
    diesel::update(applicants::table.find(applicant))
        .set((
            applicants::email.eq(email),
            applicants::lock_version.eq(applicants::lock_version + 1),
        ))
        .execute(&mut conn)
        .expect("corrected");
}

/// The version a profile page's forms carry.
fn version_on(profile: &str) -> String {
    profile
        .split("name=\"lock_version\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a version")
        .to_string()
}

/// Where the profile's "Send again" form posts.
fn send_again_action(profile: &str) -> String {
    profile
        .split("action=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.ends_with("/send-again"))
        .expect("the profile offers to send again")
        .to_string()
}

/// Sends the profile's "Send again" form, with the version the page shows.
async fn send_again_from(app: &TestApp, profile: &str) -> crate::helpers::Page {
    app.post(
        &send_again_action(profile),
        &[("lock_version", version_on(profile).as_str())],
    )
    .await
}

/// A link whose email failed is sent again from the profile, to the
/// address as corrected since; the link stays the same, the failed email
/// stays in the outbox, and an email that did not fail is not sent twice.
#[actix_web::test]
async fn a_failed_link_email_is_sent_again_to_the_corrected_address() {
    use diesel::prelude::*;
    use veridesk::db::schema::outbox_messages;
    let app = spawn_app().await;
    let typo = format!("ana{}", crate::helpers::UNKNOWN_MAILBOX_DOMAIN);
    let (applicant, link) = emailed_to_a_typo(&app, &typo, "failed").await;
    let mut conn = app.pool.get().expect("conn");
    let failed_id: uuid::Uuid = outbox_messages::table
        .filter(outbox_messages::to_address.eq(&typo))
        .select(outbox_messages::id)
        .first(&mut conn)
        .expect("failed email");
    let owner = app.new_client();
    owner.signed_in_as(BuiltinRole::Owner).await;
    assert!(
        owner
            .get(&format!("/outbox/{failed_id}"))
            .await
            .body
            .contains("can be sent again from the applicant")
    );
    let profile = app.get(&format!("/applicants/{applicant}")).await;
    assert!(profile.body.contains(">Send again</button>"));

    // The officer corrects the address; the button says where it goes now.
    correct_address(&app, applicant, "ana.lima@example.test");
    let profile = app.get(&format!("/applicants/{applicant}")).await;
    assert!(profile.body.contains(">Send again to ana.lima@example.test</button>"));
    let action = send_again_action(&profile.body);
    send_again_from(&app, &profile.body)
        .await
        .assert_redirect(&format!("/applicants/{applicant}"));
    let profile = app.get(&format!("/applicants/{applicant}")).await;
    assert!(
        profile
            .body
            .contains("email is queued again, to ana.lima@example.test."),
        "{}",
        profile.body
    );
    assert!(profile.body.contains("Verification link email queued again"));
    let email = app.email_to("ana.lima@example.test", "Verify").await;
    assert_eq!(email.link(&app.address), link, "the same link, not a new one");
    assert_eq!(app.get(&path_of(&app, &link)).await.status, 200);
    let statuses: Vec<(String, String)> = outbox_messages::table
        .filter(outbox_messages::applicant_id.eq(applicant))
        .order(outbox_messages::created_at)
        .select((outbox_messages::to_address, outbox_messages::status))
        .load(&mut conn)
        .expect("outbox");
    assert_eq!(statuses[0], (typo.clone(), "failed".to_string()), "the failure is kept");
    assert_eq!(statuses.len(), 2);
    let token = link.rsplit('/').next().expect("token");
    let failed_body: String = outbox_messages::table
        .find(failed_id)
        .select(outbox_messages::body_text)
        .first(&mut conn)
        .expect("failed body");
    assert!(
        !failed_body.contains(token) && failed_body.contains("/v/[token removed]"),
        "the failed email's token goes once its copy carries the link: {failed_body}"
    );

    // The outbox keeps the failed email, and no longer offers it again.
    let page = owner.get(&format!("/outbox/{failed_id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Open the profile") && !page.body.contains("can be sent again"));

    // Nothing failed any more: a replayed form sends nothing twice.
    let replay = app
        .post(&action, &[("lock_version", version_on(&profile.body).as_str())])
        .await;
    assert_eq!(replay.status, 422);
    assert!(
        replay
            .body
            .contains("has not failed, so there is nothing to send again")
    );
    let count: i64 = outbox_messages::table.count().get_result(&mut conn).expect("count");
    assert_eq!(count, 2);
}

/// The session form says what a new session would end: the session the
/// applicant is in right now, or a verification under way, and what to
/// use instead. With several flows and none given, the officer chooses.
#[actix_web::test]
async fn the_session_form_warns_before_ending_a_verification_under_way() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let retail = published_flow(&app, "Retail onboarding", officer).to_string();
    published_flow(&app, "Business onboarding (KYB)", officer);
    let applicant = insert_applicant(&app, "Ana Lima", "ANA-1", "INIT", 5);
    let form = app.get(&format!("/applicants/{applicant}/sessions/new")).await;
    assert!(
        form.body
            .contains("<option value=\"\" selected>— choose a flow —</option>")
    );
    assert!(!form.body.contains("flash-warning"), "nothing under way yet");
    let no_flow = app
        .post(
            &format!("/applicants/{applicant}/sessions"),
            &session_fields("", "2", "days", "30"),
        )
        .await;
    assert_eq!(no_flow.status, 422);
    assert!(no_flow.body.contains("Choose a published flow."));

    let created = app
        .post(
            &format!("/applicants/{applicant}/sessions"),
            &session_fields(&retail, "2", "days", "30"),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let form = app.get(&format!("/applicants/{applicant}/sessions/new")).await;
    assert!(
        form.body
            .contains(&format!("<option value=\"{retail}\" data-expiry-hours"))
            && !form.body.contains("— choose a flow —"),
        "the applicant's flow is chosen"
    );
    // A link not started yet ends no session, but the new link replaces it.
    assert!(
        form.body
            .contains("(not opened yet). A new session withdraws it: only the new link will work."),
        "{}",
        form.body
    );

    let visitor = app.new_client();
    let link = path_of(&app, &link_in(&created.body));
    assert_eq!(visitor.get(&link).await.status, 200);
    let form = app.get(&format!("/applicants/{applicant}/sessions/new")).await;
    assert!(
        form.body.contains("is still waiting (opened once, not started)"),
        "a link viewed but not started: {}",
        form.body
    );
    assert_eq!(start_session(&visitor, &link).await.status, 200);
    let form = app.get(&format!("/applicants/{applicant}/sessions/new")).await;
    assert!(
        form.body.contains("The applicant is using their link right now.")
            && form
                .body
                .contains("use “Generate link (restart)” on the profile instead"),
        "{}",
        form.body
    );
    // The session time runs out with a step done, as the portal records it.
    {
        use diesel::prelude::*;
        use veridesk::db::schema::{applicants, session_links};
        let mut conn = app.pool.get().expect("conn");
        diesel::update(session_links::table.filter(session_links::applicant_id.eq(applicant)))
            .set(session_links::session_ends_at.eq(app.clock.now() - Duration::minutes(1)))
            .execute(&mut conn)
            .expect("session over");
        diesel::update(applicants::table.find(applicant))
            .set(applicants::status.eq("INCOMPLETE"))
            .execute(&mut conn)
            .expect("status");
    }
    let form = app.get(&format!("/applicants/{applicant}/sessions/new")).await;
    assert!(
        form.body
            .contains("verification is under way (Incomplete). A new session withdraws their link"),
        "{}",
        form.body
    );
}

/// A page that tells the applicant to ask for a new link says where: the
/// company's contact address, when one is set.
#[actix_web::test]
async fn a_dead_link_says_where_to_ask_for_a_new_one() {
    use diesel::prelude::*;
    use veridesk::db::schema::company_settings;
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Standard", officer).to_string();
    let applicant = insert_applicant(&app, "Ana Lima", "ANA-1", "INIT", 5);
    let created = app
        .post(
            &format!("/applicants/{applicant}/sessions"),
            &session_fields(&flow, "2", "hours", "30"),
        )
        .await;
    let link = path_of(&app, &link_in(&created.body));
    let visitor = app.new_client();
    app.advance(Duration::hours(3));
    let expired = visitor.get(&link).await;
    assert_eq!(expired.status, 410);
    assert!(!expired.body.contains("mailto:"), "no address set, none shown");
    let mut conn = app.pool.get().expect("conn");
    diesel::update(company_settings::table)
        .set(company_settings::contact_email.eq("help@northwind.test"))
        .execute(&mut conn)
        .expect("contact");
    let expired = visitor.get(&link).await;
    assert_eq!(expired.status, 410);
    assert!(
        expired
            .body
            .contains("Write to <a href=\"mailto:help@northwind.test\">help@northwind.test</a>.")
    );
    assert_eq!(expired.body.matches("mailto:").count(), 1, "said once");
}

/// An email still being retried to an address corrected since is
/// withdrawn and sent to the right one, with the same link.
#[actix_web::test]
async fn an_email_still_retrying_to_a_corrected_address_is_sent_there_instead() {
    use diesel::prelude::*;
    use veridesk::db::schema::outbox_messages;
    let app = spawn_app().await;
    let typo = format!("ana{}", crate::helpers::AUTH_REQUIRED_DOMAIN);
    let (applicant, link) = emailed_to_a_typo(&app, &typo, "retrying").await;
    let profile = app.get(&format!("/applicants/{applicant}")).await;
    assert!(
        !profile.body.contains("/send-again"),
        "retrying to the address it has: nothing to send again"
    );

    correct_address(&app, applicant, "ana.lima@example.test");
    let profile = app.get(&format!("/applicants/{applicant}")).await;
    assert!(profile.body.contains(">Send again to ana.lima@example.test</button>"));
    send_again_from(&app, &profile.body)
        .await
        .assert_redirect(&format!("/applicants/{applicant}"));
    let email = app.email_to("ana.lima@example.test", "Verify").await;
    assert_eq!(email.link(&app.address), link);
    let mut conn = app.pool.get().expect("conn");
    let first: (String, Option<String>) = outbox_messages::table
        .filter(outbox_messages::to_address.eq(&typo))
        .select((outbox_messages::status, outbox_messages::last_error))
        .first(&mut conn)
        .expect("first email");
    assert_eq!(
        first,
        (
            "cancelled".to_string(),
            Some("replaced: sent again to ana.lima@example.test".to_string())
        ),
        "the email to the mistyped address stops"
    );
}

/// A link emailed to a mistyped address that exists went to the wrong
/// mailbox: after the correction that link is withdrawn and a new one goes
/// to the right address. The sent email kept no token to send again.
#[actix_web::test]
async fn a_link_delivered_to_a_corrected_address_is_replaced_by_one_sent_to_the_new_one() {
    use diesel::prelude::*;
    use veridesk::db::schema::outbox_messages;
    let app = spawn_app().await;
    let (applicant, link) = emailed_to_a_typo(&app, "ana@exmaple.test", "sent").await;
    let token = link.rsplit('/').next().expect("token").to_string();
    let stored: Vec<(String, String)> = outbox_messages::table
        .select((outbox_messages::body_text, outbox_messages::body_html))
        .load(&mut app.pool.get().expect("conn"))
        .expect("bodies");
    assert!(
        stored
            .iter()
            .all(|(text, html)| !text.contains(&token) && !html.contains(&token))
            && stored.iter().any(|(text, _)| text.contains("/v/[token removed]")),
        "once sent, the stored email keeps no token: {stored:?}"
    );
    let profile = app.get(&format!("/applicants/{applicant}")).await;
    assert!(!profile.body.contains("/send-again"), "delivered where it should be");
    correct_address(&app, applicant, "ana@example.test");
    let profile = app.get(&format!("/applicants/{applicant}")).await;
    assert!(profile.body.contains(">Send a new link to ana@example.test</button>"));
    let sent = send_again_from(&app, &profile.body).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("New link sent to the corrected address"));
    let email = app.email_to("ana@example.test", "Your new verification link").await;
    assert!(
        email.text.contains("You continue where you stopped") && !email.text.contains("about five minutes"),
        "a new link, not a first invitation: {}",
        email.text
    );
    let new_link = email.link(&app.address);
    assert_ne!(new_link, link);
    let visitor = app.new_client();
    assert_eq!(
        visitor.get(&path_of(&app, &link)).await.status,
        410,
        "the mistyped mailbox's link stops"
    );
    assert_eq!(visitor.get(&path_of(&app, &new_link)).await.status, 200);
}

/// A flow is for people, for companies or for either. The forms that put an
/// applicant on a flow offer only the flows for their type, and the server
/// refuses another with a message by the field, keeping what was typed.
#[actix_web::test]
async fn applicants_go_only_on_flows_for_their_type() {
    use diesel::prelude::*;
    use veridesk::flows::definition::Audience;
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    // The flow editor says who a flow is for, and publishing carries it.
    let kyb = published_flow(&app, "Company check", officer);
    let saved = app
        .post(
            &format!("/flows/{kyb}/settings"),
            &[
                ("audience", "legal_person"),
                ("link_expiry_hours", "72"),
                ("session_minutes", "30"),
                ("max_attempts", "10"),
            ],
        )
        .await;
    saved.assert_redirect(&format!("/flows/{kyb}"));
    let change: String = veridesk::db::schema::events::table
        .filter(veridesk::db::schema::events::kind.eq("flow.edited"))
        .select(veridesk::db::schema::events::details)
        .first::<serde_json::Value>(&mut app.pool.get().expect("conn"))
        .expect("the edit is audited")["change"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        change,
        "Flow settings saved in the draft: now for Companies (KYB), no longer People and companies."
    );
    app.post(&format!("/flows/{kyb}/publish"), &[])
        .await
        .assert_redirect(&format!("/flows/{kyb}"));
    let editor = app.get(&format!("/flows/{kyb}")).await.body;
    assert!(
        editor.contains("<option value=\"legal_person\" selected>Companies (KYB)</option>"),
        "{editor}"
    );
    let list = app.get("/flows").await.body;
    assert!(list.contains("<span class=\"muted\">Companies (KYB)</span>"), "{list}");
    let people = published_flow_with(
        &app,
        "Retail check",
        officer,
        FlowSettings {
            audience: Audience::People,
            ..FlowSettings::default()
        },
    )
    .to_string();
    let company = insert_applicant(&app, "Nordwind AB", "ORG-1", "INIT", 5);
    diesel::update(veridesk::db::schema::applicants::table.find(company))
        .set(veridesk::db::schema::applicants::kind.eq("legal_person"))
        .execute(&mut app.pool.get().expect("conn"))
        .expect("a company");
    let refusal =
        "“Retail check” is a flow for people (KYC), and this applicant is a company. Choose a flow for companies.";

    // The session form offers the company's flows only, and refuses another.
    let form = app.get(&format!("/applicants/{company}/sessions/new")).await.body;
    assert!(form.contains(">Company check</option>") && !form.contains(">Retail check</option>"));
    let path = format!("/applicants/{company}/sessions");
    let refused = app.post(&path, &session_fields(&people, "3", "days", "25")).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains(&format!("<p class=\"error\" id=\"e-flow_id\">{refusal}</p>"))
            && refused.body.contains("value=\"25\"")
            && refused
                .body
                .contains("<option value=\"\" selected>— choose a flow —</option>"),
        "{}",
        refused.body
    );
    let kyb = kyb.to_string();
    assert_eq!(
        app.post(&path, &session_fields(&kyb, "3", "days", "25")).await.status,
        200
    );

    // Nor can the profile move the company to it.
    let profile = app.get(&format!("/applicants/{company}")).await.body;
    assert!(!profile.contains(">Retail check</option>"), "{profile}");
    let seen = crate::profile::lock_version(&app, company);
    let moved = app
        .post(
            &format!("/applicants/{company}/flow"),
            &[("flow_id", &people), ("lock_version", seen.as_str())],
        )
        .await;
    assert_eq!(moved.status, 422);
    assert!(
        moved
            .body
            .contains(&format!("<p class=\"error\" id=\"e-change_flow\">{refusal}</p>"))
            && moved
                .body
                .contains("No other published flow is for this applicant's type.")
            && !moved.body.contains(">Move</button>"),
        "the refusal stands by itself when no other flow fits: {}",
        moved.body
    );
    // Should its type be corrected later, the tracker says the flow no longer fits.
    diesel::update(veridesk::db::schema::applicants::table.find(company))
        .set(veridesk::db::schema::applicants::kind.eq("natural_person"))
        .execute(&mut app.pool.get().expect("conn"))
        .expect("a person after all");
    let profile = app.get(&format!("/applicants/{company}")).await.body;
    assert!(
        profile.contains(
            "“Company check” is a flow for companies (KYB), and this applicant is a person. \
             Change the flow before sending a new link."
        ) && !profile.contains("Generate link (restart)")
            && profile.contains("No link is sent: the flow is not for this applicant's type"),
        "{profile}"
    );
    // And no new link goes out on it until the flow is changed.
    let seen = crate::profile::lock_version(&app, company);
    let relinked = app
        .post(
            &format!("/applicants/{company}/links"),
            &[("lock_version", seen.as_str())],
        )
        .await;
    assert_eq!(relinked.status, 422);
    assert!(
        relinked.body.contains(
            "“Company check” is a flow for companies (KYB), and this applicant is a person. Change the flow first."
        ),
        "{}",
        relinked.body
    );
    // A reset reopens the case without a link, and the flow can then be changed.
    app.post(
        &format!("/applicants/{company}/reset"),
        &[("lock_version", seen.as_str())],
    )
    .await
    .assert_redirect(&format!("/applicants/{company}"));
    let reset = app.get(&format!("/applicants/{company}")).await.body;
    assert!(
        reset.contains("Reset to Not initiated; earlier results are in the history. No link was sent: “Company check”")
            && reset.contains(">Retail check</option>"),
        "{reset}"
    );
    // A draft's change of audience shows beside the live one, which decides.
    app.post(
        &format!("/flows/{kyb}/settings"),
        &[
            ("audience", "natural_person"),
            ("link_expiry_hours", "72"),
            ("session_minutes", "30"),
            ("max_attempts", "10"),
        ],
    )
    .await
    .assert_redirect(&format!("/flows/{kyb}"));
    let list = app.get("/flows").await.body;
    assert!(
        list.contains("<span class=\"muted\">Companies (KYB) (draft: People (KYC))</span>"),
        "{list}"
    );
    // A settings form from before the choice existed leaves the draft's as it is.
    app.post(
        &format!("/flows/{kyb}/settings"),
        &[
            ("link_expiry_hours", "48"),
            ("session_minutes", "30"),
            ("max_attempts", "10"),
        ],
    )
    .await
    .assert_redirect(&format!("/flows/{kyb}"));
    let editor = app.get(&format!("/flows/{kyb}")).await.body;
    assert!(
        editor.contains("<option value=\"natural_person\" selected>People (KYC)</option>")
            && editor.contains("value=\"48\""),
        "{editor}"
    );
    // Publishing says when applicants on the flow are not of the type it is now for.
    app.post(
        &format!("/flows/{kyb}/settings"),
        &[
            ("audience", "legal_person"),
            ("link_expiry_hours", "48"),
            ("session_minutes", "30"),
            ("max_attempts", "10"),
        ],
    )
    .await
    .assert_redirect(&format!("/flows/{kyb}"));
    app.post(&format!("/flows/{kyb}/publish"), &[])
        .await
        .assert_redirect(&format!("/flows/{kyb}"));
    let published = app.get(&format!("/flows/{kyb}")).await.body;
    assert!(
        published.contains(
            "1 applicant on this flow is not of the type it is now for (Companies (KYB)): \
             a new session for them needs another flow."
        ),
        "{published}"
    );

    // Nor can a company be created on it.
    let created = app
        .post(
            "/applicants",
            &[
                ("kind", "legal_person"),
                ("external_user_id", "ORG-2"),
                ("name", "Sudwind GmbH"),
                ("language", "de"),
                ("flow_id", &people),
            ],
        )
        .await;
    assert_eq!(created.status, 422);
    assert!(
        created.body.contains(refusal) && created.body.contains("value=\"Sudwind GmbH\""),
        "{}",
        created.body
    );
}

/// The page behind a link speaks the applicant's language, as their email
/// does: before the start, while the clock runs, and once the link is dead.
#[actix_web::test]
async fn the_link_page_speaks_the_applicants_language() {
    use diesel::prelude::*;
    use veridesk::db::schema::applicants;
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Retail", officer).to_string();
    let id = insert_applicant(&app, "Camille Roux", "CR-1", "INIT", 1);
    diesel::update(applicants::table.find(id))
        .set(applicants::language.eq("fr"))
        .execute(&mut app.pool.get().expect("conn"))
        .expect("a French speaker");
    let made = app
        .post(
            &format!("/applicants/{id}/sessions"),
            &session_fields(&flow, "2", "days", "30"),
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let link = path_of(&app, &link_in(&made.body));
    let visitor = app.new_client();
    let ready = visitor.get(&link).await;
    for words in [
        "<html lang=\"fr\">",
        "Voici ce que nous allons vous demander :",
        "<strong>Pièce d'identité</strong>",
        "Une fois la session commencée, vous aurez <strong>30 minutes</strong> pour terminer.",
        "ce lien est valable jusqu'au",
        ">Commencer</button>",
        "Vérification d'identité pour",
    ] {
        assert!(
            ready.body.contains(&words.replace('\'', "&#39;")),
            "{words}: {}",
            ready.body
        );
    }
    assert!(!ready.body.contains("Here is what we will ask"), "no English left");
    let running = start_session(&visitor, &link).await;
    assert!(
        running.body.contains("Temps restant :")
            && running.body.contains("data-minutes-left=\"Plus que {n} minutes.\""),
        "{}",
        running.body
    );
    // A new link replaces this one: the dead link says so in French too.
    let profile = app.get(&format!("/applicants/{id}")).await;
    let relinked = app
        .post(
            &format!("/applicants/{id}/links"),
            &[("lock_version", version_on(&profile.body).as_str())],
        )
        .await;
    assert_eq!(relinked.status, 200, "{}", relinked.body);
    let replaced = visitor.get(&link).await;
    assert_eq!(replaced.status, 410);
    assert!(
        replaced.body.contains("<html lang=\"fr\">") && replaced.body.contains("Ce lien a été remplacé"),
        "{}",
        replaced.body
    );
    // A link nobody sent has no applicant, so no language: English.
    let unknown = visitor.get("/v/not-a-real-token").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("<html lang=\"en\">") && unknown.body.contains("This link is not valid"));
}
