//! Questionnaire form inputs, as typed, and their conversion to questions.

use super::definition::{FILE_TYPES, Question, QuestionKind, ShowIf, valid_id};
use crate::web::FormErrors;
use chrono::NaiveDate;
use serde::Deserialize;

/// POST /questionnaires and …/rename
#[derive(Deserialize, Default, Clone)]
pub struct NameForm {
    #[serde(default)]
    pub name: String,
}

/// Parses a questionnaire, flow or email template name: 1–120
/// characters, none that cannot be shown or that reorder the text around it.
/// Runs of spaces (a no-break space too) become one space, and accents are
/// stored composed (NFC: "É", not "E" and a combining accent): names that
/// differ only so look the same in every list.
pub fn parse_name(input: &str) -> Result<String, String> {
    use unicode_normalization::UnicodeNormalization as _;
    let name = input
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .nfc()
        .collect::<String>();
    if name.is_empty() {
        Err("Give it a name.".into())
    } else if name.chars().count() > 120 {
        Err("Keep the name to 120 characters or fewer.".into())
    } else {
        crate::domain::check_label(&name, "The name")?;
        Ok(name)
    }
}

/// Whether `name` is among `names` regardless of case, in every script
/// ("Évaluation" is "évaluation"): the database's `lower()` folds only
/// ASCII under the private cluster's C locale, so the comparison is made
/// here.
pub fn same_name_among<'a>(name: &str, mut names: impl Iterator<Item = &'a String>) -> bool {
    use unicode_normalization::UnicodeNormalization as _;
    // Composed, then lower case: names stored before NFC compare too.
    let key = |n: &str| n.nfc().collect::<String>().to_lowercase();
    let wanted = key(name);
    names.any(|n| key(n) == wanted)
}

/// "`<name> (copy)`", shortened by characters (never inside one) to fit 120.
pub fn copy_name(name: &str) -> String {
    let base: String = name.chars().take(113).collect();
    format!("{base} (copy)")
}

/// `wanted`, or, when `taken` says another has it, `wanted (2)`,
/// `wanted (3)`, …, shortened to fit 120 characters: for copies and
/// imports, which must not fail for want of a name.
pub fn free_name<E>(wanted: &str, mut taken: impl FnMut(&str) -> Result<bool, E>) -> Result<String, E> {
    if !taken(wanted)? {
        return Ok(wanted.to_string());
    }
    let base: String = wanted.chars().take(112).collect();
    let mut n = 2;
    loop {
        let candidate = format!("{base} ({n})");
        if !taken(&candidate)? {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// POST …/questions (add)
#[derive(Deserialize, Default, Clone)]
pub struct AddQuestionForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub label: String,
}

/// POST …/questions/{id}/move
#[derive(Deserialize, Default)]
pub struct MoveForm {
    #[serde(default)]
    pub direction: String,
}

/// A key derived from a label: `Date of birth` -> `date_of_birth`.
pub fn key_from_label(label: &str, taken: &[String]) -> String {
    let mut base: String = deunicode_lower(label)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    base.truncate(32);
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base = format!("q_{base}");
    }
    let base = base.trim_end_matches('_').to_string();
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}_{n}");
        n += 1;
    }
    candidate
}

fn deunicode_lower(s: &str) -> String {
    deunicode::deunicode(s).to_ascii_lowercase()
}

/// POST …/questions/{id} (edit), as typed.
#[derive(Deserialize, Default, Clone)]
pub struct QuestionForm {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub required: Option<String>,
    /// One option per line.
    #[serde(default)]
    pub options: String,
    #[serde(default)]
    pub min: String,
    #[serde(default)]
    pub max: String,
    #[serde(default)]
    pub allowed: Vec<String>,
    #[serde(default)]
    pub max_size_mb: String,
    /// The question this one depends on ("" for always shown).
    #[serde(default)]
    pub show_if_question: String,
    /// Answers that show it, one per line.
    #[serde(default)]
    pub show_if_values: String,
}

impl QuestionForm {
    /// The form for an existing question.
    pub fn from_question(q: &Question) -> Self {
        let (min, max) = match &q.kind {
            QuestionKind::Number { min, max } => (min.map(|v| v.to_string()), max.map(|v| v.to_string())),
            QuestionKind::Date { min, max } => (min.map(|v| v.to_string()), max.map(|v| v.to_string())),
            _ => (None, None),
        };
        let (allowed, max_size_mb) = match &q.kind {
            QuestionKind::FileUpload { allowed, max_size_mb } => (allowed.clone(), max_size_mb.to_string()),
            _ => (Vec::new(), String::new()),
        };
        Self {
            id: q.id.clone(),
            label: q.label.clone(),
            help: q.help.clone(),
            required: q.required.then(|| "on".to_string()),
            options: q.kind.options().join("\n"),
            min: min.unwrap_or_default(),
            max: max.unwrap_or_default(),
            allowed,
            max_size_mb,
            show_if_question: q.show_if.as_ref().map(|s| s.question.clone()).unwrap_or_default(),
            show_if_values: q.show_if.as_ref().map(|s| s.values.join("\n")).unwrap_or_default(),
        }
    }

    /// Whether file type `key` is ticked.
    pub fn allows(&self, key: &&str) -> bool {
        self.allowed.iter().any(|a| a == key)
    }

    /// The question the form describes, keeping the type of `current`.
    pub fn to_question(&self, current: &QuestionKind) -> Result<Question, FormErrors> {
        let mut errors = FormErrors::new();
        let id = self.id.trim().to_string();
        if !valid_id(&id) {
            errors.add("id", "Use 1–40 lowercase letters, digits or _, starting with a letter.");
        }
        let label = self.label.trim().to_string();
        if label.is_empty() {
            errors.add("label", "Give the question a label.");
        } else if label.chars().count() > 300 {
            errors.add("label", "Keep the label to 300 characters.");
        } else {
            errors.check("label", crate::domain::check_label(&label, "The label"));
        }
        if self.help.chars().count() > 1000 {
            errors.add("help", "Keep the help text to 1000 characters.");
        } else {
            errors.check("help", crate::domain::check_text(&self.help, "The help text"));
        }
        let lines = |text: &str| -> Vec<String> {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        };
        let kind = match current {
            QuestionKind::Number { .. } => {
                let parse = |raw: &str, field: &'static str, errors: &mut FormErrors| -> Option<f64> {
                    if raw.trim().is_empty() {
                        return None;
                    }
                    match raw.trim().parse::<f64>() {
                        Ok(v) if v.is_finite() => Some(v),
                        _ => {
                            errors.add(field, format!("“{}” is not a number.", raw.trim()));
                            None
                        }
                    }
                };
                let min = parse(&self.min, "min", &mut errors);
                let max = parse(&self.max, "max", &mut errors);
                if let (Some(a), Some(b)) = (min, max)
                    && a > b
                {
                    errors.add("max", "The maximum must not be below the minimum.");
                }
                QuestionKind::Number { min, max }
            }
            QuestionKind::Date { .. } => {
                let parse = |raw: &str, field: &'static str, errors: &mut FormErrors| -> Option<NaiveDate> {
                    if raw.trim().is_empty() {
                        return None;
                    }
                    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                        .map_err(|_| errors.add(field, format!("“{}” is not a date like 2000-01-31.", raw.trim())))
                        .ok()
                };
                let min = parse(&self.min, "min", &mut errors);
                let max = parse(&self.max, "max", &mut errors);
                if let (Some(a), Some(b)) = (min, max)
                    && a > b
                {
                    errors.add("max", "The latest date must not be before the earliest.");
                }
                QuestionKind::Date { min, max }
            }
            QuestionKind::SingleChoice { .. } | QuestionKind::MultipleChoice { .. } => {
                let options = lines(&self.options);
                if options.len() < 2 {
                    errors.add("options", "Give at least two options, one per line.");
                } else if options.len() > 100 {
                    errors.add(
                        "options",
                        "Keep it to 100 options; a longer list is a short-text question.",
                    );
                } else if options.iter().any(|o| o.chars().count() > 200) {
                    errors.add("options", "Keep each option to 200 characters.");
                } else if let Some(problem) = options
                    .iter()
                    .enumerate()
                    .find_map(|(n, o)| crate::domain::check_label(o, &format!("Option {}", n + 1)).err())
                {
                    errors.add("options", problem);
                }
                let mut sorted = options.clone();
                sorted.sort();
                sorted.dedup();
                if sorted.len() != options.len() {
                    errors.add("options", "Each option must be different.");
                }
                if matches!(current, QuestionKind::SingleChoice { .. }) {
                    QuestionKind::SingleChoice { options }
                } else {
                    QuestionKind::MultipleChoice { options }
                }
            }
            QuestionKind::FileUpload { .. } => {
                if self.allowed.is_empty() || self.allowed.iter().any(|a| !FILE_TYPES.iter().any(|(k, _)| k == a)) {
                    errors.add("allowed", "Tick at least one file type.");
                }
                let max_size_mb = match self.max_size_mb.trim().parse::<u32>() {
                    Ok(v) if (1..=25).contains(&v) => v,
                    _ => {
                        errors.add("max_size_mb", "Give a size from 1 to 25 MB.");
                        0
                    }
                };
                QuestionKind::FileUpload {
                    allowed: self.allowed.clone(),
                    max_size_mb,
                }
            }
            other => other.clone(),
        };
        let show_if = if self.show_if_question.trim().is_empty() {
            None
        } else {
            let values = lines(&self.show_if_values);
            if values.is_empty() {
                errors.add(
                    "show_if_values",
                    "List the answers that show this question, one per line.",
                );
            }
            Some(ShowIf {
                question: self.show_if_question.trim().to_string(),
                values,
            })
        };
        if errors.is_empty() {
            Ok(Question {
                id,
                label,
                help: self.help.trim().to_string(),
                required: self.required.is_some() && !current.is_section(),
                kind,
                show_if,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_look_the_same_are_the_same() {
        assert_eq!(
            parse_name("E\u{301}valuation\u{a0}  clients").unwrap(),
            "\u{c9}valuation clients"
        );
        let stored = ["\u{c9}valuation clients".to_string(), "Retail".to_string()];
        for twin in ["\u{e9}VALUATION CLIENTS", "E\u{301}valuation clients", "retail"] {
            assert!(same_name_among(twin, stored.iter()), "{twin}");
        }
        assert!(
            !same_name_among("Evaluation clients", stored.iter()),
            "an accent is a letter"
        );
    }

    #[test]
    fn names_refuse_characters_that_reorder_text() {
        assert_eq!(parse_name(" Onboarding ").unwrap(), "Onboarding");
        assert!(parse_name("Onboarding\u{202E}").is_err());
        assert!(parse_name("On\u{7}boarding").is_err());
    }

    #[test]
    fn question_texts_refuse_control_characters() {
        let choice = QuestionKind::SingleChoice { options: Vec::new() };
        let form = |label: &str, help: &str, options: &str| QuestionForm {
            id: "q".into(),
            label: label.into(),
            help: help.into(),
            options: options.into(),
            ..QuestionForm::default()
        };
        assert!(
            form("Source of funds", "Say where\nthe money comes from.", "Salary\nSavings")
                .to_question(&choice)
                .is_ok()
        );
        let errors = form("Source\u{7}", "Say \u{1b}[31m", "Salary\nSav\u{202E}ings")
            .to_question(&choice)
            .expect_err("refused");
        assert!(errors.get("label").is_some_and(|m| m.contains("U+0007")));
        assert!(errors.get("help").is_some_and(|m| m.contains("U+001B")));
        assert!(
            errors
                .get("options")
                .is_some_and(|m| m.starts_with("Option 2 contains"))
        );
    }

    #[test]
    fn copy_names_fit_and_never_split_a_character() {
        let long = format!("a{}", "日".repeat(119));
        let copy = copy_name(&long);
        assert!(copy.ends_with(" (copy)"));
        assert_eq!(copy.chars().count(), 120);
    }

    #[test]
    fn keys_come_from_labels_and_stay_unique() {
        assert_eq!(key_from_label("Date of birth?", &[]), "date_of_birth");
        assert_eq!(
            key_from_label("Date of birth", &["date_of_birth".into()]),
            "date_of_birth_2"
        );
        assert_eq!(key_from_label("1st job", &[]), "q_1st_job");
        assert_eq!(key_from_label("Émploi actuel", &[]), "emploi_actuel");
    }

    #[test]
    fn the_form_checks_type_settings() {
        let form = QuestionForm {
            id: "amount".into(),
            label: "Amount".into(),
            min: "10".into(),
            max: "five".into(),
            ..QuestionForm::default()
        };
        let errors = form
            .to_question(&QuestionKind::Number { min: None, max: None })
            .expect_err("invalid");
        assert!(errors.get("max").is_some());
        let choice = QuestionForm {
            id: "c".into(),
            label: "C".into(),
            options: "a\na".into(),
            ..QuestionForm::default()
        };
        assert!(
            choice
                .to_question(&QuestionKind::SingleChoice { options: vec![] })
                .is_err()
        );
    }
}
