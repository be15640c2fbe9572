//! Flow form inputs, as typed, and their conversion to settings and steps.

use super::definition::{Audience, CodeSettings, FlowSettings, StepConfig, StepKind};
use crate::web::FormErrors;
use serde::Deserialize;
use uuid::Uuid;

/// POST /flows
#[derive(Deserialize, Default, Clone)]
pub struct NewFlowForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
}

/// The flow kinds: (key, label).
pub const FLOW_KINDS: [(&str, &str); 2] = [
    ("regular", "Regular"),
    ("on_demand", "On-demand (additional information)"),
];

/// POST /flows/{id}/steps
#[derive(Deserialize, Default, Clone)]
pub struct AddStepForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub questionnaire_id: String,
}

/// POST /flows/import
#[derive(Deserialize, Default, Clone)]
pub struct ImportForm {
    #[serde(default)]
    pub json: String,
}

fn number(raw: &str, field: &'static str, min: u32, max: u32, what: &str, errors: &mut FormErrors) -> u32 {
    match raw.trim().parse::<u32>() {
        Ok(v) if (min..=max).contains(&v) => v,
        _ => {
            errors.add(field, format!("{what} must be a whole number from {min} to {max}."));
            min
        }
    }
}

fn optional_url(raw: &str, field: &'static str, errors: &mut FormErrors) -> Option<String> {
    let v = raw.trim();
    if v.is_empty() {
        return None;
    }
    if !super::definition::is_web_url(v) {
        errors.add(field, "Use an address starting with http:// or https://.");
    }
    Some(v.to_string())
}

/// POST /flows/{id}/settings, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct SettingsForm {
    #[serde(default)]
    pub link_expiry_hours: String,
    #[serde(default)]
    pub session_minutes: String,
    #[serde(default)]
    pub max_attempts: String,
    #[serde(default)]
    pub auto_approve: Option<String>,
    #[serde(default)]
    pub redirect_url: String,
    #[serde(default)]
    pub brand_colour: String,
    #[serde(default)]
    pub intro_text: String,
    /// Who the flow is for ([`Audience::key`]).
    #[serde(default)]
    pub audience: String,
}

impl SettingsForm {
    /// The form for existing settings.
    pub fn from_settings(s: &FlowSettings) -> Self {
        Self {
            link_expiry_hours: s.link_expiry_hours.to_string(),
            session_minutes: s.session_minutes.to_string(),
            max_attempts: s.max_attempts.to_string(),
            auto_approve: s.auto_approve.then(|| "on".into()),
            redirect_url: s.redirect_url.clone().unwrap_or_default(),
            brand_colour: s.brand_colour.clone().unwrap_or_default(),
            intro_text: s.intro_text.clone(),
            audience: s.audience.key().to_string(),
        }
    }

    /// Checks every field.
    pub fn parse(&self) -> Result<FlowSettings, FormErrors> {
        let mut errors = FormErrors::new();
        let link_expiry_hours = number(
            &self.link_expiry_hours,
            "link_expiry_hours",
            1,
            720,
            "Link expiry (hours)",
            &mut errors,
        );
        let session_minutes = number(
            &self.session_minutes,
            "session_minutes",
            5,
            60,
            "Session time (minutes)",
            &mut errors,
        );
        let max_attempts = number(&self.max_attempts, "max_attempts", 1, 10, "Max attempts", &mut errors);
        let redirect_url = optional_url(&self.redirect_url, "redirect_url", &mut errors);
        let brand_colour = if self.brand_colour.trim().is_empty() {
            None
        } else {
            errors.check("brand_colour", crate::settings::forms::parse_colour(&self.brand_colour))
        };
        if self.intro_text.chars().count() > 2000 {
            errors.add("intro_text", "Keep the intro text to 2000 characters.");
        }
        // A form from before the choice existed sends none: the draft then
        // keeps its own (see `save_settings`); anyone stands in here.
        let audience = match self.audience.trim() {
            "" => Some(Audience::Anyone),
            key => errors.check(
                "audience",
                Audience::from_key(key).ok_or_else(|| "Choose who the flow is for from the list.".to_string()),
            ),
        };
        if errors.is_empty() {
            Ok(FlowSettings {
                link_expiry_hours,
                session_minutes,
                max_attempts,
                auto_approve: self.auto_approve.is_some(),
                redirect_url,
                brand_colour,
                intro_text: self.intro_text.trim().to_string(),
                logo: None,
                audience: audience.unwrap_or_default(),
            })
        } else {
            Err(errors)
        }
    }
}

/// POST /flows/{id}/steps/{step}, as typed: the fields of every kind; each
/// kind reads its own.
#[derive(Deserialize, Default, Clone)]
pub struct StepForm {
    #[serde(default)]
    pub welcome_text: String,
    #[serde(default)]
    pub privacy_policy_url: String,
    #[serde(default)]
    pub terms_url: String,
    /// Country codes separated by commas or spaces.
    #[serde(default)]
    pub countries: String,
    #[serde(default)]
    pub document_types: Vec<String>,
    #[serde(default)]
    pub both_sides: Option<String>,
    #[serde(default)]
    pub capture_upload: Option<String>,
    #[serde(default)]
    pub capture_camera: Option<String>,
    #[serde(default)]
    pub min_age: String,
    #[serde(default)]
    pub expiry_tolerance_months: String,
    #[serde(default)]
    pub attempts: String,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub threshold: String,
    #[serde(default)]
    pub instructions: String,
    #[serde(default)]
    pub one_time_code: Option<String>,
    #[serde(default)]
    pub code_validity_minutes: String,
    #[serde(default)]
    pub result_validity_days: String,
    #[serde(default)]
    pub monitoring: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub networks: Vec<String>,
    #[serde(default)]
    pub hold_threshold: String,
    #[serde(default)]
    pub questionnaire_id: String,
    #[serde(default)]
    pub thank_you_text: String,
    #[serde(default)]
    pub redirect: Option<String>,
}

fn on(flag: bool) -> Option<String> {
    flag.then(|| "on".to_string())
}

impl StepForm {
    /// The form for an existing step.
    pub fn from_config(config: &StepConfig) -> Self {
        let mut f = Self::default();
        match config {
            StepConfig::Intro {
                welcome_text,
                privacy_policy_url,
                terms_url,
            } => {
                f.welcome_text.clone_from(welcome_text);
                f.privacy_policy_url = privacy_policy_url.clone().unwrap_or_default();
                f.terms_url = terms_url.clone().unwrap_or_default();
            }
            StepConfig::DocumentCheck {
                countries,
                document_types,
                both_sides,
                capture_upload,
                capture_camera,
                min_age,
                expiry_tolerance_months,
            } => {
                f.countries = countries.join(", ");
                f.document_types.clone_from(document_types);
                f.both_sides = on(*both_sides);
                f.capture_upload = on(*capture_upload);
                f.capture_camera = on(*capture_camera);
                f.min_age = min_age.to_string();
                f.expiry_tolerance_months = expiry_tolerance_months.to_string();
            }
            StepConfig::Liveness { attempts } => f.attempts = attempts.to_string(),
            StepConfig::FaceMatch { sources, threshold } => {
                f.sources.clone_from(sources);
                f.threshold = threshold.to_string();
            }
            StepConfig::SelfieWithDocument {
                instructions,
                capture_upload,
                capture_camera,
            } => {
                f.instructions.clone_from(instructions);
                f.capture_upload = on(*capture_upload);
                f.capture_camera = on(*capture_camera);
            }
            StepConfig::EmailVerification(c) | StepConfig::PhoneVerification(c) => {
                f.one_time_code = on(c.one_time_code);
                f.attempts = c.attempts.to_string();
                f.code_validity_minutes = c.code_validity_minutes.to_string();
                f.result_validity_days = c.result_validity_days.to_string();
            }
            StepConfig::Aml {
                threshold,
                monitoring,
                source,
            } => {
                f.threshold = threshold.to_string();
                f.monitoring.clone_from(monitoring);
                f.source.clone_from(source);
            }
            StepConfig::CryptoWallet {
                networks,
                hold_threshold,
            } => {
                f.networks.clone_from(networks);
                f.hold_threshold = hold_threshold.to_string();
            }
            StepConfig::Questionnaire { questionnaire_id, .. } => f.questionnaire_id = questionnaire_id.to_string(),
            StepConfig::FinalScreen {
                thank_you_text,
                redirect,
            } => {
                f.thank_you_text.clone_from(thank_you_text);
                f.redirect = on(*redirect);
            }
        }
        f
    }

    /// Whether `value` is ticked in the list field `field`.
    pub fn ticked(&self, field: &str, value: &&str) -> bool {
        let list = match field {
            "document_types" => &self.document_types,
            "sources" => &self.sources,
            "networks" => &self.networks,
            _ => return false,
        };
        list.iter().any(|v| v == value)
    }

    /// The step the form describes, for a step of `kind`. Field errors come
    /// back keyed by field; rules across fields are checked by
    /// [`StepConfig::problems`] afterwards.
    pub fn to_config(&self, kind: StepKind) -> Result<StepConfig, FormErrors> {
        let mut e = FormErrors::new();
        let text = |raw: &str| raw.trim().to_string();
        let config = match kind {
            StepKind::Intro => StepConfig::Intro {
                welcome_text: text(&self.welcome_text),
                privacy_policy_url: optional_url(&self.privacy_policy_url, "privacy_policy_url", &mut e),
                terms_url: optional_url(&self.terms_url, "terms_url", &mut e),
            },
            StepKind::DocumentCheck => {
                let countries: Vec<String> = self
                    .countries
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|c| !c.is_empty())
                    .map(|c| c.to_uppercase())
                    .collect();
                if let Some(bad) = countries.iter().find(|c| crate::domain::country_name(c).is_none()) {
                    e.add(
                        "countries",
                        format!("“{bad}” is not a country code; use two letters, like FR or DE."),
                    );
                }
                StepConfig::DocumentCheck {
                    countries,
                    document_types: self.document_types.clone(),
                    both_sides: self.both_sides.is_some(),
                    capture_upload: self.capture_upload.is_some(),
                    capture_camera: self.capture_camera.is_some(),
                    min_age: number(&self.min_age, "min_age", 0, 120, "Minimum age", &mut e),
                    expiry_tolerance_months: number(
                        &self.expiry_tolerance_months,
                        "expiry_tolerance_months",
                        0,
                        24,
                        "Expiry tolerance",
                        &mut e,
                    ),
                }
            }
            StepKind::Liveness => StepConfig::Liveness {
                attempts: number(&self.attempts, "attempts", 1, 5, "Attempts", &mut e),
            },
            StepKind::FaceMatch => StepConfig::FaceMatch {
                sources: self.sources.clone(),
                threshold: number(&self.threshold, "threshold", 0, 100, "Match threshold", &mut e),
            },
            StepKind::SelfieWithDocument => StepConfig::SelfieWithDocument {
                instructions: text(&self.instructions),
                capture_upload: self.capture_upload.is_some(),
                capture_camera: self.capture_camera.is_some(),
            },
            StepKind::EmailVerification | StepKind::PhoneVerification => {
                let settings = CodeSettings {
                    one_time_code: self.one_time_code.is_some(),
                    attempts: number(&self.attempts, "attempts", 1, 10, "Code attempts", &mut e),
                    code_validity_minutes: number(
                        &self.code_validity_minutes,
                        "code_validity_minutes",
                        1,
                        60,
                        "Code validity",
                        &mut e,
                    ),
                    result_validity_days: number(
                        &self.result_validity_days,
                        "result_validity_days",
                        0,
                        3650,
                        "Result validity",
                        &mut e,
                    ),
                };
                if kind == StepKind::EmailVerification {
                    StepConfig::EmailVerification(settings)
                } else {
                    StepConfig::PhoneVerification(settings)
                }
            }
            StepKind::Aml => StepConfig::Aml {
                threshold: number(&self.threshold, "threshold", 50, 100, "Match threshold", &mut e),
                monitoring: self.monitoring.clone(),
                source: self.source.clone(),
            },
            StepKind::CryptoWallet => StepConfig::CryptoWallet {
                networks: self.networks.clone(),
                hold_threshold: number(&self.hold_threshold, "hold_threshold", 0, 100, "Risk threshold", &mut e),
            },
            StepKind::Questionnaire => match self.questionnaire_id.parse::<Uuid>() {
                Ok(id) => StepConfig::Questionnaire {
                    questionnaire_id: id,
                    questionnaire_version_id: None,
                },
                Err(_) => {
                    e.add("questionnaire_id", "Choose a questionnaire.");
                    StepConfig::Questionnaire {
                        questionnaire_id: Uuid::nil(),
                        questionnaire_version_id: None,
                    }
                }
            },
            StepKind::FinalScreen => StepConfig::FinalScreen {
                thank_you_text: text(&self.thank_you_text),
                redirect: self.redirect.is_some(),
            },
        };
        if e.is_empty() { Ok(config) } else { Err(e) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_the_form() {
        for kind in StepKind::ALL {
            let config = kind.default_config(Some(Uuid::new_v4())).expect("config");
            let back = StepForm::from_config(&config).to_config(kind).expect("valid");
            assert_eq!(back, config, "{kind:?}");
        }
    }

    #[test]
    fn bad_numbers_and_countries_are_reported_by_field() {
        let form = StepForm {
            countries: "FR, XX".into(),
            min_age: "old".into(),
            expiry_tolerance_months: "3".into(),
            ..StepForm::default()
        };
        let errors = form.to_config(StepKind::DocumentCheck).expect_err("invalid");
        assert!(errors.get("countries").is_some_and(|m| m.contains("XX")));
        assert!(errors.get("min_age").is_some());
    }

    #[test]
    fn settings_form_checks_ranges() {
        let form = SettingsForm {
            link_expiry_hours: "721".into(),
            session_minutes: "4".into(),
            max_attempts: "10".into(),
            redirect_url: "ftp://x".into(),
            ..SettingsForm::default()
        };
        let errors = form.parse().expect_err("invalid");
        assert_eq!(errors.len(), 3);
        let ok = SettingsForm::from_settings(&FlowSettings::default())
            .parse()
            .expect("defaults are valid");
        assert_eq!(ok, FlowSettings::default());
    }
}
