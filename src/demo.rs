//! Demo data, so a fresh installation looks alive: a company, one member
//! per built-in role, a custom role, a pending invitation and some history.

use crate::audit::{self, Actor, EventKind};
use crate::auth::password::hash_blocking;
use crate::auth::permissions::{BuiltinRole, Permission, PermissionSet};
use crate::domain::{EmailAddress, PersonName, SecretToken};
use crate::error::AppError;
use crate::outbox::{self, emails};
use crate::roles::queries::{builtin_role_id, create_role};
use crate::settings::queries::{SettingsUpdate, update};
use crate::team::queries::{create_active_member, create_invitation};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::json;

mod applicants;

/// The browser the demo's members use at the office, for their events' "from".
const OFFICE_BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
    (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";

/// The demo owner's sign-in.
pub const OWNER_EMAIL: &str = "owner@veridesk.test";
/// The demo owner's password.
pub const OWNER_PASSWORD: &str = "demo-owner-password-2026";
/// The other demo members' password.
pub const MEMBER_PASSWORD: &str = "demo-member-password-2026";

/// Seeds demo data unless members exist. Returns false when it did nothing.
pub fn seed(conn: &mut PgConnection, now: DateTime<Utc>, base_url: &str) -> Result<bool, AppError> {
    if crate::auth::queries::any_member(conn)? {
        return Ok(false);
    }
    let owner_hash = hash_blocking(OWNER_PASSWORD)?;
    let member_hash = hash_blocking(MEMBER_PASSWORD)?;
    let people = [
        (OWNER_EMAIL, "Olivia Hart", BuiltinRole::Owner, &owner_hash),
        ("admin@veridesk.test", "Adam Reyes", BuiltinRole::Admin, &member_hash),
        (
            "officer@veridesk.test",
            "Chiara Bianchi",
            BuiltinRole::ComplianceOfficer,
            &member_hash,
        ),
        (
            "viewer@veridesk.test",
            "Victor Lindqvist",
            BuiltinRole::Viewer,
            &member_hash,
        ),
    ];
    let mut ids = Vec::new();
    for (i, (email, name, role, hash)) in people.iter().enumerate() {
        let email = EmailAddress::parse(email).map_err(AppError::internal)?;
        let name = PersonName::parse(name).map_err(AppError::internal)?;
        let role_id = builtin_role_id(conn, *role)?;
        let created = now - Duration::days(30 - i as i64 * 5);
        let id = create_active_member(conn, &email, &name, hash, role_id, created)?;
        ids.push(id);
        let actor = Actor {
            kind: "member",
            member_id: Some(id),
            label: email.to_string(),
            ip: Some("203.0.113.10".into()),
            user_agent: Some(OFFICE_BROWSER.into()),
        };
        audit::record(
            conn,
            created + Duration::hours(1),
            &actor,
            EventKind::SignedIn,
            Some(("member", id.to_string())),
            json!({}),
        )?;
    }
    let (owner_id, admin_id, officer_id) = match ids[..] {
        [owner, admin, officer, _] => (owner, admin, officer),
        _ => return Err(AppError::internal("the demo members were not all seeded")),
    };
    update(
        conn,
        &SettingsUpdate {
            name: "Northwind Compliance Ltd".into(),
            address: "12 Harbour Street\nDublin D02 XY45\nIreland".into(),
            contact_email: "compliance@northwind.test".into(),
            sender_name: "Northwind Compliance".into(),
            brand_colour: "#2f5bea".into(),
        },
        owner_id,
        now - Duration::days(29),
    )?;
    let analyst = PermissionSet::from_permissions(&[
        Permission::ApplicantsView,
        Permission::ScreeningRun,
        Permission::ReportsView,
    ]);
    let role_id = create_role(
        conn,
        "Screening analyst",
        "Reviews screening hits; cannot decide on applicants.",
        analyst.codes(),
        now - Duration::days(20),
    )?;
    let owner_actor = Actor {
        kind: "member",
        member_id: Some(owner_id),
        label: OWNER_EMAIL.into(),
        ip: Some("203.0.113.10".into()),
        user_agent: Some(OFFICE_BROWSER.into()),
    };
    audit::record(
        conn,
        now - Duration::days(20),
        &owner_actor,
        EventKind::RoleCreated,
        Some(("role", role_id.to_string())),
        json!({ "name": "Screening analyst" }),
    )?;
    let flows = seed_flows(conn, owner_id, now)?;
    let cast = applicants::Cast {
        officer: applicants::Member {
            id: officer_id,
            email: "officer@veridesk.test",
            name: "Chiara Bianchi",
        },
        admin: applicants::Member {
            id: admin_id,
            email: "admin@veridesk.test",
            name: "Adam Reyes",
        },
        people: flows.0,
        companies: flows.1,
    };
    // Before the invitation is queued: the applicants' link emails are
    // delivered as they go, and the invitation waits for the outbox worker.
    applicants::seed(conn, &cast, now, base_url)?;
    let invitee = EmailAddress::parse("new.analyst@veridesk.test").map_err(AppError::internal)?;
    let token = SecretToken::generate();
    let invited = create_invitation(conn, &invitee, role_id, owner_id, &token.hash, now - Duration::hours(2))?;
    let mail = emails::Invitation {
        company: "Northwind Compliance Ltd",
        inviter: "Olivia Hart",
        role: "Screening analyst",
        url: &format!("{base_url}/invitations/{}", token.plain),
        expires: &(now + Duration::days(7)).format("%Y-%m-%d %H:%M UTC").to_string(),
    }
    .compose(invitee.as_str())?;
    outbox::queue(conn, now - Duration::hours(2), mail)?;
    audit::record(
        conn,
        now - Duration::hours(2),
        &owner_actor,
        EventKind::Invited,
        Some(("member", invited.to_string())),
        json!({ "email": invitee.as_str(), "role": "Screening analyst" }),
    )?;
    Ok(true)
}

/// The demo's flow for people (KYC).
pub const RETAIL_FLOW: &str = "Retail onboarding";
/// The demo's flow for companies (KYB).
pub const BUSINESS_FLOW: &str = "Business onboarding (KYB)";

/// A questionnaire with a show-if rule and a few flows in every state.
/// Returns the published regular flows applicants are verified on: the
/// one for people and the one for companies, with when each was published
/// (no verification of them can be older).
fn seed_flows(
    conn: &mut PgConnection,
    by: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<(applicants::DemoFlow, applicants::DemoFlow), AppError> {
    use crate::flows::definition::{Audience, FlowDefinition, FlowSettings, Step, StepKind};
    use crate::flows::queries as flows;
    use crate::questionnaires::definition::{Question, QuestionKind, QuestionnaireDefinition, ShowIf};
    use crate::questionnaires::queries as questionnaires;

    let question = |id: &str, label: &str, kind: QuestionKind, show_if: Option<(&str, &str)>| Question {
        id: id.into(),
        label: label.into(),
        help: String::new(),
        required: !kind.is_section(),
        kind,
        show_if: show_if.map(|(q, v)| ShowIf {
            question: q.into(),
            values: vec![v.into()],
        }),
    };
    let funds = QuestionnaireDefinition {
        questions: vec![
            question(
                "source_of_funds",
                "Where does the money you will use come from?",
                QuestionKind::SingleChoice {
                    options: vec![
                        "Salary".into(),
                        "Savings".into(),
                        "Business income".into(),
                        "Inheritance".into(),
                    ],
                },
                None,
            ),
            question(
                "employer",
                "Employer",
                QuestionKind::ShortText,
                Some(("source_of_funds", "Salary")),
            ),
            question(
                "business_name",
                "Name of the business",
                QuestionKind::ShortText,
                Some(("source_of_funds", "Business income")),
            ),
            question(
                "is_pep",
                "Are you, or a close relative, a politically exposed person?",
                QuestionKind::YesNo,
                None,
            ),
            question(
                "pep_role",
                "Which public role?",
                QuestionKind::ShortText,
                Some(("is_pep", "yes")),
            ),
            question(
                "expected_volume",
                "Expected yearly volume (EUR)",
                QuestionKind::Number {
                    min: Some(0.0),
                    max: None,
                },
                None,
            ),
        ],
    };
    let funds_id = questionnaires::create(conn, "Source of funds", &funds, by, now - Duration::days(15))?;
    let company = QuestionnaireDefinition {
        questions: vec![
            question("company_name", "Registered company name", QuestionKind::ShortText, None),
            question(
                "incorporation_country",
                "Country of incorporation",
                QuestionKind::Country,
                None,
            ),
            question(
                "registry_extract",
                "Extract from the company registry",
                QuestionKind::FileUpload {
                    allowed: vec!["pdf".into()],
                    max_size_mb: 10,
                },
                None,
            ),
        ],
    };
    let company_id = questionnaires::create(conn, "Company details", &company, by, now - Duration::days(12))?;

    let steps = |kinds: &[(StepKind, Option<uuid::Uuid>)]| -> Vec<Step> {
        kinds
            .iter()
            .filter_map(|(k, q)| {
                Some(Step {
                    id: uuid::Uuid::new_v4(),
                    config: k.default_config(*q)?,
                })
            })
            .collect()
    };
    let published = |conn: &mut PgConnection, id: uuid::Uuid, at: DateTime<Utc>| -> Result<(), AppError> {
        flows::publish(conn, id, by, at)?
            .map(|_| ())
            .map_err(|p| AppError::internal(p.join(" ")))
    };
    let retail = FlowDefinition {
        settings: FlowSettings {
            audience: Audience::People,
            ..FlowSettings::default()
        },
        steps: steps(&[
            (StepKind::Intro, None),
            (StepKind::DocumentCheck, None),
            (StepKind::Liveness, None),
            (StepKind::FaceMatch, None),
            (StepKind::Questionnaire, Some(funds_id)),
            (StepKind::Aml, None),
            (StepKind::FinalScreen, None),
        ]),
    };
    let retail_id = flows::create(conn, RETAIL_FLOW, "regular", &retail, by, now - Duration::days(10))?;
    published(conn, retail_id, now - Duration::days(9))?;
    let draft = flows::working_draft(conn, retail_id, by, now - Duration::days(1))?;
    let mut changed = draft.parsed()?;
    if let Some(config) = StepKind::EmailVerification.default_config(None) {
        changed.steps.insert(
            5,
            Step {
                id: uuid::Uuid::new_v4(),
                config,
            },
        );
    }
    flows::save_draft(conn, draft.id, &changed, now - Duration::days(1))?;

    let kyb = FlowDefinition {
        settings: FlowSettings {
            audience: Audience::Companies,
            ..FlowSettings::default()
        },
        steps: steps(&[
            (StepKind::Intro, None),
            (StepKind::Questionnaire, Some(company_id)),
            (StepKind::DocumentCheck, None),
            (StepKind::FinalScreen, None),
        ]),
    };
    // Published, so companies are verified on a flow made for them.
    let kyb_id = flows::create(conn, BUSINESS_FLOW, "regular", &kyb, by, now - Duration::days(8))?;
    published(conn, kyb_id, now - Duration::days(7))?;
    let extra = FlowDefinition {
        settings: Default::default(),
        steps: steps(&[(StepKind::Questionnaire, Some(funds_id)), (StepKind::FinalScreen, None)]),
    };
    let extra_id = flows::create(
        conn,
        "Additional information: source of funds",
        "on_demand",
        &extra,
        by,
        now - Duration::days(8),
    )?;
    published(conn, extra_id, now - Duration::days(8))?;
    let legacy = FlowDefinition {
        settings: Default::default(),
        steps: steps(&[(StepKind::DocumentCheck, None), (StepKind::FinalScreen, None)]),
    };
    let legacy_id = flows::create(
        conn,
        "Legacy onboarding",
        "regular",
        &legacy,
        by,
        now - Duration::days(60),
    )?;
    published(conn, legacy_id, now - Duration::days(60))?;
    flows::set_archived(
        conn,
        legacy_id,
        Some(now - Duration::days(10)),
        by,
        now - Duration::days(10),
    )?;
    Ok((
        applicants::DemoFlow {
            id: retail_id,
            published_at: now - Duration::days(9),
        },
        applicants::DemoFlow {
            id: kyb_id,
            published_at: now - Duration::days(7),
        },
    ))
}

// Generated applicants draw from name pools about as varied as an
// international customer base: a given first name or surname belongs to
// well under one person in a hundred, and a full name to a few in a hundred
// thousand. (Two dozen of each, as before, gave every full name to one
// applicant in 576, which no real register looks like.)
const FIRST_NAMES: [&str; 100] = [
    "Ana",
    "Zoë",
    "Mateo",
    "Søren",
    "Chloé",
    "Björn",
    "Aisha",
    "Lukas",
    "Sofía",
    "Mehmet",
    "Olga",
    "Noah",
    "Léa",
    "Yuki",
    "Amara",
    "Jonas",
    "Inès",
    "Piotr",
    "Eleni",
    "Tomás",
    "Freya",
    "Kwame",
    "Ingrid",
    "Rafael",
    "Maria",
    "James",
    "Fatima",
    "Wei",
    "Priya",
    "Ahmed",
    "Elena",
    "Daniel",
    "Hana",
    "Oliver",
    "Amélie",
    "Giulia",
    "Marco",
    "Ewa",
    "Jakub",
    "Nadia",
    "Omar",
    "Leila",
    "Sven",
    "Astrid",
    "Matteo",
    "Chiara",
    "Diego",
    "Lucía",
    "Pedro",
    "Beatriz",
    "João",
    "Mariana",
    "Kofi",
    "Ngozi",
    "Chinedu",
    "Aaliyah",
    "Samuel",
    "Grace",
    "Ethan",
    "Emma",
    "Liam",
    "Charlotte",
    "Hugo",
    "Camille",
    "Louis",
    "Manon",
    "Felix",
    "Greta",
    "Emil",
    "Ida",
    "Mikael",
    "Aino",
    "Eero",
    "Katarzyna",
    "Tomasz",
    "Zofia",
    "Dmitri",
    "Anastasia",
    "Ivan",
    "Irina",
    "Yusuf",
    "Elif",
    "Emre",
    "Zeynep",
    "Ravi",
    "Ananya",
    "Arjun",
    "Meera",
    "Hiroshi",
    "Sakura",
    "Min-jun",
    "Seo-yeon",
    "Linh",
    "Minh",
    "Siddharth",
    "Tariq",
    "Yasmin",
    "Nikolaos",
    "Dimitra",
    "Aroha",
];
const LAST_NAMES: [&str; 168] = [
    "Lima",
    "Ångström",
    "García",
    "Jørgensen",
    "Dubois",
    "Müller",
    "Khan",
    "Schneider",
    "López",
    "Yılmaz",
    "Ivanova",
    "Smith",
    "Martin",
    "Tanaka",
    "Okafor",
    "Weber",
    "Moreau",
    "Nowak",
    "Papadopoulou",
    "Ferreira",
    "Nielsen",
    "Mensah",
    "Larsen",
    "Costa",
    "Rodríguez",
    "Fernández",
    "González",
    "Sánchez",
    "Pérez",
    "Romero",
    "Navarro",
    "Silva",
    "Santos",
    "Oliveira",
    "Pereira",
    "Almeida",
    "Carvalho",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Bernard",
    "Durand",
    "Lefebvre",
    "Leroy",
    "Girard",
    "Bonnet",
    "Fontaine",
    "Chevalier",
    "Fischer",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schulz",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hartmann",
    "Lange",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Lindqvist",
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Dvořák",
    "Novák",
    "Horváth",
    "Nagy",
    "Kovács",
    "Popescu",
    "Ionescu",
    "Petrov",
    "Smirnov",
    "Kuznetsov",
    "Popova",
    "Sokolova",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Öztürk",
    "Aydın",
    "Hassan",
    "Ali",
    "Haddad",
    "Nasser",
    "Saleh",
    "Mansour",
    "Cohen",
    "Levi",
    "Mizrahi",
    "Patel",
    "Sharma",
    "Singh",
    "Gupta",
    "Iyer",
    "Reddy",
    "Nair",
    "Chen",
    "Wang",
    "Zhang",
    "Liu",
    "Huang",
    "Nguyen",
    "Tran",
    "Pham",
    "Sato",
    "Suzuki",
    "Takahashi",
    "Watanabe",
    "Kim",
    "Lee",
    "Park",
    "Choi",
    "Adeyemi",
    "Okonkwo",
    "Boateng",
    "Owusu",
    "Kamau",
    "Otieno",
    "Dlamini",
    "Naidoo",
    "Brown",
    "Johnson",
    "Williams",
    "Taylor",
    "Wilson",
    "Murphy",
    "O'Brien",
    "Walsh",
    "MacDonald",
    "Campbell",
    "Evans",
    "Thomas",
    "Roberts",
    "Hughes",
    "Van der Berg",
    "De Vries",
    "Janssen",
    "Peeters",
];
// Legal persons are named like companies: a word and a line of business,
// with a legal form.
const COMPANY_WORDS: [&str; 40] = [
    "Nordwind",
    "Atlas",
    "Helix",
    "Blue Harbour",
    "Granite",
    "Lumen",
    "Orchard",
    "Silverline",
    "Meridian",
    "Kestrel",
    "Alder",
    "Brightwater",
    "Cobalt",
    "Delta Ridge",
    "Evergreen",
    "Falcon",
    "Golden Gate",
    "Highland",
    "Ironbridge",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Monarch",
    "Northstar",
    "Oakfield",
    "Pinecrest",
    "Quarry",
    "Redwood",
    "Saffron",
    "Tidewater",
    "Union Square",
    "Vantage",
    "Westbrook",
    "Yellowfield",
    "Zenith",
    "Aurora",
    "Beacon",
    "Crescent",
    "Driftwood",
    "Emberly",
];
const COMPANY_TRADES: [&str; 16] = [
    "Logistics",
    "Trading",
    "Capital",
    "Software",
    "Foods",
    "Textiles",
    "Energy",
    "Consulting",
    "Pharma",
    "Media",
    "Holdings",
    "Shipping",
    "Robotics",
    "Payments",
    "Ventures",
    "Construction",
];
const COMPANY_FORMS: [&str; 10] = [
    "GmbH",
    "Ltd",
    "S.A.",
    "B.V.",
    "AB",
    "S.r.l.",
    "SAS",
    "Inc.",
    "Oy",
    "Sp. z o.o.",
];
const EMAIL_DOMAINS: [&str; 4] = ["example.com", "example.org", "example.net", "example.test"];
const STATUSES: [(&str, u32); 8] = [
    ("INIT", 12),
    ("INCOMPLETE", 18),
    ("IN_PROGRESS", 5),
    ("ON_HOLD", 5),
    ("COMPLETED", 12),
    ("IN_REVIEW", 8),
    ("APPROVED", 32),
    ("REJECTED", 8),
];

/// Adds `count` generated applicants (for benchmarks and demos), in
/// batches of 2,000 rows, one INSERT each; `progress` is
/// called after every batch with the number inserted so far.
pub fn seed_applicants(
    pool: &crate::db::DbPool,
    count: usize,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize),
) -> Result<(), AppError> {
    use crate::applicants::models::{NewApplicant, search_text};
    use crate::db::schema::{applicant_search, applicants};
    use rand::Rng;
    let mut conn = pool.get().map_err(|_| AppError::Unavailable)?;
    let flows = main_flows(&mut conn)?;
    let offset: i64 = applicants::table.count().get_result(&mut conn)?;
    let mut rng = rand::rng();
    let mut done = 0;
    while done < count {
        let batch = (count - done).min(2000);
        let rows: Vec<NewApplicant> = (0..batch)
            .map(|i| {
                let n = offset + (done + i) as i64 + 1;
                let legal = rng.random_range(0..10) == 0;
                let (name, email) = identity(&mut rng, legal, n);
                let external = format!("CUST-{n:07}");
                let flows = if legal { &flows.1 } else { &flows.0 };
                let created = now - Duration::seconds(rng.random_range(0..365 * 24 * 3600));
                NewApplicant {
                    id: uuid::Uuid::new_v4(),
                    kind: if legal {
                        "legal_person".into()
                    } else {
                        "natural_person".into()
                    },
                    search_text: search_text(&name, Some(&email), &external),
                    external_user_id: external,
                    name,
                    email: Some(email),
                    phone: None,
                    language: "en".into(),
                    date_of_birth: None,
                    country: None,
                    supplied_info: json!({}),
                    flow_id: if flows.is_empty() {
                        None
                    } else {
                        Some(flows[rng.random_range(0..flows.len())])
                    },
                    status: pick_status(rng.random_range(0..100)).to_string(),
                    created_by: None,
                    created_at: created,
                    updated_at: created,
                }
            })
            .collect();
        let search: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    applicant_search::applicant_id.eq(r.id),
                    applicant_search::search_text.eq(&r.search_text),
                    applicant_search::created_at.eq(r.created_at),
                )
            })
            .collect();
        conn.transaction(|conn| {
            diesel::insert_into(applicants::table).values(&rows).execute(conn)?;
            diesel::insert_into(applicant_search::table)
                .values(&search)
                .execute(conn)
        })?;
        done += batch;
        progress(done);
    }
    Ok(())
}

/// Flows generated applicants can be on, (people's, companies'): published
/// regular flows for their type only, never an on-demand one or a draft;
/// the demo's flow for each type when it exists, else any for the type.
fn main_flows(conn: &mut PgConnection) -> Result<(Vec<uuid::Uuid>, Vec<uuid::Uuid>), AppError> {
    let usable = crate::verifications::queries::flow_choices(conn, "regular")?;
    let named = |kind: &str, wanted: &str| -> Vec<uuid::Uuid> {
        let admitted = || usable.iter().filter(|f| f.audience.admits(kind));
        let exact: Vec<_> = admitted().filter(|f| f.name == wanted).map(|f| f.id).collect();
        if exact.is_empty() {
            admitted().map(|f| f.id).collect()
        } else {
            exact
        }
    };
    Ok((
        named("natural_person", RETAIL_FLOW),
        named("legal_person", BUSINESS_FLOW),
    ))
}

/// A generated name and email: a person's, or a company's when `legal`;
/// `n` makes the email unique.
fn identity(rng: &mut impl rand::Rng, legal: bool, n: i64) -> (String, String) {
    let mut pick = |pool: &[&'static str]| pool[rng.random_range(0..pool.len())];
    let (name, mailbox) = if legal {
        let (word, trade, form) = (pick(&COMPANY_WORDS), pick(&COMPANY_TRADES), pick(&COMPANY_FORMS));
        (format!("{word} {trade} {form}"), format!("office.{word}"))
    } else {
        let (first, last) = (pick(&FIRST_NAMES), pick(&LAST_NAMES));
        (format!("{first} {last}"), format!("{first}.{last}"))
    };
    let mailbox: String = deunicode::deunicode(&mailbox)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    let email = format!("{mailbox}{n}@{}", pick(&EMAIL_DOMAINS));
    (name, email)
}

/// The status at `pick` (0–99) in the weighted [`STATUSES`] table.
fn pick_status(mut pick: u32) -> &'static str {
    for (status, weight) in STATUSES {
        if pick < weight {
            return status;
        }
        pick -= weight;
    }
    "INIT"
}
