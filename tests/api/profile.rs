//! The applicant profile's actions, each audited and behind its permission.

use crate::applicants::insert_applicant;
use crate::helpers::{TestApp, spawn_app};
use crate::sessions::{link_in, path_of, published_flow, session_fields, start_session};
use chrono::Duration;
use diesel::prelude::*;
use veridesk::auth::permissions::BuiltinRole;
use veridesk::db::schema::{applicants, step_results};

/// The applicant's version, as the page an officer has open carries it.
pub fn lock_version(app: &TestApp, id: uuid::Uuid) -> String {
    let mut conn = app.pool.get().expect("conn");
    applicants::table
        .find(id)
        .select(applicants::lock_version)
        .first::<i32>(&mut conn)
        .expect("lock")
        .to_string()
}

fn status(app: &TestApp, id: uuid::Uuid) -> String {
    let mut conn = app.pool.get().expect("conn");
    applicants::table
        .find(id)
        .select(applicants::status)
        .first(&mut conn)
        .expect("status")
}

/// An applicant with email and a session on a fresh published flow.
async fn applicant_with_session(app: &TestApp, officer: uuid::Uuid) -> (uuid::Uuid, String) {
    let flow = published_flow(app, "Standard", officer).to_string();
    let id = insert_applicant(app, "Dana Ruiz", "DANA-1", "INIT", 5);
    let created = app
        .post(
            &format!("/applicants/{id}/sessions"),
            &session_fields(&flow, "2", "days", "30"),
        )
        .await;
    (id, path_of(app, &link_in(&created.body)))
}

/// Posts the profile action `action` (a path under the applicant) with the
/// applicant's current version, as the page the officer sees would.
async fn act(app: &TestApp, id: uuid::Uuid, action: &str, fields: &[(&str, &str)]) -> crate::helpers::Page {
    let seen = lock_version(app, id);
    let mut all = vec![("lock_version", seen.as_str())];
    all.extend_from_slice(fields);
    app.post(&format!("/applicants/{id}/{action}"), &all).await
}

/// The applicant starts, does every step and the checks pass, as the
/// portal will record it.
fn finish_steps(app: &TestApp, applicant: uuid::Uuid) {
    let mut conn = app.pool.get().expect("conn");
    let current: uuid::Uuid = applicants::table
        .find(applicant)
        .select(applicants::current_verification_id.assume_not_null())
        .first(&mut conn)
        .expect("verification");
    let now = app.clock.now();
    diesel::update(
        veridesk::db::schema::session_links::table
            .filter(veridesk::db::schema::session_links::verification_id.eq(current)),
    )
    .set(veridesk::db::schema::session_links::first_opened_at.eq(now))
    .execute(&mut conn)
    .expect("started");
    diesel::update(
        step_results::table
            .filter(step_results::verification_id.eq(current))
            .filter(step_results::active.eq(true)),
    )
    .set((
        step_results::status.eq("PASSED"),
        step_results::started_at.eq(now),
        step_results::completed_at.eq(now),
    ))
    .execute(&mut conn)
    .expect("steps");
    diesel::update(applicants::table.find(applicant))
        .set(applicants::status.eq("COMPLETED"))
        .execute(&mut conn)
        .expect("status");
}

/// The id of the applicant's flow, as the session form posts it.
fn flow_of(app: &TestApp, applicant: uuid::Uuid) -> String {
    let mut conn = app.pool.get().expect("conn");
    applicants::table
        .find(applicant)
        .select(applicants::flow_id.assume_not_null())
        .first::<uuid::Uuid>(&mut conn)
        .expect("flow")
        .to_string()
}

/// The reasons, retry steps and comment to the applicant of the newest review.
fn latest_review(app: &TestApp, applicant: uuid::Uuid) -> (Vec<String>, Vec<String>, Option<String>) {
    use veridesk::db::schema::reviews;
    let mut conn = app.pool.get().expect("conn");
    reviews::table
        .filter(reviews::applicant_id.eq(applicant))
        .order((reviews::created_at.desc(), reviews::id.desc()))
        .select((reviews::reasons, reviews::retry_steps, reviews::comment_applicant))
        .first(&mut conn)
        .expect("a review")
}

fn active_result(app: &TestApp, applicant: uuid::Uuid, kind: &str) -> uuid::Uuid {
    use veridesk::db::schema::verifications;
    let mut conn = app.pool.get().expect("conn");
    let current: uuid::Uuid = applicants::table
        .find(applicant)
        .select(applicants::current_verification_id.assume_not_null())
        .first(&mut conn)
        .expect("verification");
    step_results::table
        .inner_join(verifications::table)
        .filter(verifications::id.eq(current))
        .filter(step_results::step_kind.eq(kind))
        .filter(step_results::active.eq(true))
        .select(step_results::id)
        .first(&mut conn)
        .expect("result")
}

/// A check flags the document check (a screening hit, a duplicate), as
/// the portal will record it: the step needs review, the case is on hold.
/// Returns the flagged result.
fn flag_document_check(app: &TestApp, applicant: uuid::Uuid) -> uuid::Uuid {
    let flagged = active_result(app, applicant, "document_check");
    let mut conn = app.pool.get().expect("conn");
    diesel::update(step_results::table.find(flagged))
        .set(step_results::status.eq("NEEDS_REVIEW"))
        .execute(&mut conn)
        .expect("flag");
    diesel::update(applicants::table.find(applicant))
        .set(applicants::status.eq("ON_HOLD"))
        .execute(&mut conn)
        .expect("on hold");
    flagged
}

/// A restart keeps the terms the officer chose for the link (3 hours, a
/// 7-minute session), not the flow's defaults; a reset gets at least the flow's.
#[actix_web::test]
async fn a_restarted_link_keeps_the_expiry_and_session_time_chosen() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Standard", officer).to_string();
    let id = insert_applicant(&app, "Dana Ruiz", "DANA-1", "INIT", 5);
    let created = app
        .post(
            &format!("/applicants/{id}/sessions"),
            &session_fields(&flow, "3", "hours", "7"),
        )
        .await;
    assert!(
        created.body.contains("7 minutes from the applicant"),
        "{}",
        created.body
    );
    app.advance(chrono::Duration::minutes(20));

    let restarted = act(&app, id, "links", &[]).await;
    assert_eq!(restarted.status, 200, "{}", restarted.body);
    assert!(
        restarted.body.contains("7 minutes from the applicant"),
        "{}",
        restarted.body
    );
    let terms: Vec<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>, i32)> = {
        use veridesk::db::schema::session_links;
        let mut conn = app.pool.get().expect("conn");
        session_links::table
            .filter(session_links::applicant_id.eq(id))
            .order(session_links::created_at)
            .select((
                session_links::created_at,
                session_links::expires_at,
                session_links::session_minutes,
            ))
            .load(&mut conn)
            .expect("links")
    };
    assert_eq!(terms.len(), 2);
    let (created_at, expires_at, minutes) = terms[1];
    assert_eq!((expires_at - created_at, minutes), (chrono::Duration::hours(3), 7));
    assert!(created_at > terms[0].0, "a new link, valid from its own creation");

    // A reset's link is read in an email later: never shorter than the
    // flow's (72 hours, 30 minutes).
    act(&app, id, "reset", &[])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    let (created_at, expires_at, minutes): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>, i32) = {
        use veridesk::db::schema::session_links;
        let mut conn = app.pool.get().expect("conn");
        session_links::table
            .filter(session_links::applicant_id.eq(id))
            .order(session_links::created_at.desc())
            .select((
                session_links::created_at,
                session_links::expires_at,
                session_links::session_minutes,
            ))
            .first(&mut conn)
            .expect("the reset's link")
    };
    assert_eq!((expires_at - created_at, minutes), (chrono::Duration::hours(72), 30));
}

#[actix_web::test]
async fn restart_change_flow_and_reset() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, first_link) = applicant_with_session(&app, officer).await;
    let visitor = app.new_client();
    assert_eq!(start_session(&visitor, &first_link).await.status, 200);

    // Restart: a new link to the same verification; the old one is revoked.
    let restarted = act(&app, id, "links", &[]).await;
    assert_eq!(restarted.status, 200, "{}", restarted.body);
    let second = path_of(&app, &link_in(&restarted.body));
    assert_eq!(visitor.get(&first_link).await.status, 410);
    assert_eq!(visitor.get(&second).await.status, 200);
    assert!(
        app.get(&format!("/applicants/{id}"))
            .await
            .body
            .contains("Revoked</span><br><span class=\"small muted\">replaced by a new link</span>"),
        "the links table says why a link was revoked"
    );

    // Change flow: a passed document check is kept.
    let doc = active_result(&app, id, "document_check");
    {
        let mut conn = app.pool.get().expect("conn");
        diesel::update(step_results::table.find(doc))
            .set(step_results::status.eq("PASSED"))
            .execute(&mut conn)
            .expect("pass");
    }
    let other = published_flow(&app, "Enhanced", officer).to_string();
    let moved = act(&app, id, "flow", &[("flow_id", &other)]).await;
    moved.assert_redirect(&format!("/applicants/{id}"));
    let profile = app.get(&format!("/applicants/{id}")).await;
    assert!(
        profile
            .body
            .contains("Moved to Enhanced; 1 passed step result was kept")
            && profile.body.contains("Flow tracker · Enhanced")
    );
    assert_eq!(status(&app, id), "INCOMPLETE", "started, with steps to do");
    assert!(profile.body.contains(">Passed<"));
    let again = act(&app, id, "flow", &[("flow_id", &other)]).await;
    assert_eq!(again.status, 422, "moving to the flow it is on is refused");
    assert!(
        again
            .body
            .contains("<p class=\"error\" id=\"e-change_flow\">The applicant is already on Enhanced."),
        "the message is by the flow's field: {}",
        again.body
    );
    assert_eq!(
        visitor.get(&second).await.status,
        410,
        "links die when the flow changes"
    );

    // Reset: back to Not initiated, results to history, a fresh link emailed.
    act(&app, id, "reset", &[])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(status(&app, id), "INIT");
    let profile = app.get(&format!("/applicants/{id}")).await;
    assert!(
        profile.body.contains("History: Passed") && profile.body.contains("an email with a new link is on its way")
    );
    assert!(
        !profile.body.contains("History: Not started"),
        "steps not started leave nothing in the history"
    );
    let email = app
        .email_to("dana-1@example.test", "Please start your verification with")
        .await;
    assert!(email.text.contains("start your verification again"));
    let kinds = app.event_kinds();
    for kind in [
        "verification.restarted",
        "verification.flow_changed",
        "verification.reset",
    ] {
        assert!(kinds.contains(&kind.to_string()), "{kind}");
    }
}

/// For an applicant without an email address the profile offers no
/// "email it" that would quietly send nothing, and the new link's page says
/// to send it by hand.
#[actix_web::test]
async fn without_an_address_a_new_link_is_offered_to_copy() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, _) = applicant_with_session(&app, officer).await;
    diesel::update(applicants::table.find(id))
        .set(applicants::email.eq(None::<String>))
        .execute(&mut app.pool.get().expect("conn"))
        .expect("no address");
    let profile = app.get(&format!("/applicants/{id}")).await;
    assert!(
        profile.body.contains("no email address to send it to") && !profile.body.contains("name=\"send_email\""),
        "{}",
        profile.body
    );
    let issued = act(&app, id, "links", &[]).await;
    assert_eq!(issued.status, 200);
    assert!(
        issued
            .body
            .contains("not sent: copy the link above and send it to the applicant yourself")
    );
}

/// An officer settles a step for an applicant who never started, then
/// moves them to a flow with that step: still not initiated, since they
/// have yet to begin.
#[actix_web::test]
async fn a_flow_change_keeps_one_who_never_started_at_not_initiated() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, _) = applicant_with_session(&app, officer).await;
    let doc = active_result(&app, id, "document_check");
    act(
        &app,
        id,
        &format!("results/{doc}/resolve"),
        &[("resolve_comment", "Passport seen at the branch")],
    )
    .await
    .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(status(&app, id), "INIT");
    let other = published_flow(&app, "Enhanced", officer).to_string();
    act(&app, id, "flow", &[("flow_id", &other)])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    let profile = app.get(&format!("/applicants/{id}")).await;
    assert!(
        profile.body.contains("1 passed step result was kept"),
        "{}",
        profile.body
    );
    assert_eq!(status(&app, id), "INIT", "kept a result, but never started");
}

/// One who started, moved to another flow and back, keeps "Incomplete".
#[actix_web::test]
async fn a_flow_change_there_and_back_keeps_one_who_started_incomplete() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, link) = applicant_with_session(&app, officer).await;
    start_session(&app.new_client(), &link).await;
    let doc = active_result(&app, id, "document_check");
    act(
        &app,
        id,
        &format!("results/{doc}/resolve"),
        &[("resolve_comment", "Seen at the branch")],
    )
    .await
    .assert_redirect(&format!("/applicants/{id}"));
    let first = applicants::table
        .find(id)
        .select(applicants::flow_id.assume_not_null())
        .first::<uuid::Uuid>(&mut app.pool.get().expect("conn"))
        .expect("flow")
        .to_string();
    let other = published_flow(&app, "Enhanced", officer).to_string();
    for flow in [&other, &first] {
        act(&app, id, "flow", &[("flow_id", flow)])
            .await
            .assert_redirect(&format!("/applicants/{id}"));
        assert_eq!(status(&app, id), "INCOMPLETE", "started, whichever flow it is on");
    }
}

/// A reviewer named before the applicant finishes: once every step is
/// settled, the case is in review, as when the reviewer comes after.
#[actix_web::test]
async fn a_reviewer_named_early_takes_the_case_into_review_when_it_is_finished() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, _) = applicant_with_session(&app, officer).await;
    act(&app, id, "reviewer", &[("reviewer_id", &officer.to_string())])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(status(&app, id), "INIT");
    let results: Vec<uuid::Uuid> = step_results::table
        .inner_join(
            applicants::table.on(applicants::current_verification_id.eq(step_results::verification_id.nullable())),
        )
        .filter(applicants::id.eq(id))
        .filter(step_results::active)
        .select(step_results::id)
        .load(&mut app.pool.get().expect("conn"))
        .expect("results");
    for result in results {
        act(
            &app,
            id,
            &format!("results/{result}/resolve"),
            &[("resolve_comment", "Checked by hand")],
        )
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    }
    assert_eq!(status(&app, id), "IN_REVIEW");
}

/// A reset for an applicant without an address shows the new link once,
/// to send by hand, instead of making one nobody sees.
#[actix_web::test]
async fn a_reset_without_an_address_shows_the_new_link() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, _) = applicant_with_session(&app, officer).await;
    diesel::update(applicants::table.find(id))
        .set(applicants::email.eq(None::<String>))
        .execute(&mut app.pool.get().expect("conn"))
        .expect("no address");
    assert!(
        app.get(&format!("/applicants/{id}"))
            .await
            .body
            .contains("The new link is shown to you")
    );
    let reset = act(&app, id, "reset", &[]).await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert!(reset.body.contains("Reset to Not initiated") && reset.body.contains("id=\"session-url\""));
    assert_eq!(status(&app, id), "INIT");
}

#[actix_web::test]
async fn request_information_review_and_decide() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, first_link) = applicant_with_session(&app, officer).await;
    let on_demand = {
        use veridesk::flows::definition::{FlowDefinition, Step, StepKind};
        let steps = vec![Step {
            id: uuid::Uuid::new_v4(),
            config: StepKind::FinalScreen.default_config(None).expect("config"),
        }];
        let mut conn = app.pool.get().expect("conn");
        let f = veridesk::flows::queries::create(
            &mut conn,
            "Proof of address",
            "on_demand",
            &FlowDefinition {
                settings: Default::default(),
                steps,
            },
            officer,
            app.clock.now(),
        )
        .expect("flow");
        veridesk::flows::queries::publish(&mut conn, f, officer, app.clock.now())
            .expect("publish")
            .expect("ok");
        f.to_string()
    };
    let empty = act(&app, id, "request-info", &[("flow_id", &on_demand)]).await;
    assert_eq!(empty.status, 422);
    assert!(
        empty.body.contains(&format!(
            "<option value=\"{on_demand}\" selected>Proof of address</option>"
        )),
        "the flow chosen stays chosen"
    );
    let unknown = act(
        &app,
        id,
        "request-info",
        &[("flow_id", "not-a-flow"), ("message", "Please send a utility bill.")],
    )
    .await;
    assert_eq!(unknown.status, 422);
    assert!(
        unknown
            .body
            .contains("<p class=\"error\" id=\"e-info_flow\">Choose a published on-demand flow.</p>")
            && unknown.body.contains("Please send a utility bill."),
        "the message is by the flow's field, and the text typed is kept: {}",
        unknown.body
    );
    let requested = act(
        &app,
        id,
        "request-info",
        &[
            ("flow_id", &on_demand),
            ("message", "Please upload a utility bill {{ or a bank statement."),
            ("send_email", "on"),
        ],
    )
    .await;
    assert_eq!(requested.status, 200);
    assert_eq!(status(&app, id), "INIT", "requesting information leaves the status");
    let info_link = path_of(&app, &link_in(&requested.body));
    // Moving to another flow withdraws the verification's link, not the
    // one asking for more information.
    let other = published_flow(&app, "Enhanced", officer).to_string();
    act(&app, id, "flow", &[("flow_id", &other)])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(app.new_client().get(&first_link).await.status, 410);
    // Nor does a restart: it replaces the verification's link only.
    let restarted = act(&app, id, "links", &[]).await;
    assert_eq!(restarted.status, 200, "{}", restarted.body);
    let asked = app.new_client().get(&info_link).await;
    assert_eq!(asked.status, 200, "the information request's link still works");
    assert!(
        asked
            .body
            .contains("Please upload a utility bill {{ or a bank statement."),
        "the message is on the page behind the link, emailed or not"
    );
    assert!(
        app.get(&format!("/applicants/{id}"))
            .await
            .body
            .contains("additional information ("),
        "the timeline says which link was opened"
    );
    let email = app
        .email_to("dana-1@example.test", "needs more information from you")
        .await;
    assert!(
        email
            .text
            .contains("Please upload a utility bill {{ or a bank statement."),
        "braces the officer typed are kept as typed: {}",
        email.text
    );
    email.link(&format!("{}/v/", app.address));

    // Resolve, deactivate and reactivate a step result.
    let intro = active_result(&app, id, "intro");
    act(
        &app,
        id,
        &format!("results/{intro}/resolve"),
        &[("resolve_comment", "Consent given by phone")],
    )
    .await;
    let page = app.get(&format!("/applicants/{id}")).await;
    assert!(page.body.contains(">Resolved by hand<") && page.body.contains("Consent given by phone"));
    assert!(
        !page.body.contains(&format!("results/{intro}/resolve")),
        "a step resolved already offers no second resolve"
    );
    let again = act(
        &app,
        id,
        &format!("results/{intro}/resolve"),
        &[("resolve_comment", "Second thoughts")],
    )
    .await;
    assert_eq!(
        again.status, 422,
        "a second resolve would replace the first reason unseen"
    );
    assert!(
        again
            .body
            .contains("resolved by hand already, for the reason \u{201c}Consent given by phone\u{201d}")
    );
    assert!(
        again
            .body
            .contains("Your reason, not saved: \u{201c}Second thoughts\u{201d}"),
        "what was typed is kept, where there is no field for it"
    );
    let page = app.get(&format!("/applicants/{id}")).await;
    assert!(page.body.contains("Consent given by phone") && !page.body.contains("Second thoughts"));
    // Refused because someone acted meanwhile: the words come back in that
    // step's box alone, opened, not in every step's.
    let doc = active_result(&app, id, "document_check");
    let stale = (lock_version(&app, id).parse::<i32>().expect("version") - 1).to_string();
    let clash = app
        .post(
            &format!("/applicants/{id}/results/{doc}/resolve"),
            &[
                ("lock_version", stale.as_str()),
                ("resolve_comment", "Seen the passport in branch"),
            ],
        )
        .await;
    assert_eq!(clash.status, 409, "{}", clash.body);
    assert_eq!(clash.body.matches("value=\"Seen the passport in branch\"").count(), 1);
    assert_eq!(
        clash
            .body
            .matches("<details open><summary class=\"small\">Act on this step")
            .count(),
        1
    );
    assert!(clash.body.contains(&format!(
        "id=\"resolve-{doc}\" name=\"resolve_comment\" type=\"text\" value=\"Seen the passport in branch\""
    )));
    let not_started = active_result(&app, id, "final_screen");
    let nothing = act(&app, id, &format!("results/{not_started}/deactivate"), &[]).await;
    assert_eq!(nothing.status, 422, "a step not started has no result to set aside");
    assert!(nothing.body.contains("has not started"));
    act(&app, id, &format!("results/{intro}/deactivate"), &[]).await;
    assert!(
        app.get(&format!("/applicants/{id}"))
            .await
            .body
            .contains("History: Resolved by hand")
    );
    act(&app, id, &format!("results/{intro}/reactivate"), &[]).await;
    assert_eq!(active_result(&app, id, "intro"), intro);

    // Approval waits for every step.
    let early = act(&app, id, "approve", &[]).await;
    assert_eq!(early.status, 422);
    assert!(
        early.body.contains("Document check and Final screen are not finished"),
        "{}",
        early.body
    );
    // A reviewer named before the applicant finishes leaves the status as it is.
    act(&app, id, "reviewer", &[("reviewer_id", &officer.to_string())]).await;
    assert_eq!(status(&app, id), "INIT");
    finish_steps(&app, id);

    // Reviewer, then a retry rejection that sends a link for the named step, then approval.
    act(&app, id, "reviewer", &[("reviewer_id", &officer.to_string())]).await;
    assert_eq!(status(&app, id), "IN_REVIEW");
    let incomplete = act(&app, id, "reject", &[("rejection_type", "retry")]).await;
    assert_eq!(incomplete.status, 422);
    assert!(
        incomplete
            .body
            .contains("<p class=\"error\" id=\"e-reasons\">Tick at least one reason.</p>")
            && incomplete
                .body
                .contains("<p class=\"error\" id=\"e-retry_steps\">Tick the steps the applicant must redo.</p>"),
        "each message by its fieldset"
    );
    // The welcome and the final screen are not offered: redoing them
    // would ask nothing new of the applicant.
    for step in ["nonexistent", "intro", "final_screen"] {
        let unknown = act(
            &app,
            id,
            "reject",
            &[
                ("rejection_type", "retry"),
                ("reasons", "incomplete_information"),
                ("retry_steps", step),
                ("retry_steps", "document_check"),
            ],
        )
        .await;
        assert_eq!(unknown.status, 422, "{step}");
        assert!(unknown.body.contains("Tick steps from the list."), "{step}");
        assert!(
            unknown.body.contains("name=\"retry_steps\" value=\"document_check\"")
                && !unknown.body.contains("name=\"retry_steps\" value=\"intro\"")
                && !unknown.body.contains("name=\"retry_steps\" value=\"final_screen\""),
            "the form offers only steps worth redoing"
        );
    }
    // "Other" alone says nothing: the internal comment must.
    let unexplained = act(
        &app,
        id,
        "reject",
        &[
            ("rejection_type", "final"),
            ("reasons", "other"),
            ("comment_applicant", "We cannot go on."),
        ],
    )
    .await;
    assert_eq!(unexplained.status, 422);
    assert!(
        unexplained
            .body
            .contains("id=\"e-comment_internal\">Say in the internal comment what “Other” stands for.")
            && unexplained.body.contains("We cannot go on."),
        "{}",
        unexplained.body
    );
    assert_eq!(status(&app, id), "IN_REVIEW", "nothing decided");
    let nothing_to_do = act(
        &app,
        id,
        "reject",
        &[
            ("rejection_type", "retry"),
            ("reasons", "incomplete_information"),
            ("retry_steps", "aml"),
        ],
    )
    .await;
    assert_eq!(nothing_to_do.status, 422, "screening alone");
    assert!(
        nothing_to_do.body.contains("face match and screening run without them"),
        "a retry that would ask nothing of the applicant is refused"
    );
    let retry = act(
        &app,
        id,
        "reject",
        &[
            ("rejection_type", "retry"),
            ("reasons", "document_unreadable"),
            ("retry_steps", "document_check"),
            (
                "comment_applicant",
                "The photo was blurred; please take it again in good light.",
            ),
            ("comment_internal", "Glare on the MRZ."),
        ],
    )
    .await;
    assert_eq!(retry.status, 200, "{}", retry.body);
    assert!(
        retry
            .body
            .contains("Rejected for a retry: a new link for the steps named"),
        "the page says what was done, not only that a link was made"
    );
    assert_eq!(status(&app, id), "REJECTED");
    let retry_email = crate::helpers::eventually("the retry email", async || {
        app.smtp
            .all()
            .into_iter()
            .find(|e| e.text.contains("blurred"))
            .ok_or_else(|| "not yet".to_string())
    })
    .await;
    assert!(retry_email.text.contains("/v/"));
    assert!(
        retry_email.subject.contains("Please redo part of your verification")
            && retry_email
                .text
                .contains("We need you to redo part of your verification: Identity document."),
        "the email names what to redo, in the applicant's words: {} / {}",
        retry_email.subject,
        retry_email.text
    );
    let retry_link = retry_email
        .text
        .split_whitespace()
        .find(|w| w.contains("/v/"))
        .expect("link")
        .to_string();
    // The page behind the link says what to redo and why.
    let landing = app.new_client().get(&path_of(&app, &retry_link)).await;
    assert_eq!(landing.status, 200);
    assert!(
        landing.body.contains("A message from")
            && landing
                .body
                .contains("The photo was blurred; please take it again in good light.")
            && landing.body.contains("Upload or photograph an identity document."),
        "{}",
        landing.body
    );
    let intro_item = &landing.body[landing.body.find("<strong>Welcome").expect("intro")..];
    assert!(
        intro_item[..intro_item.find("</li>").expect("item")].contains("Done"),
        "the intro the officer resolved is done"
    );
    let final_item = &landing.body[landing.body.find("<strong>Finish").expect("final screen")..];
    assert!(
        !final_item[..final_item.find("</li>").expect("item")].contains("Done"),
        "the final screen is still ahead of the applicant"
    );
    assert_eq!(status(&app, id), "REJECTED", "viewing the page changes nothing");
    start_session(&app.new_client(), &path_of(&app, &retry_link)).await;
    assert_eq!(
        status(&app, id),
        "INCOMPLETE",
        "at work again, no longer shown as rejected"
    );
    let redo = act(&app, id, "approve", &[]).await;
    assert_eq!(redo.status, 422, "the step to redo is not done yet");
    assert!(redo.body.contains("Document check is not finished"), "{}", redo.body);
    let doc = active_result(&app, id, "document_check");
    act(
        &app,
        id,
        &format!("results/{doc}/resolve"),
        &[("resolve_comment", "New photo checked against the passport on a call")],
    )
    .await
    .assert_redirect(&format!("/applicants/{id}"));
    // An approval keeps only what its form asks: fields it has not are dropped.
    let long = "x".repeat(5000);
    act(
        &app,
        id,
        "approve",
        &[("comment_applicant", long.as_str()), ("retry_steps", "intro")],
    )
    .await
    .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(status(&app, id), "APPROVED");
    assert_eq!(
        latest_review(&app, id),
        (Vec::new(), Vec::new(), None),
        "no reasons, steps or words for the applicant on an approval"
    );
    let restart = act(&app, id, "links", &[]).await;
    assert_eq!(restart.status, 422, "an approved verification is not restarted");
    assert!(restart.body.contains("create a new verification session"));
    assert_eq!(
        app.new_client().get(&path_of(&app, &retry_link)).await.status,
        410,
        "a decided verification's links are withdrawn"
    );
    let page = app.get(&format!("/applicants/{id}")).await;
    assert!(
        page.body.contains("rejected (retry)")
            && page.body.contains("Document unreadable")
            && page.body.contains("Glare on the MRZ.")
    );
    let timeline = app.get(&format!("/applicants/{id}/timeline")).await.body;
    let rejection = event_line(&timeline, "Rejected");
    assert!(
        rejection.contains("to applicant: The photo was blurred; please take it again in good light.")
            && rejection.contains("internal comment: Glare on the MRZ."),
        "the timeline keeps both comments of a rejection: {rejection}"
    );
}

/// The newest event on a timeline page whose label starts with `what`,
/// up to the end of its line.
fn event_line<'a>(timeline: &'a str, what: &str) -> &'a str {
    let at = timeline
        .find(&format!("</span> {what}"))
        .unwrap_or_else(|| panic!("no {what}: {timeline}"));
    &timeline[at..at + timeline[at..].find("</li>").expect("end of the event")]
}

#[actix_web::test]
async fn two_officers_at_once_one_wins_and_the_other_keeps_what_they_typed() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, _) = applicant_with_session(&app, officer).await;
    finish_steps(&app, id);
    let other = app.new_client();
    let admin = other.signed_in_as(BuiltinRole::Admin).await;
    let seen = lock_version(&app, id);
    act(&app, id, "reviewer", &[("reviewer_id", &officer.to_string())])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    let appointed = other
        .post(
            &format!("/applicants/{id}/reviewer"),
            &[("lock_version", seen.as_str()), ("reviewer_id", &admin.to_string())],
        )
        .await;
    assert_eq!(appointed.status, 409);
    assert!(
        appointed.body.contains(&format!("<option value=\"{admin}\" selected>")),
        "the reviewer chosen stays chosen, not the one set meanwhile"
    );
    let seen = lock_version(&app, id);
    app.post(&format!("/applicants/{id}/approve"), &[("lock_version", &seen)])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    let late = other
        .post(
            &format!("/applicants/{id}/reject"),
            &[
                ("lock_version", &seen),
                ("rejection_type", "final"),
                ("reasons", "suspected_fraud"),
                ("comment_internal", "My careful notes"),
            ],
        )
        .await;
    assert_eq!(late.status, 409);
    assert!(
        late.body.contains(
            "changed by Test Compliance officer meanwhile. Last change: approved. Your action was not applied"
        ),
        "{}",
        late.body
    );
    assert!(late.body.contains("My careful notes"), "what was typed is kept");
    assert_eq!(status(&app, id), "APPROVED");
}

#[actix_web::test]
async fn deletion_waits_twenty_days_then_purges_personal_data() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, decided_link) = applicant_with_session(&app, officer).await;
    finish_steps(&app, id);
    act(&app, id, "approve", &[])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    let closed = app.new_client().get(&decided_link).await;
    assert_eq!(closed.status, 410);
    assert!(
        closed.body.contains("This verification is closed") && !closed.body.contains("approved"),
        "the applicant learns it is closed, not the decision: {}",
        closed.body
    );
    // Verified again later: a new session, emailed, whose link the deletion withdraws.
    let flow = flow_of(&app, id);
    let mut emailed = session_fields(&flow, "2", "days", "30");
    emailed.extend([
        ("send_email", "on"),
        ("recipient", "dana-1@example.test"),
        ("subject", "Your verification"),
        ("body", "Hello Dana, start here: {{session_url}}"),
    ]);
    let again = app.post(&format!("/applicants/{id}/sessions"), &emailed).await;
    assert_eq!(again.status, 200, "{}", again.body);
    let link = path_of(&app, &link_in(&again.body));
    act(&app, id, "deletion", &[]).await;
    assert!(
        app.get(&format!("/applicants/{id}"))
            .await
            .body
            .contains("Scheduled for deletion")
    );
    // From the time stored: the test's clock may have passed midnight since.
    let scheduled: chrono::DateTime<chrono::Utc> = {
        applicants::table
            .find(id)
            .select(applicants::deletion_scheduled_at.assume_not_null())
            .first(&mut app.pool.get().expect("conn"))
            .expect("scheduled")
    };
    let purge_day = (scheduled + Duration::days(20)).format("%Y-%m-%d").to_string();
    let listed = app.get("/applicants").await.body;
    assert!(
        listed.contains("deletion scheduled")
            && listed.contains(&format!("purge on {purge_day}"))
            && listed.contains("title=\"Personal data will be purged on"),
        "the list says when: {listed}"
    );
    let revoked = app.new_client().get(&link).await;
    assert_eq!(revoked.status, 410, "links are revoked");
    assert!(
        revoked.body.contains("withdrew this link") && !revoked.body.contains("newer link"),
        "no newer link was sent: {}",
        revoked.body
    );
    app.new_client().get(&link).await;
    // Another browser at that address (the applicant's phone beside a mail
    // scanner, say) is recorded; a script that changes its user agent each
    // time, for three browsers a minute, no more.
    for agent in [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
        "Scanner/1",
        "Scanner/2",
    ] {
        app.client
            .get(format!("{}{link}", app.address))
            .header("User-Agent", agent)
            .send()
            .await
            .expect("GET with another browser");
    }
    let refused_opens: i64 = {
        use veridesk::db::schema::events;
        let mut conn = app.pool.get().expect("conn");
        events::table
            .filter(events::kind.eq("link.opened"))
            .filter(events::subject_id.eq(id.to_string()))
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "details->>'refused' = 'REVOKED'",
            ))
            .filter(events::ip.is_not_null())
            .count()
            .get_result(&mut conn)
            .expect("events")
    };
    assert_eq!(
        refused_opens, 3,
        "opening a dead link is recorded, with the IP; again within a minute from the same browser, \
         or from a fourth, is not"
    );
    let flow = flow_of(&app, id);
    let refused = app
        .post(
            &format!("/applicants/{id}/sessions"),
            &session_fields(&flow, "2", "days", "30"),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("scheduled for deletion"), "{}", refused.body);
    assert!(
        app.get(&format!("/applicants/{id}/sessions/new"))
            .await
            .body
            .contains("Restore the applicant first"),
        "the form says so before it is filled in"
    );
    let links: i64 = {
        use veridesk::db::schema::session_links;
        let mut conn = app.pool.get().expect("conn");
        session_links::table
            .filter(session_links::applicant_id.eq(id))
            .count()
            .get_result(&mut conn)
            .expect("links")
    };
    assert_eq!(links, 2, "no new link was made: the first and the second session's");
    act(&app, id, "restore", &[]).await;
    let restored = app.get(&format!("/applicants/{id}")).await;
    assert!(!restored.body.contains("Scheduled for deletion"));
    assert!(
        restored.body.contains("The links it withdrew stay withdrawn"),
        "the officer is told a new link is needed"
    );
    act(&app, id, "deletion", &[]).await;

    // Another applicant who shares her address is emailed a link.
    let sibling = insert_applicant(&app, "Dan Ruiz", "DAN-2", "INIT", 3);
    let mut fields = session_fields(&flow, "2", "days", "30");
    fields.extend([
        ("send_email", "on"),
        ("recipient", "dana-1@example.test"),
        ("subject", "Your verification"),
        ("body", "Start here: {{session_url}}"),
    ]);
    let sent = app.post(&format!("/applicants/{sibling}/sessions"), &fields).await;
    assert_eq!(sent.status, 200, "{}", sent.body);

    app.advance(Duration::days(21));
    // Three weeks on, the officer signs in again.
    app.sign_in("compliance-officer@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    let late = act(&app, id, "restore", &[]).await;
    assert_eq!(late.status, 422);
    assert!(late.body.contains("The 20 days to restore this applicant are over"));
    let overdue = app.get(&format!("/applicants/{id}")).await.body;
    assert!(
        overdue.contains("the purge has not run yet") && !overdue.contains(&format!("/applicants/{id}/restore")),
        "past its day, the profile offers no restore and says the purge is due: {overdue}"
    );
    assert!(
        !app.get("/applicants").await.body.contains("data deleted"),
        "until the purge has run, the list does not say her data is gone"
    );
    // Someone took the id her record will be given; her purge still runs.
    insert_applicant(&app, "Sam Taken", &format!("deleted-{id}"), "INIT", 1);
    {
        let mut conn = app.pool.get().expect("conn");
        assert_eq!(
            veridesk::applicants::deletion::purge_due(&mut conn, app.clock.now() - Duration::days(2)).expect("purge"),
            0,
            "not before 20 days"
        );
        assert_eq!(
            veridesk::applicants::deletion::purge_due(&mut conn, app.clock.now()).expect("purge"),
            1
        );
    }
    let page = app.get(&format!("/applicants/{id}")).await;
    assert!(page.body.contains("personal data was deleted") && page.body.contains("Deleted applicant"));
    let refused = app
        .post(
            &format!("/applicants/{id}/sessions"),
            &session_fields(&flow, "2", "days", "30"),
        )
        .await;
    assert_eq!(refused.status, 422, "no link to a purged applicant");
    assert!(refused.body.contains("its data was deleted"), "{}", refused.body);
    assert!(!page.body.contains("Dana Ruiz") && !page.body.contains("dana-1@example.test"));
    assert!(
        page.body.contains(">approved<") || page.body.contains("<strong>approved</strong>"),
        "the decision record stays"
    );
    assert!(
        !app.get("/applicants?q=dana").await.body.contains("Deleted applicant"),
        "no longer found by the old name"
    );
    assert!(
        app.get("/applicants").await.body.contains("data deleted"),
        "the list says her data is gone, not that deletion is scheduled"
    );
    assert_eq!(
        app.new_client().get(&link).await.status,
        404,
        "her links are gone, and opening one records nothing"
    );
    let mentions: i64 = {
        use veridesk::db::schema::{events, outbox_messages};
        let mut conn = app.pool.get().expect("conn");
        // The other applicant's events name the address they share, rightly.
        let mut theirs: Vec<String> = outbox_messages::table
            .filter(outbox_messages::to_address.eq("dana-1@example.test"))
            .select(outbox_messages::id)
            .load::<uuid::Uuid>(&mut conn)
            .expect("emails")
            .iter()
            .map(uuid::Uuid::to_string)
            .collect();
        theirs.push(sibling.to_string());
        events::table
            .filter(events::subject_id.ne_all(theirs))
            .filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>("details::text ILIKE '%dana%'")
                    .or(events::actor_label.ilike("%dana%"))
                    .or(events::ip
                        .is_not_null()
                        .and(events::subject_id.eq(id.to_string()))
                        .and(events::actor_kind.ne("member"))),
            )
            .count()
            .get_result(&mut conn)
            .expect("events")
    };
    assert_eq!(mentions, 0, "the timeline keeps no name, address or IP of hers");
    let decided_from: Option<String> = {
        use veridesk::db::schema::events;
        let mut conn = app.pool.get().expect("conn");
        events::table
            .filter(events::subject_id.eq(id.to_string()))
            .filter(events::kind.eq("applicant.approved"))
            .select(events::ip)
            .first(&mut conn)
            .expect("the approval")
    };
    assert_eq!(
        decided_from.as_deref(),
        Some("127.0.0.1"),
        "who decided, and from where, stays"
    );
    let siblings_emails: i64 = {
        use veridesk::db::schema::outbox_messages;
        let mut conn = app.pool.get().expect("conn");
        outbox_messages::table
            .filter(outbox_messages::to_address.eq("dana-1@example.test"))
            .count()
            .get_result(&mut conn)
            .expect("emails")
    };
    assert_eq!(
        siblings_emails, 1,
        "her email is deleted; the other applicant's at the same address stays"
    );
}

/// The timeline holds every event: the profile shows the newest hundred and
/// links to the older ones, a page at a time.
#[actix_web::test]
async fn the_timeline_pages_through_every_event() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let id = insert_applicant(&app, "Tess Long", "TESS-1", "INIT", 5);
    {
        let mut conn = app.pool.get().expect("conn");
        let actor = veridesk::audit::Actor::system("test");
        for n in 0..230 {
            veridesk::audit::record(
                &mut conn,
                app.clock.now(),
                &actor,
                veridesk::audit::EventKind::LinkOpened,
                Some(("applicant", id.to_string())),
                serde_json::json!({ "note": format!("note number {n:03}") }),
            )
            .expect("event");
        }
    }
    let mut page = app.get(&format!("/applicants/{id}")).await;
    assert!(page.body.contains("note number 229") && !page.body.contains("note number 129"));
    let mut seen = vec![page.body.clone()];
    while let Some(older) = page
        .body
        .split("<a href=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.contains("/timeline?before="))
        .map(|href| href.replace("&amp;", "&"))
    {
        page = app.get(&older).await;
        assert_eq!(page.status, 200);
        seen.push(page.body.clone());
        assert!(seen.len() < 10, "the pages end");
    }
    assert_eq!(seen.len(), 3, "100 on the profile, then 100, then the rest");
    let all = seen.concat();
    for n in [0, 99, 100, 129, 130, 229] {
        assert!(all.contains(&format!("note number {n:03}")), "event {n} is on a page");
    }
}

/// Reviewers change hands and comments form a thread, each on the timeline.
#[actix_web::test]
async fn reviewers_change_and_comments_thread() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let second = app.create_member(BuiltinRole::ComplianceOfficer, "second@example.test");
    let id = insert_applicant(&app, "Cleo Thread", "CLEO-1", "COMPLETED", 5);
    act(&app, id, "reviewer", &[("reviewer_id", &officer.to_string())])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(status(&app, id), "IN_REVIEW");
    act(&app, id, "reviewer", &[("reviewer_id", &second.to_string())])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    let reviewer = || {
        let mut conn = app.pool.get().expect("conn");
        applicants::table
            .find(id)
            .select(applicants::reviewer_id)
            .first::<Option<uuid::Uuid>>(&mut conn)
            .expect("reviewer")
    };
    assert_eq!(reviewer(), Some(second), "the second officer took it over");
    let version = lock_version(&app, id);
    act(&app, id, "reviewer", &[("reviewer_id", &second.to_string())])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(
        lock_version(&app, id),
        version,
        "the same reviewer again changes nothing"
    );
    act(&app, id, "reviewer", &[("reviewer_id", "")])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert!(
        app.get(&format!("/applicants/{id}"))
            .await
            .body
            .contains("Reviewer removed.")
    );
    assert_eq!(reviewer(), None);
    assert_eq!(
        status(&app, id),
        "COMPLETED",
        "with nobody reviewing, it waits for a decision"
    );
    // Removing nobody changes nothing: no event, and no one's form goes stale.
    let version = lock_version(&app, id);
    act(&app, id, "reviewer", &[("reviewer_id", "")])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(lock_version(&app, id), version, "nothing changed");
    assert!(
        app.get(&format!("/applicants/{id}"))
            .await
            .body
            .contains("Nobody reviews this applicant.")
    );
    act(&app, id, "comments", &[("comment", "REJECTED")])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert!(
        app.get(&format!("/applicants/{id}"))
            .await
            .body
            .contains("<p class=\"comment-text\">REJECTED</p>"),
        "a comment is shown as written"
    );

    act(&app, id, "comments", &[("comment", "First look: passport is blurry.")])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    act(
        &app,
        id,
        "comments",
        &[("comment", "Asked for a new photo.\nCall back on Monday.")],
    )
    .await
    .assert_redirect(&format!("/applicants/{id}"));
    let empty = act(&app, id, "comments", &[("comment", "   ")]).await;
    assert_eq!(empty.status, 422);
    let page = app.get(&format!("/applicants/{id}")).await;
    let (first, second_note) = (
        page.body
            .find("First look: passport is blurry.")
            .expect("first comment"),
        page.body.find("Asked for a new photo.").expect("second comment"),
    );
    assert!(second_note < first, "newest first");
    let thread = &page.body[page.body.find("id=\"comments\"").expect("comments")..];
    assert!(
        thread.contains("<strong>Test Compliance officer</strong>") && thread.contains("photo.\nCall back"),
        "comments name their author and keep line breaks: {}",
        &thread[..thread.len().min(800)]
    );
    let removed = event_line(&page.body, "Reviewer removed");
    assert!(
        page.body.contains("Reviewer assigned")
            && event_line(&page.body, "Reviewer assigned").contains("instead of: Test Compliance officer")
            && removed.contains("reviewer: Test Compliance officer")
            && removed.contains("status now: Completed")
            && page.body.matches("</span> Reviewer removed").count() == 1,
        "one removal, naming whom it took off the case: {removed}"
    );
}

/// A final rejection closes the case: no links, no new session, no second
/// decision, until an officer resets the verification status, which is
/// audited. Reviewers must be members who may review.
#[actix_web::test]
async fn a_final_rejection_closes_the_case_until_reset() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, link) = applicant_with_session(&app, officer).await;
    let viewer = app.create_member(BuiltinRole::Viewer, "viewer@example.test");
    let not_a_reviewer = act(&app, id, "reviewer", &[("reviewer_id", &viewer.to_string())]).await;
    assert_eq!(not_a_reviewer.status, 422);
    assert!(not_a_reviewer.body.contains("may review applicants"));
    assert!(
        !app.get(&format!("/applicants/{id}"))
            .await
            .body
            .contains(&format!("value=\"{viewer}\"")),
        "a viewer is not offered as reviewer"
    );

    act(
        &app,
        id,
        "reject",
        &[
            ("rejection_type", "final"),
            ("reasons", "suspected_fraud"),
            ("reasons", "suspected_fraud"),
            ("retry_steps", "intro"),
        ],
    )
    .await
    .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(
        latest_review(&app, id),
        (vec!["suspected_fraud".to_string()], Vec::new(), None),
        "a reason ticked twice counts once; a final rejection names no steps"
    );
    assert_eq!(app.new_client().get(&link).await.status, 410, "its link is withdrawn");
    let page = app.get(&format!("/applicants/{id}")).await;
    assert!(page.body.contains("Rejected as final: reset the verification status"));
    assert!(!page.body.contains("Generate link (restart)") && !page.body.contains(">Approve</button>"));
    for action in ["links", "approve", "flow", "request-info", "reject"] {
        // Each with a form that would pass: the state refuses it.
        let fields: &[(&str, &str)] = match action {
            "reject" => &[("rejection_type", "final"), ("reasons", "suspected_fraud")],
            "request-info" => &[("message", "Please send a utility bill.")],
            _ => &[],
        };
        let refused = act(&app, id, action, fields).await;
        assert_eq!(refused.status, 422, "{action}");
        assert!(refused.body.contains("rejected as final"), "{action}: {}", refused.body);
    }
    let flow = flow_of(&app, id);
    let new_session = format!("/applicants/{id}/sessions/new");
    assert!(
        !app.get("/applicants").await.body.contains(&new_session),
        "the list offers no new session"
    );
    let form = app.get(&new_session).await;
    assert!(form.body.contains("rejected as final"), "the form warns");
    assert!(
        form.body.contains("type=\"submit\" disabled>Create session</button>"),
        "and offers nothing it would refuse"
    );
    let session = app
        .post(
            &format!("/applicants/{id}/sessions"),
            &session_fields(&flow, "2", "days", "30"),
        )
        .await;
    assert_eq!(session.status, 422);
    assert!(session.body.contains("rejected as final"), "{}", session.body);
    assert_eq!(status(&app, id), "REJECTED");

    // Comments need no version: one written on an older page still lands.
    let stale = lock_version(&app, id);
    app.post(
        &format!("/applicants/{id}/comments"),
        &[("lock_version", &stale), ("comment", "Fraud ring, see case 41.")],
    )
    .await
    .assert_redirect(&format!("/applicants/{id}"));
    app.post(
        &format!("/applicants/{id}/comments"),
        &[("lock_version", &stale), ("comment", "Agreed.")],
    )
    .await
    .assert_redirect(&format!("/applicants/{id}"));

    let closed = app.new_client().get(&link).await;
    assert!(closed.body.contains("This verification is closed") && !closed.body.contains("ask for a new link"));
    act(&app, id, "reset", &[])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(status(&app, id), "INIT");
    let reopened = app.new_client().get(&link).await;
    assert!(
        reopened.body.contains("This link was replaced"),
        "after a reset the case is open again: a newer link replaced this one"
    );
    assert!(app.get("/applicants").await.body.contains(&new_session));
    let restarted = act(&app, id, "links", &[]).await;
    assert_eq!(restarted.status, 200, "reset reopened the case");
}

/// Settling results by hand moves a case that had finished to where its
/// results now put it; removing its reviewer does the same. An approved
/// verification's results stay as approved.
#[actix_web::test]
async fn settling_results_by_hand_moves_the_case() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let nobody = insert_applicant(&app, "Nora None", "NORA-1", "INIT", 3);
    let rejected = act(
        &app,
        nobody,
        "reject",
        &[("rejection_type", "final"), ("reasons", "incomplete_information")],
    )
    .await;
    assert_eq!(rejected.status, 422, "no verification, nothing to reject");
    assert!(rejected.body.contains("no verification to reject"));

    let (id, _) = applicant_with_session(&app, officer).await;
    finish_steps(&app, id);
    let flagged = flag_document_check(&app, id);
    let garbage = act(&app, id, "reviewer", &[("reviewer_id", "garbage")]).await;
    assert_eq!(garbage.status, 422, "an unknown reviewer is not taken as nobody");
    act(&app, id, "reviewer", &[("reviewer_id", &officer.to_string())])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(status(&app, id), "IN_REVIEW");
    act(&app, id, "reviewer", &[("reviewer_id", "")])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(status(&app, id), "ON_HOLD", "the flag still needs a look");
    act(
        &app,
        id,
        &format!("results/{flagged}/resolve"),
        &[("resolve_comment", "Checked the document against the registry")],
    )
    .await
    .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(status(&app, id), "COMPLETED", "nothing is left to look at");
    // Each of those moves says on the timeline where it left the applicant.
    let timeline = app.get(&format!("/applicants/{id}/timeline")).await.body;
    for (what, detail) in [
        (
            "Reviewer assigned",
            "reviewer: Test Compliance officer · status now: In review",
        ),
        (
            "Reviewer removed",
            "reviewer: Test Compliance officer · status now: On hold",
        ),
        ("Step resolved by hand", "status now: Completed"),
    ] {
        let line = event_line(&timeline, what);
        assert!(line.contains(detail), "{what} says {detail}: {line}");
    }

    act(&app, id, "approve", &[])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    let intro = active_result(&app, id, "intro");
    let after = act(&app, id, &format!("results/{intro}/deactivate"), &[]).await;
    assert_eq!(after.status, 422, "an approved verification's results stay");
    assert!(after.body.contains("stay as they were approved"));

    // An applicant who never started, whose every step an officer settles
    // (documents received another way), waits for a decision.
    let unstarted = insert_applicant(&app, "Uma Post", "UMA-1", "INIT", 2);
    app.post(
        &format!("/applicants/{unstarted}/sessions"),
        &session_fields(&flow_of(&app, id), "2", "days", "30"),
    )
    .await;
    let results: Vec<uuid::Uuid> = {
        let mut conn = app.pool.get().expect("conn");
        step_results::table
            .inner_join(veridesk::db::schema::applicants::table.on(
                veridesk::db::schema::applicants::current_verification_id.eq(step_results::verification_id.nullable()),
            ))
            .filter(veridesk::db::schema::applicants::id.eq(unstarted))
            .filter(step_results::active)
            .select(step_results::id)
            .load(&mut conn)
            .expect("results")
    };
    for (i, result) in results.iter().enumerate() {
        assert_eq!(status(&app, unstarted), "INIT", "a step is still to do");
        act(
            &app,
            unstarted,
            &format!("results/{result}/resolve"),
            &[("resolve_comment", &format!("Received by post ({i})"))],
        )
        .await
        .assert_redirect(&format!("/applicants/{unstarted}"));
    }
    assert_eq!(status(&app, unstarted), "COMPLETED", "every step settled by hand");
    let document = active_result(&app, unstarted, "document_check");
    act(&app, unstarted, &format!("results/{document}/deactivate"), &[])
        .await
        .assert_redirect(&format!("/applicants/{unstarted}"));
    assert_eq!(
        status(&app, unstarted),
        "INIT",
        "a step to do again, for one who never started: back at the start"
    );
    // A retry of that step, not started again: nothing more in its history.
    let history = step_results::table.filter(step_results::active.eq(false));
    let set_aside = |conn: &mut diesel::PgConnection| -> i64 { history.count().get_result(conn).expect("history") };
    let before = set_aside(&mut app.pool.get().expect("conn"));
    let retry = act(
        &app,
        unstarted,
        "reject",
        &[
            ("rejection_type", "retry"),
            ("reasons", "incomplete_information"),
            ("retry_steps", "document_check"),
        ],
    )
    .await;
    assert_eq!(retry.status, 200, "{}", retry.body);
    assert_eq!(
        set_aside(&mut app.pool.get().expect("conn")),
        before,
        "a step not started is to do already: no history entry"
    );
}

/// A new session starts a new verification; the results of the one it
/// replaced are its record, and no action changes them.
#[actix_web::test]
async fn results_of_a_replaced_verification_stay_as_they_were() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, _) = applicant_with_session(&app, officer).await;
    finish_steps(&app, id);
    let old = active_result(&app, id, "document_check");
    let set_aside = active_result(&app, id, "intro");
    act(&app, id, &format!("results/{set_aside}/deactivate"), &[])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    let flow = flow_of(&app, id);
    let again = app
        .post(
            &format!("/applicants/{id}/sessions"),
            &session_fields(&flow, "2", "days", "30"),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    for (result, action) in [(old, "resolve"), (old, "deactivate"), (set_aside, "reactivate")] {
        let refused = act(
            &app,
            id,
            &format!("results/{result}/{action}"),
            &[("resolve_comment", "Checked by phone")],
        )
        .await;
        assert_eq!(refused.status, 422, "{action}: {}", refused.body);
    }
    let state = |result: uuid::Uuid| -> (String, bool) {
        let mut conn = app.pool.get().expect("conn");
        step_results::table
            .find(result)
            .select((step_results::status, step_results::active))
            .first(&mut conn)
            .expect("result")
    };
    assert_eq!(state(old), ("PASSED".to_string(), true));
    assert_eq!(state(set_aside), ("PASSED".to_string(), false));
    // Another applicant's result is not found from this one's page.
    let other = insert_applicant(&app, "Eve Other", "EVE-1", "INIT", 5);
    let mine = act(&app, other, &format!("results/{old}/deactivate"), &[]).await;
    assert_eq!(mine.status, 404);
}

/// A form whose version is not one the page wrote is not read as someone
/// else's change: it is refused, and the session form says so too.
#[actix_web::test]
async fn a_version_that_is_not_a_number_is_refused_not_taken_for_a_conflict() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, _) = applicant_with_session(&app, officer).await;
    let restart = app
        .post(&format!("/applicants/{id}/links"), &[("lock_version", "abc")])
        .await;
    assert_eq!(restart.status, 422);
    assert!(restart.body.contains("The form could not be read") && !restart.body.contains("meanwhile"));
    let flow = flow_of(&app, id);
    let mut fields = session_fields(&flow, "2", "days", "30");
    fields.push(("lock_version", "abc"));
    let session = app.post(&format!("/applicants/{id}/sessions"), &fields).await;
    assert_eq!(session.status, 422);
    assert!(session.body.contains("The form could not be read"));
}

/// Comments and what an officer writes with a decision hold no control
/// characters (a bell, an escape sequence): each is refused next to its
/// field with everything typed kept, and nothing changes. Line breaks, as
/// browsers send them, and tabs are kept.
#[actix_web::test]
async fn comments_refuse_control_characters_next_to_the_field() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let id = insert_applicant(&app, "Cleo Thread", "CLEO-1", "COMPLETED", 5);
    let bell = act(&app, id, "comments", &[("comment", "Ring\u{7} the bell")]).await;
    assert_eq!(bell.status, 422, "{}", bell.body);
    assert!(bell.body.contains(
        "<p class=\"error\" id=\"e-comment\">The comment contains a control character (U+0007) that cannot be shown; remove it.</p>"
    ));
    assert!(
        bell.body.contains(">Ring\u{7} the bell</textarea>"),
        "what was typed is kept"
    );
    let escape = act(&app, id, "comments", &[("comment", "See \u{1b}[31mthis\u{1b}[0m")]).await;
    assert_eq!(escape.status, 422);
    assert!(escape.body.contains("(U+001B)"));
    let c1 = act(&app, id, "comments", &[("comment", "Odd \u{9b}2J")]).await;
    assert_eq!(c1.status, 422, "a C1 control too");
    assert!(
        !app.event_kinds().contains(&"applicant.commented".to_string()),
        "no comment was added"
    );
    act(&app, id, "comments", &[("comment", "Line one\r\nLine two\tindented")])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert!(app.event_kinds().contains(&"applicant.commented".to_string()));

    let (id, _) = applicant_with_session(&app, officer).await;
    finish_steps(&app, id);
    let rejected = act(
        &app,
        id,
        "reject",
        &[
            ("rejection_type", "final"),
            ("reasons", "other"),
            ("comment_applicant", "Sorry\u{1b}"),
            ("comment_internal", "Seen twice"),
        ],
    )
    .await;
    assert_eq!(rejected.status, 422);
    assert!(rejected.body.contains(
        "<p class=\"error\" id=\"e-comment_applicant\">The comment for the applicant contains a control character (U+001B)"
    ));
    assert!(rejected.body.contains(">Seen twice</textarea>"));
    assert_eq!(status(&app, id), "COMPLETED", "not rejected");
    let flagged = active_result(&app, id, "document_check");
    let resolved = act(
        &app,
        id,
        &format!("results/{flagged}/resolve"),
        &[("resolve_comment", "Checked\u{7}")],
    )
    .await;
    assert_eq!(resolved.status, 422);
    assert!(
        resolved
            .body
            .contains("<p class=\"error\" id=\"e-resolve_comment\">The reason contains a control character (U+0007)"),
        "next to the step's field"
    );
    assert_eq!(
        resolved.body.matches("id=\"e-resolve_comment\"").count(),
        1,
        "under the step acted on only"
    );
    assert!(!app.event_kinds().contains(&"step.resolved".to_string()));
}

/// The same comment form sent twice (a double click, a reload that posts
/// again) adds the comment once; the same words later, or another
/// officer's, are comments of their own.
#[actix_web::test]
async fn a_comment_sent_twice_is_added_once() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let id = insert_applicant(&app, "Cleo Thread", "CLEO-1", "COMPLETED", 5);
    let comments = |app: &TestApp| app.event_kinds().iter().filter(|k| *k == "applicant.commented").count();
    for _ in 0..2 {
        // Each post carries the version its page was shown with.
        app.post(
            &format!("/applicants/{id}/comments"),
            &[("lock_version", "0"), ("comment", "Checked the address.")],
        )
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    }
    assert_eq!(comments(&app), 1);
    let profile = app.get(&format!("/applicants/{id}")).await;
    assert!(profile.body.contains("Comment added."));
    assert_eq!(
        profile.body.matches("Checked the address.").count(),
        2,
        "once in the thread, once on the timeline"
    );

    act(&app, id, "comments", &[("comment", "Asked for a utility bill.")]).await;
    assert_eq!(comments(&app), 2);
    let other = app.new_client();
    other.create_member(BuiltinRole::ComplianceOfficer, "second-officer@example.test");
    other
        .sign_in("second-officer@example.test", crate::helpers::PASSWORD)
        .await
        .assert_redirect("/");
    act(&other, id, "comments", &[("comment", "Asked for a utility bill.")]).await;
    assert_eq!(comments(&app), 3, "another officer's words are theirs");
    act(&app, id, "comments", &[("comment", "Asked for a utility bill.")]).await;
    assert_eq!(
        comments(&app),
        4,
        "after someone else's comment, the same words answer it"
    );
    act(&app, id, "comments", &[("comment", "Asked for a utility bill.")]).await;
    assert_eq!(comments(&app), 4, "sent twice");
    app.advance(Duration::minutes(3));
    act(&app, id, "comments", &[("comment", "Asked for a utility bill.")]).await;
    assert_eq!(comments(&app), 5, "the same words later are a new comment");
    // A page shown before a colleague's reply, reloaded, posts its comment
    // again: a replay, though someone spoke in between.
    let seen = lock_version(&app, id);
    let page_form = [("lock_version", seen.as_str()), ("comment", "Called the bank.")];
    app.post(&format!("/applicants/{id}/comments"), &page_form).await;
    act(&other, id, "comments", &[("comment", "Thanks.")]).await;
    app.post(&format!("/applicants/{id}/comments"), &page_form)
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(comments(&app), 7, "the reply counts; the reload does not");
}

/// A step a check flagged (a screening hit, a duplicate) waits for a
/// person: approval is refused, naming it, until an officer resolves it.
#[actix_web::test]
async fn a_flagged_step_must_be_resolved_before_approval() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, _) = applicant_with_session(&app, officer).await;
    finish_steps(&app, id);
    let flagged = flag_document_check(&app, id);
    veridesk::verifications::queries::record_findings(
        &mut app.pool.get().expect("conn"),
        flagged,
        "The expiry date could not be read <glare>.",
    )
    .expect("findings");
    let page = app.get(&format!("/applicants/{id}")).await;
    assert!(
        page.body
            .contains("disabled aria-describedby=\"approve-blocker\">Approve</button>")
            && page.body.contains("Approval waits: Document check needs review."),
        "the profile says why before anyone clicks"
    );
    assert!(
        page.body
            .contains("<p class=\"findings small\">The expiry date could not be read &#60;glare&#62;.</p>"),
        "what the check found is by the step it flagged: {}",
        page.body
    );
    let refused = act(&app, id, "approve", &[]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Not approved: Document check needs review."));
    assert_eq!(status(&app, id), "ON_HOLD");
    // Without a reason, the step's own panel opens with the message.
    let no_reason = act(
        &app,
        id,
        &format!("results/{flagged}/resolve"),
        &[("resolve_comment", " ")],
    )
    .await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("<details open>"), "the step's panel is open");
    assert!(
        no_reason
            .body
            .contains("<p class=\"error\" id=\"e-resolve_comment\">Say why you settle this step by hand.</p>")
    );
    let long = "x".repeat(2001);
    let too_long = act(
        &app,
        id,
        &format!("results/{flagged}/resolve"),
        &[("resolve_comment", &long)],
    )
    .await;
    assert_eq!(too_long.status, 422);
    assert!(
        too_long
            .body
            .contains("The reason is 2001 characters long; keep it to 2000.")
    );
    let completed = || -> Option<chrono::DateTime<chrono::Utc>> {
        step_results::table
            .find(flagged)
            .select(step_results::completed_at)
            .first(&mut app.pool.get().expect("conn"))
            .expect("result")
    };
    let finished_by_the_applicant = completed();
    assert!(finished_by_the_applicant.is_some());
    app.advance(chrono::Duration::minutes(10));
    act(
        &app,
        id,
        &format!("results/{flagged}/resolve"),
        &[("resolve_comment", "The document is genuine; checked by phone.")],
    )
    .await
    .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(
        completed(),
        finished_by_the_applicant,
        "when the applicant finished the step stays"
    );
    let page = app.get(&format!("/applicants/{id}")).await;
    assert!(page.body.contains("type=\"submit\">Approve</button>") && !page.body.contains("Approval waits"));
    assert!(
        page.body.contains("name=\"approve_note\""),
        "an approval can carry a note"
    );
    act(
        &app,
        id,
        "approve",
        &[("approve_note", "The screening hit is a namesake: other birth year.")],
    )
    .await
    .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(status(&app, id), "APPROVED");
    assert!(
        app.get(&format!("/applicants/{id}"))
            .await
            .body
            .contains("Internal: The screening hit is a namesake: other birth year.")
    );
    // A decided case has no one left to review it.
    assert!(!app.get(&format!("/applicants/{id}")).await.body.contains("/reviewer\""));
    let late = act(&app, id, "reviewer", &[("reviewer_id", &officer.to_string())]).await;
    assert_eq!(late.status, 422);
    assert!(late.body.contains("nothing left to review"));
}

/// A result set aside and restored leaves the applicant where they were:
/// completed again, with no empty result left in the step's history.
#[actix_web::test]
async fn a_restored_result_puts_the_applicant_back_where_they_were() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, _) = applicant_with_session(&app, officer).await;
    finish_steps(&app, id);
    let document = active_result(&app, id, "document_check");
    act(&app, id, &format!("results/{document}/deactivate"), &[])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(status(&app, id), "INCOMPLETE", "the step is to do again");
    act(&app, id, &format!("results/{document}/reactivate"), &[])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    assert_eq!(status(&app, id), "COMPLETED");
    assert_eq!(active_result(&app, id, "document_check"), document);
    let page = app.get(&format!("/applicants/{id}")).await;
    assert!(
        !page.body.contains("History: Not started"),
        "no empty result in the history"
    );
    assert!(page.body.contains("Completed"));
}

/// A page that answered a form, reloaded, sends the form again: the
/// officer is told it was their own change, not someone else's.
#[actix_web::test]
async fn a_form_sent_again_by_a_reload_is_named_as_the_officers_own_change() {
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let (id, _) = applicant_with_session(&app, officer).await;
    let seen = lock_version(&app, id);
    let first = app
        .post(&format!("/applicants/{id}/links"), &[("lock_version", &seen)])
        .await;
    assert_eq!(first.status, 200, "the new link is shown");
    let reload = app
        .post(&format!("/applicants/{id}/links"), &[("lock_version", &seen)])
        .await;
    assert_eq!(reload.status, 409);
    assert!(
        reload.body.contains(
            "You changed this applicant after this form was shown (in another tab, or by sending a form again with a reload). Last change: new link generated (restart). Your action was not applied:"
        ),
        "{}",
        reload.body
    );
}

/// An empty or too long comment or information request is said next to its field.
#[actix_web::test]
async fn an_empty_comment_or_request_is_said_by_its_field() {
    let app = spawn_app().await;
    app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let id = insert_applicant(&app, "Cleo Thread", "CLEO-1", "COMPLETED", 5);
    let empty = act(&app, id, "comments", &[("comment", "  ")]).await;
    assert_eq!(empty.status, 422);
    assert!(
        empty
            .body
            .contains("<p class=\"error\" id=\"e-comment\">Write a comment first.</p>")
    );
    // Too long is said apart from empty, with how long it is.
    let long = "a".repeat(4001);
    let too_long = act(&app, id, "comments", &[("comment", &long)]).await;
    assert_eq!(too_long.status, 422);
    assert!(
        too_long
            .body
            .contains("id=\"e-comment\">The comment is 4001 characters long; keep it to 4000.</p>")
            && too_long.body.contains(&long),
        "the text is kept"
    );
    let officer = app.create_member(BuiltinRole::Owner, "flow-author@example.test");
    {
        use veridesk::flows::definition::{FlowDefinition, Step, StepKind};
        let def = FlowDefinition {
            settings: Default::default(),
            steps: [StepKind::Intro, StepKind::FinalScreen]
                .iter()
                .map(|k| Step {
                    id: uuid::Uuid::new_v4(),
                    config: k.default_config(None).expect("config"),
                })
                .collect(),
        };
        let mut conn = app.pool.get().expect("conn");
        let flow =
            veridesk::flows::queries::create(&mut conn, "More documents", "on_demand", &def, officer, app.clock.now())
                .expect("flow");
        veridesk::flows::queries::publish(&mut conn, flow, officer, app.clock.now())
            .expect("publish")
            .expect("published");
    }
    let request = act(&app, id, "request-info", &[("message", "")]).await;
    assert_eq!(request.status, 422);
    assert!(
        request
            .body
            .contains("<p class=\"error\" id=\"e-message\">Write a message telling the applicant what is needed.")
    );
}

/// The emails Veridesk writes itself are in the applicant's language: the
/// text the session form starts with, a retry's (naming the steps to redo)
/// and a reset's, with the footer in that language too. What the officer
/// writes goes out as written.
#[actix_web::test]
async fn the_emails_veridesk_writes_are_in_the_applicants_language() {
    use veridesk::email_templates::wording::{Purpose, wording};
    let app = spawn_app().await;
    let officer = app.signed_in_as(BuiltinRole::ComplianceOfficer).await;
    let flow = published_flow(&app, "Standard", officer).to_string();
    let id = insert_applicant(&app, "Élise Martin", "ELISE-1", "INIT", 5);
    diesel::update(applicants::table.find(id))
        .set(applicants::language.eq("fr"))
        .execute(&mut app.pool.get().expect("conn"))
        .expect("French");
    let starting = wording(Purpose::Invitation, "fr");
    let form = app.get(&format!("/applicants/{id}/sessions/new")).await;
    assert!(
        form.body
            .contains("The subject and body start in French (Français), the applicant’s language.")
            && form.body.contains(&format!("value=\"{}\"", starting.subject))
            && form.body.contains("Bonjour {{applicant_name}},"),
        "{}",
        form.body
    );
    let mut fields = session_fields(&flow, "2", "days", "30");
    fields.extend([
        ("send_email", "on"),
        ("recipient", "elise-1@example.test"),
        ("subject", starting.subject),
        ("body", starting.body),
    ]);
    let created = app.post(&format!("/applicants/{id}/sessions"), &fields).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let invitation = app
        .email_to("elise-1@example.test", "Veuillez vérifier votre identité")
        .await;
    assert!(
        invitation.text.starts_with("Bonjour Élise Martin,")
            && invitation.text.contains("Le lien est valable jusqu'au ")
            && invitation.html.contains("<html lang=\"fr\">")
            && invitation.html.contains("Envoyé par Veridesk pour le compte de"),
        "{}",
        invitation.html
    );

    let retry = act(
        &app,
        id,
        "reject",
        &[
            ("rejection_type", "retry"),
            ("reasons", "document_unreadable"),
            ("retry_steps", "document_check"),
            ("comment_applicant", "La photo était floue."),
        ],
    )
    .await;
    assert_eq!(retry.status, 200, "{}", retry.body);
    let redo = app
        .email_to(
            "elise-1@example.test",
            "Veuillez refaire une partie de votre vérification",
        )
        .await;
    assert!(
        redo.text.replace("\r\n", "\n").contains(
            "Nous vous demandons de refaire une partie de votre vérification : Pièce d'identité.\n\nLa photo était floue."
        ) && redo.text.contains("Continuez ici : "),
        "{}",
        redo.text
    );

    act(&app, id, "reset", &[])
        .await
        .assert_redirect(&format!("/applicants/{id}"));
    let again = app
        .email_to("elise-1@example.test", "Veuillez recommencer votre vérification")
        .await;
    assert!(
        again
            .text
            .contains("Nous vous demandons de recommencer votre vérification.")
            && again.text.contains("Commencez ici : ")
            && again.text.contains("-- \r\nEnvoyé par Veridesk pour le compte de"),
        "{}",
        again.text
    );
}
