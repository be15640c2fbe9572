//! What a flow version is: its settings and its ordered steps, each with
//! the settings of its kind, and the rules a publishable flow follows.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A flow version's content (stored as JSON in `flow_versions.definition`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowDefinition {
    /// Per-flow settings.
    pub settings: FlowSettings,
    /// Steps in the order the applicant meets them.
    pub steps: Vec<Step>,
}

/// Per-flow settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowSettings {
    /// Default link expiry, in hours (1 hour to 30 days).
    pub link_expiry_hours: u32,
    /// Default session time, in minutes (5 to 60).
    pub session_minutes: u32,
    /// Failed attempts before a link is blocked (1 to 10).
    pub max_attempts: u32,
    /// Approve automatically when every step passed and nothing was flagged.
    pub auto_approve: bool,
    /// Where the applicant goes after the final screen (http/https).
    #[serde(default)]
    pub redirect_url: Option<String>,
    /// Brand colour overriding the company's (`#rrggbb`).
    #[serde(default)]
    pub brand_colour: Option<String>,
    /// Text on the applicant's landing page.
    #[serde(default)]
    pub intro_text: String,
    /// Logo overriding the company's: the hex SHA-256 of an asset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// Who the flow is for. Older definitions have none: anyone.
    #[serde(default, skip_serializing_if = "Audience::is_anyone")]
    pub audience: Audience,
}

/// Who a flow is for: people (KYC), companies (KYB), or either. A flow
/// that asks for a selfie and a passport is no way to verify a company, and
/// one that asks for a register extract none to verify a person: the forms
/// that put an applicant on a flow offer only the flows for their type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    #[default]
    #[serde(rename = "any")]
    Anyone,
    #[serde(rename = "natural_person")]
    People,
    #[serde(rename = "legal_person")]
    Companies,
}

impl Audience {
    /// Every audience, in the order the flow editor offers them.
    pub const ALL: [Audience; 3] = [Self::Anyone, Self::People, Self::Companies];

    /// The key in forms and in the stored definition (for a type of
    /// applicant, the applicant type's own key).
    pub fn key(self) -> &'static str {
        match self {
            Self::Anyone => "any",
            Self::People => "natural_person",
            Self::Companies => "legal_person",
        }
    }

    /// Looks an audience up by its key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    /// How the officer reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Anyone => "People and companies",
            Self::People => "People (KYC)",
            Self::Companies => "Companies (KYB)",
        }
    }

    /// The applicant types the flow is for.
    pub fn kinds(self) -> &'static [&'static str] {
        match self {
            Self::Anyone => &["natural_person", "legal_person"],
            Self::People => &["natural_person"],
            Self::Companies => &["legal_person"],
        }
    }

    /// Whether an applicant of type `kind` (`natural_person`, `legal_person`) may go on the flow.
    pub fn admits(self, kind: &str) -> bool {
        self == Self::Anyone || self.key() == kind
    }

    fn is_anyone(&self) -> bool {
        *self == Self::Anyone
    }

    /// That the flow `name`, for this audience, is not for an applicant of
    /// type `kind`; `None` when it is. Each place that puts an applicant on
    /// a flow, or sends a link on one, says it in these words.
    pub fn misfit(self, name: &str, kind: &str) -> Option<String> {
        if self.admits(kind) {
            return None;
        }
        let is = if kind == "legal_person" {
            "a company"
        } else {
            "a person"
        };
        let flow_for = match self {
            Self::People => "people (KYC)",
            Self::Companies => "companies (KYB)",
            Self::Anyone => "people and companies",
        };
        Some(format!(
            "“{name}” is a flow for {flow_for}, and this applicant is {is}."
        ))
    }

    /// [`Self::misfit`] as the field where the flow was chosen says it:
    /// with which flows to choose instead.
    pub fn refusal(self, name: &str, kind: &str) -> Option<String> {
        let choose = if kind == "legal_person" { "companies" } else { "people" };
        self.misfit(name, kind)
            .map(|misfit| format!("{misfit} Choose a flow for {choose}."))
    }
}

impl Default for FlowSettings {
    fn default() -> Self {
        Self {
            link_expiry_hours: 72,
            session_minutes: 30,
            max_attempts: 10,
            auto_approve: false,
            redirect_url: None,
            brand_colour: None,
            intro_text: String::new(),
            logo: None,
            audience: Audience::Anyone,
        }
    }
}

/// One step of a flow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Stable within the flow across versions, so results can follow a step.
    pub id: Uuid,
    /// The step's kind and its settings.
    #[serde(flatten)]
    pub config: StepConfig,
}

/// Document types a document check may accept.
pub const DOCUMENT_TYPES: [(&str, &str); 4] = [
    ("passport", "Passport"),
    ("id_card", "ID card"),
    ("driving_licence", "Driving licence"),
    ("residence_permit", "Residence permit"),
];

/// Images a face match can compare.
pub const IMAGE_SOURCES: [(&str, &str); 3] = [
    ("document_photo", "Photo on the identity document"),
    ("liveness", "Liveness capture"),
    ("selfie", "Selfie with document"),
];

/// Blockchain networks a wallet check accepts.
pub const NETWORKS: [(&str, &str); 5] = [
    ("bitcoin", "Bitcoin"),
    ("ethereum", "Ethereum"),
    ("tron", "Tron"),
    ("polygon", "Polygon"),
    ("litecoin", "Litecoin"),
];

/// Where AML screening takes the name and birth date from.
pub const AML_SOURCES: [(&str, &str); 3] = [
    ("document_check", "The identity document"),
    ("questionnaire", "A questionnaire earlier in the flow"),
    ("supplied_info", "Information supplied when the applicant was created"),
];

/// How often screening repeats after the first check.
pub const MONITORING: [(&str, &str); 4] = [
    ("off", "Off"),
    ("daily", "Daily"),
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
];

/// Settings shared by email and phone verification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodeSettings {
    /// Send a one-time code.
    pub one_time_code: bool,
    /// Wrong codes allowed.
    pub attempts: u32,
    /// How long a code works, in minutes.
    pub code_validity_minutes: u32,
    /// How long a verified result stays valid, in days (0: forever).
    pub result_validity_days: u32,
}

impl Default for CodeSettings {
    fn default() -> Self {
        Self {
            one_time_code: true,
            attempts: 5,
            code_validity_minutes: 10,
            result_validity_days: 0,
        }
    }
}

/// A step's kind and settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepConfig {
    /// Welcome text and consent links.
    Intro {
        welcome_text: String,
        #[serde(default)]
        privacy_policy_url: Option<String>,
        #[serde(default)]
        terms_url: Option<String>,
    },
    /// An identity document.
    DocumentCheck {
        /// ISO alpha-2 codes; empty means every country.
        countries: Vec<String>,
        /// Keys from [`DOCUMENT_TYPES`].
        document_types: Vec<String>,
        /// Ask for the back side too (where the document has one).
        both_sides: bool,
        capture_upload: bool,
        capture_camera: bool,
        min_age: u32,
        expiry_tolerance_months: u32,
    },
    /// A live selfie in the browser.
    Liveness { attempts: u32 },
    /// Comparing faces between images.
    FaceMatch {
        /// Keys from [`IMAGE_SOURCES`].
        sources: Vec<String>,
        /// Minimum similarity, 0–100.
        threshold: u32,
    },
    /// The applicant holding the document.
    SelfieWithDocument {
        instructions: String,
        capture_upload: bool,
        capture_camera: bool,
    },
    /// A code sent by email.
    EmailVerification(CodeSettings),
    /// A code sent by SMS.
    PhoneVerification(CodeSettings),
    /// Sanctions and PEP screening.
    Aml {
        /// Minimum match score for a hit, 50–100.
        threshold: u32,
        /// Key from [`MONITORING`].
        monitoring: String,
        /// Key from [`AML_SOURCES`].
        source: String,
    },
    /// A crypto wallet address.
    CryptoWallet {
        /// Keys from [`NETWORKS`].
        networks: Vec<String>,
        /// Risk score (0–100) from which the applicant is put on hold.
        hold_threshold: u32,
    },
    /// A questionnaire.
    Questionnaire {
        questionnaire_id: Uuid,
        /// The exact version, pinned when the flow version is published.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        questionnaire_version_id: Option<Uuid>,
    },
    /// The last page.
    FinalScreen {
        thank_you_text: String,
        /// Send the applicant to the flow's redirect URL afterwards.
        redirect: bool,
    },
}

/// The step catalogue, in the order it is offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    Intro,
    DocumentCheck,
    Liveness,
    FaceMatch,
    SelfieWithDocument,
    EmailVerification,
    PhoneVerification,
    Aml,
    CryptoWallet,
    Questionnaire,
    FinalScreen,
}

impl StepKind {
    /// Every kind, in catalogue order.
    pub const ALL: [StepKind; 11] = [
        Self::Intro,
        Self::DocumentCheck,
        Self::Liveness,
        Self::FaceMatch,
        Self::SelfieWithDocument,
        Self::EmailVerification,
        Self::PhoneVerification,
        Self::Aml,
        Self::CryptoWallet,
        Self::Questionnaire,
        Self::FinalScreen,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Intro => "intro",
            Self::DocumentCheck => "document_check",
            Self::Liveness => "liveness",
            Self::FaceMatch => "face_match",
            Self::SelfieWithDocument => "selfie_with_document",
            Self::EmailVerification => "email_verification",
            Self::PhoneVerification => "phone_verification",
            Self::Aml => "aml",
            Self::CryptoWallet => "crypto_wallet",
            Self::Questionnaire => "questionnaire",
            Self::FinalScreen => "final_screen",
        }
    }

    /// The name shown to officers.
    pub fn label(self) -> &'static str {
        match self {
            Self::Intro => "Intro",
            Self::DocumentCheck => "Document check",
            Self::Liveness => "Liveness",
            Self::FaceMatch => "Face match",
            Self::SelfieWithDocument => "Selfie with document",
            Self::EmailVerification => "Email verification",
            Self::PhoneVerification => "Phone verification",
            Self::Aml => "AML screening",
            Self::CryptoWallet => "Crypto wallet check",
            Self::Questionnaire => "Questionnaire",
            Self::FinalScreen => "Final screen",
        }
    }

    /// What the applicant is asked to do, for previews.
    pub fn applicant_summary(self) -> &'static str {
        match self {
            Self::Intro => "Reads the welcome text and accepts the privacy policy and terms.",
            Self::DocumentCheck => "Uploads or photographs an identity document.",
            Self::Liveness => "Takes a live selfie in the browser.",
            Self::FaceMatch => "Nothing: the faces on the images are compared automatically.",
            Self::SelfieWithDocument => "Takes a photo holding the identity document.",
            Self::EmailVerification => "Confirms their email address.",
            Self::PhoneVerification => "Confirms their phone number with a code sent by SMS.",
            Self::Aml => "Nothing: name and birth date are screened against sanctions and PEP lists.",
            Self::CryptoWallet => "Gives a wallet address, which is validated and screened.",
            Self::Questionnaire => "Answers the questionnaire.",
            Self::FinalScreen => "Sees the thank-you page.",
        }
    }

    /// Whether the applicant does this step themselves; face match and
    /// screening run on what they gave, out of their sight.
    pub fn applicant_does(self) -> bool {
        !matches!(self, Self::FaceMatch | Self::Aml)
    }

    /// Whether doing the step again asks something new of the applicant,
    /// so a retry may send them to it: the welcome only has them accept
    /// terms they accepted already, and the final screen only thanks them.
    pub fn can_be_redone(self) -> bool {
        self.applicant_does() && !matches!(self, Self::Intro | Self::FinalScreen)
    }

    /// Whether a retry may name the step: one the applicant redoes, or a
    /// check that runs again on what they give.
    pub fn can_be_retried(self) -> bool {
        self.can_be_redone() || !self.applicant_does()
    }

    /// Looks a kind up by key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    /// A new step of this kind with default settings. A questionnaire step
    /// needs the questionnaire to use.
    pub fn default_config(self, questionnaire: Option<Uuid>) -> Option<StepConfig> {
        Some(match self {
            Self::Intro => StepConfig::Intro {
                welcome_text: "We need to verify your identity. It takes about five minutes.".into(),
                privacy_policy_url: None,
                terms_url: None,
            },
            Self::DocumentCheck => StepConfig::DocumentCheck {
                countries: Vec::new(),
                document_types: DOCUMENT_TYPES.iter().map(|(k, _)| k.to_string()).collect(),
                both_sides: true,
                capture_upload: true,
                capture_camera: true,
                min_age: 18,
                expiry_tolerance_months: 0,
            },
            Self::Liveness => StepConfig::Liveness { attempts: 3 },
            Self::FaceMatch => StepConfig::FaceMatch {
                sources: vec!["document_photo".into(), "liveness".into()],
                threshold: 80,
            },
            Self::SelfieWithDocument => StepConfig::SelfieWithDocument {
                instructions: "Hold your document next to your face, with both clearly visible.".into(),
                capture_upload: false,
                capture_camera: true,
            },
            Self::EmailVerification => StepConfig::EmailVerification(CodeSettings::default()),
            Self::PhoneVerification => StepConfig::PhoneVerification(CodeSettings::default()),
            Self::Aml => StepConfig::Aml {
                threshold: 85,
                monitoring: "off".into(),
                source: "document_check".into(),
            },
            Self::CryptoWallet => StepConfig::CryptoWallet {
                networks: vec!["bitcoin".into(), "ethereum".into()],
                hold_threshold: 70,
            },
            Self::Questionnaire => StepConfig::Questionnaire {
                questionnaire_id: questionnaire?,
                questionnaire_version_id: None,
            },
            Self::FinalScreen => StepConfig::FinalScreen {
                thank_you_text: "Thank you. We will let you know the outcome by email.".into(),
                redirect: false,
            },
        })
    }
}

impl StepConfig {
    /// The step's kind.
    pub fn kind(&self) -> StepKind {
        match self {
            Self::Intro { .. } => StepKind::Intro,
            Self::DocumentCheck { .. } => StepKind::DocumentCheck,
            Self::Liveness { .. } => StepKind::Liveness,
            Self::FaceMatch { .. } => StepKind::FaceMatch,
            Self::SelfieWithDocument { .. } => StepKind::SelfieWithDocument,
            Self::EmailVerification(_) => StepKind::EmailVerification,
            Self::PhoneVerification(_) => StepKind::PhoneVerification,
            Self::Aml { .. } => StepKind::Aml,
            Self::CryptoWallet { .. } => StepKind::CryptoWallet,
            Self::Questionnaire { .. } => StepKind::Questionnaire,
            Self::FinalScreen { .. } => StepKind::FinalScreen,
        }
    }

    /// Problems with this step's own settings.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        let url = |value: &Option<String>, what: &str, p: &mut Vec<String>| {
            if let Some(v) = value {
                if v.chars().count() > MAX_URL_CHARS {
                    p.push(format!("keep the {what} to 2,000 characters."));
                } else if !is_web_url(v) {
                    p.push(format!("the {what} must be an http:// or https:// address."));
                }
            }
        };
        let keys_known =
            |values: &[String], known: &[(&str, &str)]| values.iter().all(|v| known.iter().any(|(k, _)| k == v));
        match self {
            Self::Intro {
                welcome_text,
                privacy_policy_url,
                terms_url,
            } => {
                if welcome_text.trim().is_empty() {
                    p.push("write a welcome text.".into());
                }
                if welcome_text.chars().count() > 2000 {
                    p.push("keep the welcome text to 2000 characters.".into());
                }
                p.extend(crate::domain::check_text(welcome_text, "the welcome text").err());
                url(privacy_policy_url, "privacy policy link", &mut p);
                url(terms_url, "terms link", &mut p);
            }
            Self::DocumentCheck {
                countries,
                document_types,
                capture_upload,
                capture_camera,
                min_age,
                expiry_tolerance_months,
                ..
            } => {
                for c in countries {
                    if crate::domain::country_name(c).is_none() {
                        p.push(format!("“{c}” is not a country code (use two letters, like FR)."));
                    }
                }
                if document_types.is_empty() {
                    p.push("accept at least one document type.".into());
                }
                if !keys_known(document_types, &DOCUMENT_TYPES) {
                    p.push("one of the document types is not known.".into());
                }
                if !capture_upload && !capture_camera {
                    p.push("allow upload, camera, or both.".into());
                }
                if *min_age > 120 {
                    p.push("the minimum age must be 0–120.".into());
                }
                if *expiry_tolerance_months > 24 {
                    p.push("the expiry tolerance must be 0–24 months.".into());
                }
            }
            Self::Liveness { attempts } => {
                if !(1..=5).contains(attempts) {
                    p.push("liveness attempts must be 1–5.".into());
                }
            }
            Self::FaceMatch { sources, threshold } => {
                if sources.iter().collect::<std::collections::BTreeSet<_>>().len() < 2 {
                    p.push("compare at least two different images.".into());
                }
                if !keys_known(sources, &IMAGE_SOURCES) {
                    p.push("one of the images is not known.".into());
                }
                if *threshold > 100 {
                    p.push("the match threshold must be 0–100.".into());
                }
            }
            Self::SelfieWithDocument {
                instructions,
                capture_upload,
                capture_camera,
            } => {
                if instructions.chars().count() > 1000 {
                    p.push("keep the instructions to 1000 characters.".into());
                }
                p.extend(crate::domain::check_text(instructions, "the instructions").err());
                if !capture_upload && !capture_camera {
                    p.push("allow upload, camera, or both.".into());
                }
            }
            Self::EmailVerification(c) | Self::PhoneVerification(c) => {
                if !(1..=10).contains(&c.attempts) {
                    p.push("code attempts must be 1–10.".into());
                }
                if !(1..=60).contains(&c.code_validity_minutes) {
                    p.push("a code must work for 1–60 minutes.".into());
                }
                if c.result_validity_days > 3650 {
                    p.push("the result validity must be 0–3650 days.".into());
                }
            }
            Self::Aml {
                threshold,
                monitoring,
                source,
            } => {
                if !(50..=100).contains(threshold) {
                    p.push("the match threshold must be 50–100.".into());
                }
                if !MONITORING.iter().any(|(k, _)| k == monitoring) {
                    p.push("choose how often to monitor.".into());
                }
                if !AML_SOURCES.iter().any(|(k, _)| k == source) {
                    p.push("choose where the name and birth date come from.".into());
                }
            }
            Self::CryptoWallet {
                networks,
                hold_threshold,
            } => {
                if networks.is_empty() {
                    p.push("accept at least one network.".into());
                }
                if !keys_known(networks, &NETWORKS) {
                    p.push("one of the networks is not known.".into());
                }
                if *hold_threshold > 100 {
                    p.push("the risk threshold must be 0–100.".into());
                }
            }
            Self::Questionnaire { .. } => {}
            Self::FinalScreen { thank_you_text, .. } => {
                if thank_you_text.trim().is_empty() {
                    p.push("write a thank-you text.".into());
                }
                p.extend(crate::domain::check_text(thank_you_text, "the thank-you text").err());
            }
        }
        p
    }
}

/// The longest link a flow keeps: longer ones break in browsers and
/// emails, and no real page needs one.
pub const MAX_URL_CHARS: usize = 2000;

/// Whether `value` is an absolute http(s) URL.
pub fn is_web_url(value: &str) -> bool {
    url::Url::parse(value).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

impl FlowSettings {
    /// Problems with the flow's settings.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if !(1..=720).contains(&self.link_expiry_hours) {
            p.push("Link expiry must be between 1 hour and 30 days.".into());
        }
        if !(5..=60).contains(&self.session_minutes) {
            p.push("Session time must be 5–60 minutes.".into());
        }
        if !(1..=10).contains(&self.max_attempts) {
            p.push("Max attempts must be 1–10.".into());
        }
        if let Some(url) = &self.redirect_url {
            if url.chars().count() > MAX_URL_CHARS {
                p.push("Keep the redirect URL to 2,000 characters.".into());
            } else if !is_web_url(url) {
                p.push("The redirect URL must be an http:// or https:// address.".into());
            }
        }
        if let Some(colour) = &self.brand_colour
            && let Err(problem) = crate::settings::forms::parse_colour(colour)
        {
            p.push(format!("The brand colour: {problem}"));
        }
        if self.intro_text.chars().count() > 2000 {
            p.push("Keep the intro text to 2000 characters.".into());
        }
        p
    }
}

impl FlowDefinition {
    /// Every problem with the flow, as readable sentences: settings, each
    /// step's settings, and the rules between steps. `questionnaire_exists`
    /// says whether a referenced questionnaire is still there.
    pub fn problems(&self, questionnaire_exists: &dyn Fn(Uuid) -> bool) -> Vec<String> {
        let mut p = self.settings.problems();
        p.extend(self.order_problems());
        for (i, step) in self.steps.iter().enumerate() {
            let name = format!("Step {} ({})", i + 1, step.config.kind().label());
            p.extend(step.config.problems().into_iter().map(|e| format!("{name}: {e}")));
            let earlier = &self.steps[..i];
            let has_earlier = |kind: StepKind| earlier.iter().any(|s| s.config.kind() == kind);
            match &step.config {
                StepConfig::FaceMatch { sources, .. } => {
                    for source in sources {
                        let needs = match source.as_str() {
                            "document_photo" => StepKind::DocumentCheck,
                            "liveness" => StepKind::Liveness,
                            _ => StepKind::SelfieWithDocument,
                        };
                        if !has_earlier(needs) {
                            p.push(format!(
                                "{name}: it compares the {} image, so a {} step must come before it.",
                                source.replace('_', " "),
                                needs.label()
                            ));
                        }
                    }
                }
                StepConfig::Aml { source, .. } => {
                    let needs = match source.as_str() {
                        "document_check" => Some(StepKind::DocumentCheck),
                        "questionnaire" => Some(StepKind::Questionnaire),
                        _ => None,
                    };
                    if let Some(needs) = needs
                        && !has_earlier(needs)
                    {
                        p.push(format!(
                            "{name}: it takes the name and birth date from a {}, so one must come before it.",
                            needs.label().to_lowercase()
                        ));
                    }
                }
                StepConfig::FinalScreen { redirect: true, .. } if self.settings.redirect_url.is_none() => {
                    p.push(format!(
                        "{name}: it redirects afterwards, so set a redirect URL in the flow settings."
                    ));
                }
                StepConfig::Questionnaire { questionnaire_id, .. } if !questionnaire_exists(*questionnaire_id) => {
                    p.push(format!("{name}: its questionnaire no longer exists; choose another."));
                }
                _ => {}
            }
        }
        p
    }

    /// Problems that block publishing: everything in [`Self::problems`],
    /// and a flow needs at least one step.
    pub fn publish_problems(&self, questionnaire_exists: &dyn Fn(Uuid) -> bool) -> Vec<String> {
        let mut p = Vec::new();
        if self.steps.is_empty() {
            p.push("Add at least one step before publishing.".to_string());
        }
        p.extend(self.problems(questionnaire_exists));
        p
    }

    /// Intro only first, final screen only last, one of each kind except questionnaires.
    fn order_problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        let last = self.steps.len().saturating_sub(1);
        for (i, step) in self.steps.iter().enumerate() {
            let kind = step.config.kind();
            if kind == StepKind::Intro && i != 0 {
                p.push("The Intro step can only be the first step.".into());
            }
            if kind == StepKind::FinalScreen && i != last {
                p.push("The Final screen can only be the last step.".into());
            }
        }
        for kind in StepKind::ALL {
            if kind != StepKind::Questionnaire && self.steps.iter().filter(|s| s.config.kind() == kind).count() > 1 {
                p.push(format!("A flow can have only one {} step.", kind.label()));
            }
        }
        p
    }

    /// Where a new step of `kind` goes: an Intro first, a Final screen
    /// last, anything else before the Final screen.
    pub fn insertion_index(&self, kind: StepKind) -> usize {
        match kind {
            StepKind::Intro => 0,
            StepKind::FinalScreen => self.steps.len(),
            _ => match self.steps.last() {
                Some(last) if last.config.kind() == StepKind::FinalScreen => self.steps.len() - 1,
                _ => self.steps.len(),
            },
        }
    }

    /// Whether a step of `kind` may be added (only questionnaires repeat).
    pub fn can_add(&self, kind: StepKind) -> bool {
        kind == StepKind::Questionnaire || !self.steps.iter().any(|s| s.config.kind() == kind)
    }

    /// The questionnaires the flow uses.
    pub fn questionnaire_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .steps
            .iter()
            .filter_map(|s| match s.config {
                StepConfig::Questionnaire { questionnaire_id, .. } => Some(questionnaire_id),
                _ => None,
            })
            .collect();
        ids.dedup();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_definition_from_before_audiences_is_for_anyone_and_stays_as_it_was() {
        let old = serde_json::json!({
            "link_expiry_hours": 72, "session_minutes": 30, "max_attempts": 10, "auto_approve": false
        });
        let settings: FlowSettings = serde_json::from_value(old).expect("settings");
        assert_eq!(settings.audience, Audience::Anyone);
        let again = serde_json::to_value(&settings).expect("json");
        assert!(again.get("audience").is_none(), "{again}");
        let companies = FlowSettings {
            audience: Audience::Companies,
            ..FlowSettings::default()
        };
        let stored = serde_json::to_value(&companies).expect("json");
        assert_eq!(stored["audience"], "legal_person");
        assert_eq!(serde_json::from_value::<FlowSettings>(stored).expect("back"), companies);
        assert!(Audience::Companies.admits("legal_person") && !Audience::Companies.admits("natural_person"));
        assert!(Audience::Anyone.admits("natural_person") && Audience::Anyone.admits("legal_person"));
    }

    fn step(kind: StepKind) -> Step {
        Step {
            id: Uuid::new_v4(),
            config: kind.default_config(Some(Uuid::nil())).expect("config"),
        }
    }

    fn flow(kinds: &[StepKind]) -> FlowDefinition {
        FlowDefinition {
            settings: FlowSettings::default(),
            steps: kinds.iter().map(|k| step(*k)).collect(),
        }
    }

    fn all_exist(_: Uuid) -> bool {
        true
    }

    use StepKind::*;

    #[test]
    fn a_typical_flow_is_valid() {
        let f = flow(&[
            Intro,
            DocumentCheck,
            Liveness,
            FaceMatch,
            Questionnaire,
            Aml,
            FinalScreen,
        ]);
        assert_eq!(f.publish_problems(&all_exist), Vec::<String>::new());
    }

    #[test]
    fn intro_first_final_last_and_no_duplicates() {
        let f = flow(&[
            DocumentCheck,
            Intro,
            FinalScreen,
            Liveness,
            Liveness,
            Questionnaire,
            Questionnaire,
        ]);
        let p = f.problems(&all_exist);
        assert!(p.iter().any(|e| e.contains("Intro step can only be the first")));
        assert!(p.iter().any(|e| e.contains("Final screen can only be the last")));
        assert!(p.iter().any(|e| e.contains("only one Liveness")));
        assert!(!p.iter().any(|e| e.contains("only one Questionnaire")));
    }

    #[test]
    fn links_are_kept_to_two_thousand_characters() {
        let mut f = flow(&[Intro, FinalScreen]);
        f.settings.redirect_url = Some(format!("https://example.test/{}", "a".repeat(2000)));
        assert!(
            f.settings
                .problems()
                .contains(&"Keep the redirect URL to 2,000 characters.".to_string())
        );
        f.settings.redirect_url = Some("https://example.test/done".into());
        assert!(f.settings.problems().is_empty());
    }

    #[test]
    fn texts_shown_to_applicants_refuse_control_characters() {
        let mut f = flow(&[Intro, FinalScreen]);
        if let StepConfig::Intro { welcome_text, .. } = &mut f.steps[0].config {
            *welcome_text = "Welcome\u{7}".into();
        }
        if let StepConfig::FinalScreen { thank_you_text, .. } = &mut f.steps[1].config {
            *thank_you_text = "Thanks,\nsee you \u{1b}[5m".into();
        }
        let p = f.problems(&all_exist);
        assert!(
            p.iter()
                .any(|e| e.contains("the welcome text contains a control character (U+0007)")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|e| e.contains("the thank-you text contains a control character (U+001B)")),
            "{p:?}"
        );
        assert!(
            flow(&[Intro, FinalScreen]).problems(&all_exist).is_empty(),
            "line breaks are fine"
        );
    }

    #[test]
    fn face_match_needs_its_image_sources_earlier() {
        let f = flow(&[FaceMatch, DocumentCheck, Liveness]);
        let p = f.problems(&all_exist);
        assert!(
            p.iter()
                .any(|e| e.contains("a Document check step must come before it")),
            "{p:?}"
        );
        assert!(p.iter().any(|e| e.contains("a Liveness step must come before it")));
        let mut one_source = flow(&[DocumentCheck, FaceMatch]);
        if let StepConfig::FaceMatch { sources, .. } = &mut one_source.steps[1].config {
            *sources = vec!["document_photo".into()];
        }
        assert!(
            one_source
                .problems(&all_exist)
                .iter()
                .any(|e| e.contains("at least two different images"))
        );
    }

    #[test]
    fn aml_needs_a_name_and_birth_date_source() {
        assert!(
            flow(&[Aml, DocumentCheck])
                .problems(&all_exist)
                .iter()
                .any(|e| e.contains("from a document check"))
        );
        let mut from_questionnaire = flow(&[Aml]);
        if let StepConfig::Aml { source, .. } = &mut from_questionnaire.steps[0].config {
            *source = "questionnaire".into();
        }
        assert!(
            from_questionnaire
                .problems(&all_exist)
                .iter()
                .any(|e| e.contains("from a questionnaire"))
        );
        let mut supplied = flow(&[Aml]);
        if let StepConfig::Aml { source, .. } = &mut supplied.steps[0].config {
            *source = "supplied_info".into();
        }
        assert_eq!(supplied.problems(&all_exist), Vec::<String>::new());
    }

    #[test]
    fn empty_flows_cannot_be_published_and_missing_questionnaires_are_reported() {
        assert!(
            flow(&[])
                .publish_problems(&all_exist)
                .iter()
                .any(|e| e.contains("at least one step"))
        );
        assert!(
            flow(&[Questionnaire])
                .problems(&|_| false)
                .iter()
                .any(|e| e.contains("no longer exists"))
        );
    }

    #[test]
    fn face_match_needs_two_different_images_and_redirects_need_a_url() {
        let mut f = flow(&[DocumentCheck, Liveness, FaceMatch, FinalScreen]);
        if let StepConfig::FaceMatch { sources, .. } = &mut f.steps[2].config {
            *sources = vec!["liveness".into(), "liveness".into()];
        }
        if let StepConfig::FinalScreen { redirect, .. } = &mut f.steps[3].config {
            *redirect = true;
        }
        let p = f.problems(&all_exist);
        assert!(p.iter().any(|e| e.contains("two different images")), "{p:?}");
        assert!(p.iter().any(|e| e.contains("set a redirect URL")), "{p:?}");
    }

    #[test]
    fn settings_are_bounded() {
        let mut f = flow(&[Intro]);
        f.settings.link_expiry_hours = 0;
        f.settings.session_minutes = 61;
        f.settings.max_attempts = 11;
        f.settings.redirect_url = Some("javascript:alert(1)".into());
        f.settings.brand_colour = Some("red".into());
        assert_eq!(f.problems(&all_exist).len(), 5);
    }

    #[test]
    fn new_steps_land_in_their_place() {
        let f = flow(&[Intro, DocumentCheck, FinalScreen]);
        assert_eq!(f.insertion_index(Liveness), 2);
        assert_eq!(f.insertion_index(Intro), 0);
        assert!(!f.can_add(Intro));
        assert!(f.can_add(Questionnaire));
    }

    #[test]
    fn definitions_round_trip_through_json() {
        let f = flow(&[Intro, DocumentCheck, EmailVerification, Questionnaire, FinalScreen]);
        let json = serde_json::to_string(&f).expect("json");
        assert!(json.contains("\"kind\":\"document_check\""));
        assert_eq!(serde_json::from_str::<FlowDefinition>(&json).expect("parse"), f);
    }
}
