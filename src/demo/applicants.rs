//! The demo's applicants, each with the history its status implies: a
//! verification on its flow's published version, a link that was emailed
//! and opened, step results, a reviewer and a decision, and the timeline
//! events of all that, in order and in the past. Everything is written by
//! the functions the back-office itself uses, so a compliance officer
//! opening the demo sees what the product would show for real applicants.

use crate::applicants::actions::{insert_review, set_reviewer, set_status};
use crate::applicants::models::{Applicant, NewApplicant, Status, search_text};
use crate::applicants::profile::ProfileForm;
use crate::applicants::queries as applicants;
use crate::audit::{self, Actor, EventKind};
use crate::domain::SecretToken;
use crate::email_templates::wording::{Purpose, wording};
use crate::error::AppError;
use crate::flows::definition::StepKind;
use crate::verifications::issue::{LinkEmail, issue_link};
use crate::verifications::links::status as link_status;
use crate::verifications::queries::{self as verifications, UsableFlow};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::PgConnection;
use rand::Rng;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;
use uuid::Uuid;

/// How many applicants a fresh demo gets: a page of the list and a bit more.
pub const COUNT: usize = 60;

/// A demo member who acts on applicants (both hold the review permission).
pub struct Member {
    pub id: Uuid,
    pub email: &'static str,
    pub name: &'static str,
}

impl Member {
    /// The member at the back-office, as the timeline shows them.
    fn actor(&self) -> Actor {
        Actor {
            kind: "member",
            member_id: Some(self.id),
            label: self.email.into(),
            ip: Some("203.0.113.10".into()),
            user_agent: Some(super::OFFICE_BROWSER.into()),
        }
    }
}

/// A published regular flow, and since when: no verification on it is older.
pub struct DemoFlow {
    pub id: Uuid,
    pub published_at: DateTime<Utc>,
}

/// Who acts in the stories, and the flows applicants are verified on.
pub struct Cast {
    /// Creates applicants, sends links, assigns and decides most of them.
    pub officer: Member,
    /// Reviews and decides some.
    pub admin: Member,
    /// The flow for people (KYC).
    pub people: DemoFlow,
    /// The flow for companies (KYB).
    pub companies: DemoFlow,
}

/// Seeds [`COUNT`] applicants, statuses in the proportions of the bulk
/// generator's table, one company in six.
pub fn seed(conn: &mut PgConnection, cast: &Cast, now: DateTime<Utc>, base_url: &str) -> Result<(), AppError> {
    let flows = [usable(conn, &cast.people)?, usable(conn, &cast.companies)?];
    // The same demo every time (its times relative to `now`): a page that
    // misbehaves on it can be found again.
    let mut rng = StdRng::seed_from_u64(2026);
    for i in 0..COUNT {
        let legal = i % 6 == 5;
        let pick = u32::try_from(i * 100 / COUNT).unwrap_or(0);
        let story = Story {
            n: i + 1,
            legal,
            status: Status::from_code(super::pick_status(pick)).unwrap_or(Status::Init),
            flow: if legal { &cast.companies } else { &cast.people },
            definition: &flows[usize::from(legal)],
        };
        tell(conn, cast, &story, &mut rng, now, base_url)?;
    }
    Ok(())
}

/// The flow's live version, which the stories' verifications run.
fn usable(conn: &mut PgConnection, flow: &DemoFlow) -> Result<UsableFlow, AppError> {
    verifications::usable_flow(conn, flow.id)?.ok_or_else(|| AppError::internal("a demo flow is not published"))
}

/// One applicant to seed.
struct Story<'a> {
    /// Its number, for the external id `CUST-0000001` and a unique email.
    n: usize,
    legal: bool,
    /// Where its story ends.
    status: Status,
    flow: &'a DemoFlow,
    definition: &'a UsableFlow,
}

/// A story's clock. Each step moves it forward by a plausible while, but
/// never by more than a third of the time left before `now`, so every
/// event is in order and in the past however the dice fall.
struct Clock {
    at: DateTime<Utc>,
    now: DateTime<Utc>,
}

impl Clock {
    fn advance(&mut self, rng: &mut StdRng, least: Duration, most: Duration) -> DateTime<Utc> {
        let room = (self.now - self.at - Duration::minutes(1)).max(Duration::zero()) / 3;
        let wanted = Duration::seconds(rng.random_range(least.num_seconds()..=most.num_seconds()));
        self.at += wanted.min(room);
        self.at
    }
}

/// Writes one applicant's story, as far as its status says it went.
fn tell(
    conn: &mut PgConnection,
    cast: &Cast,
    story: &Story<'_>,
    rng: &mut StdRng,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<(), AppError> {
    let officer = cast.officer.actor();
    // Decided and waiting applicants are older; some new ones arrived today.
    let oldest = (now - story.flow.published_at - Duration::hours(1))
        .num_minutes()
        .max(60);
    let youngest = if matches!(story.status, Status::Init | Status::Incomplete) {
        10
    } else {
        oldest / 4
    };
    let created = now - Duration::minutes(rng.random_range(youngest..=oldest));
    let mut clock = Clock { at: created, now };
    let id = create(conn, story, rng, created, &officer)?;
    // Half the new applicants have not been sent a link yet.
    if story.status == Status::Init && story.n.is_multiple_of(2) {
        return Ok(());
    }
    let sent = clock.advance(rng, Duration::minutes(5), Duration::minutes(40));
    let link = start(conn, story, id, sent, &officer, &cast.officer, base_url)?;
    if story.status == Status::Init {
        return Ok(());
    }
    let applicant = applicants::find(conn, id)?.0;
    let opened = clock.advance(rng, Duration::minutes(10), Duration::hours(18));
    open(conn, &applicant, link, opened, rng)?;
    let plan = plan(story, rng);
    work_steps(conn, story, &applicant, &plan, &mut clock, rng)?;
    if !matches!(story.status, Status::Incomplete) {
        verifications::set_link_status(conn, link, link_status::COMPLETED)?;
    }
    if let Some(comment) = plan.resolve {
        let at = clock.advance(rng, Duration::hours(1), Duration::hours(20));
        resolve(conn, story, &applicant, &plan, comment, at, &officer)?;
    }
    let decider = if story.n.is_multiple_of(4) {
        &cast.admin
    } else {
        &cast.officer
    };
    if story.status == Status::InReview
        || (matches!(story.status, Status::Approved | Status::Rejected) && !story.n.is_multiple_of(2))
    {
        let at = clock.advance(rng, Duration::minutes(30), Duration::hours(20));
        assign(conn, id, decider, at, &officer)?;
    }
    if matches!(story.status, Status::Approved | Status::Rejected) {
        let at = clock.advance(rng, Duration::minutes(20), Duration::hours(10));
        decide(conn, story, id, &plan, decider, at)?;
    }
    set_status(conn, id, story.status)?;
    Ok(())
}

/// Inserts the applicant, created by the officer at `at`.
fn create(
    conn: &mut PgConnection,
    story: &Story<'_>,
    rng: &mut StdRng,
    at: DateTime<Utc>,
    officer: &Actor,
) -> Result<Uuid, AppError> {
    const COUNTRIES: [&str; 10] = ["IE", "DE", "FR", "ES", "IT", "NL", "PT", "PL", "SE", "GB"];
    let (name, email) = super::identity(rng, story.legal, i64::try_from(story.n).unwrap_or_default());
    let external = format!("CUST-{:07}", story.n);
    let country = COUNTRIES[rng.random_range(0..COUNTRIES.len())];
    // People read their emails in their country's language; the others, and
    // companies, in English.
    let language = match country {
        "DE" | "FR" | "ES" | "IT" | "NL" | "PT" | "PL" if !story.legal => country.to_lowercase(),
        _ => "en".to_string(),
    };
    let born = (!story.legal)
        .then(|| {
            NaiveDate::from_ymd_opt(
                rng.random_range(1950..2006),
                rng.random_range(1..=12),
                rng.random_range(1..=28),
            )
        })
        .flatten();
    let new = NewApplicant {
        id: Uuid::new_v4(),
        kind: if story.legal { "legal_person" } else { "natural_person" }.into(),
        search_text: search_text(&name, Some(&email), &external),
        external_user_id: external.clone(),
        name: name.clone(),
        email: Some(email),
        phone: None,
        language,
        date_of_birth: born,
        country: Some(country.into()),
        supplied_info: json!({}),
        flow_id: Some(story.flow.id),
        status: Status::Init.code().into(),
        created_by: officer.member_id,
        created_at: at,
        updated_at: at,
    };
    applicants::create(conn, &new)?;
    audit::record(
        conn,
        at,
        officer,
        EventKind::ApplicantCreated,
        Some(("applicant", new.id.to_string())),
        json!({ "name": name, "external_user_id": external }),
    )?;
    Ok(new.id)
}

/// Starts the verification and emails its link, as the create-session form
/// does; the development mailbox delivers the email a few seconds later.
/// Returns the link.
fn start(
    conn: &mut PgConnection,
    story: &Story<'_>,
    id: Uuid,
    at: DateTime<Utc>,
    officer: &Actor,
    by: &Member,
    base_url: &str,
) -> Result<Uuid, AppError> {
    let flow = story.definition;
    let settings = &flow.definition.settings;
    let verification = verifications::start(
        conn,
        id,
        story.flow.id,
        flow.version_id,
        "regular",
        &flow.definition,
        Some(by.id),
        at,
    )?;
    let applicant = applicants::find(conn, id)?.0;
    let mut events = audit::Batch::new(at, officer);
    events.add(
        EventKind::VerificationStarted,
        Some(("applicant", id.to_string())),
        json!({ "flow": flow.name, "flow_version": flow.number, "revoked_links": 0 }),
    );
    let words = wording(Purpose::Invitation, &applicant.language);
    let email = applicant.email.clone().map(|to| LinkEmail {
        to,
        cc: Vec::new(),
        subject: words.subject.into(),
        body: words.body.into(),
        message: String::new(),
        language: None,
    });
    let issued = issue_link(
        conn,
        base_url,
        &applicant,
        verification,
        Duration::hours(i64::from(settings.link_expiry_hours)),
        i32::try_from(settings.session_minutes).unwrap_or(30),
        i32::try_from(settings.max_attempts).unwrap_or(10),
        email,
        None,
        &mut events,
    )?;
    events.write(conn)?;
    if issued.email_message.is_some() {
        deliver(conn, at + Duration::seconds(4))?;
    }
    // The link is stored by its token's hash only; the URL ends with the token.
    let token = issued.url.rsplit('/').next().unwrap_or_default();
    let (link, _) = verifications::find_link_for_update(conn, &SecretToken::hash(token))?
        .ok_or_else(|| AppError::internal("the demo link was not stored"))?;
    Ok(link.id)
}

/// The development mailbox delivers what is due at `at`, as the outbox
/// worker would: claimed (one attempt), then sent. The demo queues nothing
/// else before its applicants, so only the link just emailed is due.
fn deliver(conn: &mut PgConnection, at: DateTime<Utc>) -> Result<(), AppError> {
    use crate::outbox::queries::{claim_due, mark_sent};
    let claimed: Vec<Uuid> = claim_due(conn, at, 10)?.into_iter().map(|m| m.id).collect();
    mark_sent(conn, &claimed, at, "mailbox", false)?;
    Ok(())
}

/// The applicant opens the link on a phone or a computer and presses
/// Start, as the portal records it: a view, then the start, which starts
/// the session clock and makes the status INCOMPLETE.
fn open(
    conn: &mut PgConnection,
    applicant: &Applicant,
    link: Uuid,
    at: DateTime<Utc>,
    rng: &mut StdRng,
) -> Result<(), AppError> {
    const BROWSERS: [&str; 3] = [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    ];
    let (found, verification) = find_link(conn, applicant, link)?;
    verifications::record_view(conn, found.id, at)?;
    verifications::start_session(conn, &found, at)?;
    verifications::mark_started(conn, &verification, at)?;
    let actor = Actor {
        kind: "applicant",
        member_id: None,
        label: applicant.name.clone(),
        ip: Some(format!("198.51.100.{}", rng.random_range(2..250))),
        user_agent: Some(BROWSERS[rng.random_range(0..BROWSERS.len())].into()),
    };
    let subject = Some(("applicant", applicant.id.to_string()));
    audit::record(
        conn,
        at,
        &actor,
        EventKind::LinkOpened,
        subject.clone(),
        json!({ "session": "not started" }),
    )?;
    audit::record(
        conn,
        at,
        &actor,
        EventKind::LinkStarted,
        subject,
        json!({ "status_now": "INCOMPLETE" }),
    )?;
    Ok(())
}

/// The link `id` of the applicant, with its verification.
fn find_link(
    conn: &mut PgConnection,
    applicant: &Applicant,
    id: Uuid,
) -> Result<(crate::verifications::links::SessionLink, verifications::Verification), AppError> {
    let link = verifications::links_of(conn, applicant.id)?
        .into_iter()
        .map(|l| l.link)
        .find(|l| l.id == id)
        .ok_or_else(|| AppError::internal("the demo link is missing"))?;
    let verification = verifications::find_verification(conn, link.verification_id)?;
    Ok((link, verification))
}

/// What became of each step of the flow (`None`: not started), and the
/// comment of the officer who settled a flagged step, if one was.
struct Plan {
    results: Vec<Option<&'static str>>,
    /// The step flagged or failed, if any: AML screening or the document
    /// check.
    flagged: usize,
    resolve: Option<&'static str>,
}

/// The step results a status implies: INCOMPLETE some PASSED and one OPEN;
/// IN_PROGRESS all done but the last check, still running; ON_HOLD one
/// NEEDS_REVIEW; REJECTED one FAILED; otherwise all PASSED, now and then
/// with a flag an officer resolved.
fn plan(story: &Story<'_>, rng: &mut StdRng) -> Plan {
    let steps = &story.definition.definition.steps;
    let kinds: Vec<StepKind> = steps.iter().map(|s| s.config.kind()).collect();
    let n = kinds.len();
    let document = kinds.iter().position(|k| *k == StepKind::DocumentCheck);
    let screening = kinds.iter().position(|k| *k == StepKind::Aml);
    // Some flags are sanctions hits, others document problems.
    let flagged = if story.n.is_multiple_of(2) {
        document.or(screening)
    } else {
        screening.or(document)
    }
    .unwrap_or(n.saturating_sub(1));
    let mut results = vec![Some("PASSED"); n];
    let mut resolve = None;
    match story.status {
        Status::Init => results = vec![None; n],
        Status::Incomplete => {
            let open = rng.random_range(1..n.saturating_sub(1).max(2));
            for (i, r) in results.iter_mut().enumerate() {
                *r = match i.cmp(&open) {
                    std::cmp::Ordering::Less => Some("PASSED"),
                    std::cmp::Ordering::Equal => Some("OPEN"),
                    std::cmp::Ordering::Greater => None,
                };
            }
        }
        Status::InProgress => results[n.saturating_sub(2)] = Some("OPEN"),
        Status::OnHold => results[flagged] = Some("NEEDS_REVIEW"),
        Status::Rejected => results[flagged] = Some("FAILED"),
        Status::Completed | Status::InReview | Status::Approved => {
            if story.n.is_multiple_of(3) {
                results[flagged] = Some("NEEDS_REVIEW");
                resolve = Some(match kinds[flagged] {
                    StepKind::Aml => "False positive: the listed person has another date of birth and nationality.",
                    _ => "Document checked by hand: the glare hid the expiry date, which is valid.",
                });
            }
        }
    }
    Plan {
        results,
        flagged,
        resolve,
    }
}

/// Writes the step results of the plan, a step every few minutes within
/// the session, each with its timeline event: the applicant's steps by the
/// applicant, the automated checks by Veridesk.
fn work_steps(
    conn: &mut PgConnection,
    story: &Story<'_>,
    applicant: &Applicant,
    plan: &Plan,
    clock: &mut Clock,
    rng: &mut StdRng,
) -> Result<(), AppError> {
    let verification = applicant
        .current_verification_id
        .ok_or_else(|| AppError::internal("the demo verification is missing"))?;
    let results = verifications::results_of(conn, verification)?;
    let person = Actor {
        kind: "applicant",
        member_id: None,
        label: applicant.name.clone(),
        ip: None,
        user_agent: None,
    };
    let checks = Actor::system("Veridesk checks");
    for (step, outcome) in story.definition.definition.steps.iter().zip(&plan.results) {
        let Some(outcome) = *outcome else { continue };
        let result = results
            .iter()
            .find(|r| r.step_id == step.id && r.active)
            .ok_or_else(|| AppError::internal("a demo step has no result"))?;
        let kind = step.config.kind();
        let started = clock.advance(rng, Duration::seconds(20), Duration::minutes(2));
        let done = (outcome != "OPEN").then(|| clock.advance(rng, Duration::seconds(30), Duration::minutes(3)));
        verifications::record_result(conn, result.id, outcome, started, done)?;
        let findings = flagged_findings(kind, outcome);
        if let Some(findings) = findings {
            verifications::record_findings(conn, result.id, findings)?;
        }
        let Some(done) = done else { continue };
        let actor = if matches!(kind, StepKind::FaceMatch | StepKind::Aml) {
            &checks
        } else {
            &person
        };
        audit::record(
            conn,
            done,
            actor,
            EventKind::StepCompleted,
            Some(("applicant", applicant.id.to_string())),
            match findings {
                Some(findings) => json!({ "step": kind.label(), "result": outcome, "findings": findings }),
                None => json!({ "step": kind.label(), "result": outcome }),
            },
        )?;
    }
    Ok(())
}

/// What a check found on a step it flagged or failed, as the checks will
/// write it: the officer looks at this before resolving or deciding.
fn flagged_findings(kind: StepKind, outcome: &str) -> Option<&'static str> {
    match (kind, outcome) {
        (StepKind::Aml, "NEEDS_REVIEW") => Some(
            "Possible match on a sanctions list: a listed person's name is 91% similar; the date of birth differs by two years.",
        ),
        (StepKind::Aml, "FAILED") => {
            Some("Match on a sanctions list: name, date of birth and nationality agree with the listed person.")
        }
        (StepKind::DocumentCheck, "NEEDS_REVIEW") => {
            Some("The expiry date could not be read: glare covers it on the photo of the front.")
        }
        (StepKind::DocumentCheck, "FAILED") => Some("The document expired on 2025-08-14."),
        (_, "NEEDS_REVIEW") => Some("The check could not decide; it needs an officer's look."),
        (_, "FAILED") => Some("The check failed."),
        _ => None,
    }
}

/// The officer settles the flagged step by hand.
fn resolve(
    conn: &mut PgConnection,
    story: &Story<'_>,
    applicant: &Applicant,
    plan: &Plan,
    comment: &str,
    at: DateTime<Utc>,
    officer: &Actor,
) -> Result<(), AppError> {
    let step = &story.definition.definition.steps[plan.flagged];
    let verification = applicant
        .current_verification_id
        .ok_or_else(|| AppError::internal("the demo verification is missing"))?;
    let result = verifications::results_of(conn, verification)?
        .into_iter()
        .find(|r| r.step_id == step.id && r.active)
        .ok_or_else(|| AppError::internal("a demo step has no result"))?;
    verifications::resolve_result(conn, result.id, comment, at)?;
    audit::record(
        conn,
        at,
        officer,
        EventKind::StepResolved,
        Some(("applicant", applicant.id.to_string())),
        json!({ "step": result.step_kind, "from": result.status, "comment": comment }),
    )?;
    Ok(())
}

/// The officer assigns `reviewer`.
fn assign(
    conn: &mut PgConnection,
    id: Uuid,
    reviewer: &Member,
    at: DateTime<Utc>,
    officer: &Actor,
) -> Result<(), AppError> {
    let applicant = applicants::find(conn, id)?.0;
    let moved = set_reviewer(conn, &applicant, Some(reviewer.id))?;
    let mut details = json!({ "reviewer": reviewer.name });
    if let Some(now) = moved {
        details["status_now"] = now.code().into();
    }
    audit::record(
        conn,
        at,
        officer,
        EventKind::ReviewerAssigned,
        Some(("applicant", id.to_string())),
        details,
    )?;
    Ok(())
}

/// `by` approves or rejects, with a review record as the profile's buttons
/// write it; rejections are final, with the reason the failed step gives.
fn decide(
    conn: &mut PgConnection,
    story: &Story<'_>,
    id: Uuid,
    plan: &Plan,
    by: &Member,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let applicant = applicants::find(conn, id)?.0;
    let subject = Some(("applicant", id.to_string()));
    if story.status == Status::Approved {
        let clear = if story.legal {
            "Registry extract and the representative's document are in order."
        } else {
            "Document, selfie and screening are clear."
        };
        let form = ProfileForm {
            comment_internal: clear.into(),
            ..ProfileForm::default()
        };
        insert_review(conn, by.id, at, &applicant, "approved", &form)?;
        let comment = form.comment_internal.clone();
        audit::record(
            conn,
            at,
            &by.actor(),
            EventKind::ApplicantApproved,
            subject,
            json!({ "comment": comment }),
        )?;
        return Ok(());
    }
    let kind = story.definition.definition.steps[plan.flagged].config.kind();
    let (reason, to_applicant, internal) = match kind {
        StepKind::Aml => (
            "sanctions_match",
            "We cannot open an account for you.",
            "Confirmed match on a sanctions list: same name, date of birth and nationality.",
        ),
        _ if story.legal => (
            "document_expired",
            "The identity document of the company's representative has expired.",
            "Director's passport expired last year; the company did not send another.",
        ),
        _ => (
            "document_expired",
            "Your identity document has expired.",
            "Passport expired last year; the applicant declined to send another.",
        ),
    };
    let form = ProfileForm {
        rejection_type: "final".into(),
        reasons: vec![reason.into()],
        comment_applicant: to_applicant.into(),
        comment_internal: internal.into(),
        ..ProfileForm::default()
    };
    insert_review(conn, by.id, at, &applicant, "rejected", &form)?;
    audit::record(
        conn,
        at,
        &by.actor(),
        EventKind::ApplicantRejected,
        subject,
        json!({
            "type": "final",
            "reasons": reason,
            "retry_steps": "",
            "to_applicant": to_applicant,
            "internal_comment": internal,
        }),
    )?;
    Ok(())
}
