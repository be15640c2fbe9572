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
}
