//! The `veridesk` command line.

use crate::helpers::spawn_app;
use std::process::Command;

#[test]
fn an_invalid_setting_stops_start_up_naming_the_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_veridesk"))
        .arg("migrate")
        .env("SESSION_IDLE_MINUTES", "forever")
        .output()
        .expect("run veridesk");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SESSION_IDLE_MINUTES"), "{stderr}");
}

#[actix_web::test]
async fn create_owner_makes_an_owner_who_can_sign_in() {
    let app = spawn_app().await;
    let run = |password: &str| {
        Command::new(env!("CARGO_BIN_EXE_veridesk"))
            .args([
                "create-owner",
                "--email",
                "Founder@Example.test",
                "--name",
                "Fay Founder",
            ])
            .env("DATABASE_URL", &app.db_url)
            .env("VERIDESK_OWNER_PASSWORD", password)
            .output()
            .expect("run veridesk")
    };
    let weak = run("short");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12 characters"));
    let ok = run("founders keep long passwords");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    app.sign_in("founder@example.test", "founders keep long passwords")
        .await
        .assert_redirect("/");
    assert!(app.get("/").await.body.contains("Owner"));
    let again = run("founders keep long passwords");
    assert!(!again.status.success(), "a second owner with the same email is refused");
}

#[actix_web::test]
async fn seed_demo_fills_an_empty_installation_once() {
    let app = spawn_app().await;
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_veridesk"))
            .arg("seed-demo")
            .env("DATABASE_URL", &app.db_url)
            .output()
            .expect("run veridesk")
    };
    let first = run();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("Demo data created."));
    let second = run();
    assert!(String::from_utf8_lossy(&second.stdout).contains("left as it is"));
    app.sign_in("owner@veridesk.test", "demo-owner-password-2026")
        .await
        .assert_redirect("/");
    let flows = app.get("/flows").await;
    assert!(
        flows.body.contains("Retail onboarding") && flows.body.contains("draft changes"),
        "{}",
        flows.body
    );
    assert!(
        !flows.body.contains("Legacy onboarding"),
        "archived flows are hidden by default"
    );
    assert!(app.get("/team").await.body.contains("new.analyst@veridesk.test"));
    let applicants = app.get("/applicants").await;
    assert!(
        applicants.body.contains("CUST-0000001") || applicants.body.contains("Next page"),
        "the demo has applicants"
    );
    assert!(applicants.body.matches("href=\"/applicants/").count() >= 50);
    demo_applicants_are_consistent(&app.db_url);
    // A decided applicant's profile shows its flow, review and history.
    let mut conn = PgConnection::establish(&app.db_url).expect("connect");
    let rejected: uuid::Uuid = applicants::table
        .filter(applicants::status.eq("REJECTED"))
        .select(applicants::id)
        .first(&mut conn)
        .expect("a rejected applicant");
    let profile = app.get(&format!("/applicants/{rejected}")).await;
    assert!(!profile.body.contains("Nothing yet."), "{}", profile.body);
    for shown in ["Failed", "Rejected", "Verification link opened", "Step completed"] {
        assert!(profile.body.contains(shown), "the profile shows {shown}");
    }
}

use diesel::prelude::*;
use veridesk::db::schema::{applicants, events, flow_versions, flows, reviews, step_results, verifications};

/// An applicant as the checks read it: id, kind, status, flow, current
/// verification, reviewer.
type DemoApplicant = (
    uuid::Uuid,
    String,
    String,
    Option<uuid::Uuid>,
    Option<uuid::Uuid>,
    Option<uuid::Uuid>,
);

/// What a compliance officer would check in the demo: every applicant is
/// on a published regular flow made for its type; every one past INIT has
/// a current verification on that flow's published version, with step
/// results that fit its status; reviewers, reviews and a timeline in order.
fn demo_applicants_are_consistent(db_url: &str) {
    let mut conn = PgConnection::establish(db_url).expect("connect");
    let all: Vec<DemoApplicant> = applicants::table
        .select((
            applicants::id,
            applicants::kind,
            applicants::status,
            applicants::flow_id,
            applicants::current_verification_id,
            applicants::reviewer_id,
        ))
        .load(&mut conn)
        .expect("applicants");
    assert_eq!(all.len(), 60);
    let mut statuses: Vec<&str> = all.iter().map(|a| a.2.as_str()).collect();
    statuses.sort_unstable();
    statuses.dedup();
    assert_eq!(statuses.len(), 8, "every status is shown: {statuses:?}");
    let now = chrono::Utc::now();
    for (id, kind, status, flow, current, reviewer) in &all {
        let flow = flow.expect("every applicant has a flow");
        let (flow_kind, flow_name): (String, String) = flows::table
            .find(flow)
            .select((flows::kind, flows::name))
            .first(&mut conn)
            .expect("flow");
        assert_eq!(flow_kind, "regular", "{id} is on an on-demand flow");
        let fits = if kind == "legal_person" {
            "Business onboarding (KYB)"
        } else {
            "Retail onboarding"
        };
        assert_eq!(flow_name, fits, "{id} ({kind}) is on {flow_name}");
        let published: Vec<uuid::Uuid> = flow_versions::table
            .filter(flow_versions::flow_id.eq(flow))
            .filter(flow_versions::published_at.is_not_null())
            .select(flow_versions::id)
            .load(&mut conn)
            .expect("versions");
        assert!(!published.is_empty(), "{flow_name} is published");
        let results: Vec<String> = match current {
            Some(v) => {
                let (on, version): (uuid::Uuid, uuid::Uuid) = verifications::table
                    .find(v)
                    .select((verifications::flow_id, verifications::flow_version_id))
                    .first(&mut conn)
                    .expect("verification");
                assert!(
                    on == flow && published.contains(&version),
                    "{id} runs a published version of its flow"
                );
                step_results::table
                    .filter(step_results::verification_id.eq(v))
                    .filter(step_results::active.eq(true))
                    .select(step_results::status)
                    .load(&mut conn)
                    .expect("results")
            }
            None => {
                assert_eq!(status, "INIT", "{id} is past INIT without a verification");
                Vec::new()
            }
        };
        let has = |s: &str| results.iter().any(|r| r == s);
        match status.as_str() {
            "INIT" => assert!(results.iter().all(|r| r == "NOT_STARTED"), "{id}: {results:?}"),
            "INCOMPLETE" => assert!(has("PASSED") && has("OPEN"), "{id}: {results:?}"),
            "ON_HOLD" => assert!(has("NEEDS_REVIEW"), "{id}: {results:?}"),
            "REJECTED" => assert!(has("FAILED"), "{id}: {results:?}"),
            "IN_PROGRESS" => assert!(has("PASSED") && has("OPEN"), "{id}: {results:?}"),
            _ => assert!(
                results.iter().all(|r| r == "PASSED" || r == "RESOLVED"),
                "{id} ({status}): {results:?}"
            ),
        }
        if status == "IN_REVIEW" {
            assert!(reviewer.is_some(), "{id} is in review without a reviewer");
        }
        let decisions: Vec<(String, Vec<String>, Option<uuid::Uuid>)> = reviews::table
            .filter(reviews::applicant_id.eq(id))
            .select((reviews::decision, reviews::reasons, reviews::member_id))
            .load(&mut conn)
            .expect("reviews");
        match status.as_str() {
            "APPROVED" => assert!(decisions.iter().any(|d| d.0 == "approved" && d.2.is_some()), "{id}"),
            "REJECTED" => assert!(
                decisions
                    .iter()
                    .any(|d| d.0 == "rejected" && !d.1.is_empty() && d.2.is_some()),
                "{id} has a rejection with reasons"
            ),
            _ => assert!(decisions.is_empty(), "{id} ({status}) has a review"),
        }
        let timeline: Vec<(String, String, chrono::DateTime<chrono::Utc>)> = events::table
            .filter(events::subject_type.eq("applicant"))
            .filter(events::subject_id.eq(id.to_string()))
            .order((events::occurred_at.asc(), events::id.asc()))
            .select((events::kind, events::actor_kind, events::occurred_at))
            .load(&mut conn)
            .expect("events");
        assert_eq!(
            timeline.first().map(|e| e.0.as_str()),
            Some("applicant.created"),
            "{id}"
        );
        assert!(timeline.iter().all(|e| e.2 <= now), "{id} has events in the future");
        let kinds: Vec<&str> = timeline.iter().map(|e| e.0.as_str()).collect();
        if status != "INIT" {
            assert!(
                kinds.contains(&"link.email_queued") && kinds.contains(&"link.opened"),
                "{id}: {kinds:?}"
            );
            assert!(timeline.iter().any(|e| e.1 == "applicant"), "{id}: the applicant acted");
        }
        let decided = match status.as_str() {
            "APPROVED" => Some("applicant.approved"),
            "REJECTED" => Some("applicant.rejected"),
            _ => None,
        };
        if let Some(decided) = decided {
            assert_eq!(kinds.last(), Some(&decided), "{id}: the decision comes last");
        }
        if status == "IN_REVIEW" {
            assert!(kinds.contains(&"applicant.reviewer_assigned"), "{id}: {kinds:?}");
        }
    }
}
