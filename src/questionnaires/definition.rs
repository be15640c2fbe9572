//! What a questionnaire is: typed questions, sections and show-if rules,
//! plus the one function that checks a set of answers against it (the
//! applicant portal reuses it).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A questionnaire version's content.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuestionnaireDefinition {
    /// Questions and section headings, in the order the applicant meets them.
    pub questions: Vec<Question>,
}

/// One question, or a section heading when `kind` is [`QuestionKind::Section`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// A stable key, unique in the questionnaire (`date_of_birth`).
    pub id: String,
    /// What the applicant reads.
    pub label: String,
    /// Extra explanation under the label.
    #[serde(default)]
    pub help: String,
    /// Whether an answer is needed (when the question is shown).
    #[serde(default)]
    pub required: bool,
    /// Type and type-specific settings.
    #[serde(flatten)]
    pub kind: QuestionKind,
    /// Show only when an earlier answer is one of some values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIf>,
}

/// Shows a question (or a whole section) only when the answer to an
/// earlier question is one of `values`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShowIf {
    /// The earlier question's id.
    pub question: String,
    /// Answers that make this one appear (one value means "equals").
    pub values: Vec<String>,
}

/// File types an upload question may accept.
pub const FILE_TYPES: [(&str, &str); 4] = [
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpeg", "image/jpeg"),
    ("heic", "image/heic"),
];

/// The question types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// A heading; questions after it (until the next section) share its show-if.
    Section,
    /// One line of text.
    ShortText,
    /// Several lines of text.
    LongText,
    /// A number, optionally bounded.
    Number {
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
    /// An email address.
    Email,
    /// A phone number in international form.
    Phone,
    /// A calendar date, optionally bounded.
    Date {
        #[serde(default)]
        min: Option<NaiveDate>,
        #[serde(default)]
        max: Option<NaiveDate>,
    },
    /// One of several options.
    SingleChoice { options: Vec<String> },
    /// Any of several options.
    MultipleChoice { options: Vec<String> },
    /// Yes or no.
    YesNo,
    /// A country (ISO 3166 alpha-2 code).
    Country,
    /// A file, of allowed types and size.
    FileUpload {
        /// Keys from [`FILE_TYPES`].
        allowed: Vec<String>,
        /// Largest accepted file, in megabytes.
        max_size_mb: u32,
    },
}

impl QuestionKind {
    /// Every type key, for the "add question" list.
    pub const KEYS: [(&'static str, &'static str); 12] = [
        ("short_text", "Short text"),
        ("long_text", "Long text"),
        ("number", "Number"),
        ("email", "Email"),
        ("phone", "Phone"),
        ("date", "Date"),
        ("single_choice", "Single choice"),
        ("multiple_choice", "Multiple choice"),
        ("yes_no", "Yes / no"),
        ("country", "Country"),
        ("file_upload", "File upload"),
        ("section", "Section heading"),
    ];

    /// The type's key (as stored).
    pub fn key(&self) -> &'static str {
        match self {
            Self::Section => "section",
            Self::ShortText => "short_text",
            Self::LongText => "long_text",
            Self::Number { .. } => "number",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Date { .. } => "date",
            Self::SingleChoice { .. } => "single_choice",
            Self::MultipleChoice { .. } => "multiple_choice",
            Self::YesNo => "yes_no",
            Self::Country => "country",
            Self::FileUpload { .. } => "file_upload",
        }
    }

    /// The type's name in words.
    pub fn label(&self) -> &'static str {
        Self::KEYS.iter().find(|(k, _)| *k == self.key()).map_or("", |(_, l)| l)
    }

    /// A new question's settings for `key`, with sensible defaults.
    pub fn default_for(key: &str) -> Option<Self> {
        Some(match key {
            "section" => Self::Section,
            "short_text" => Self::ShortText,
            "long_text" => Self::LongText,
            "number" => Self::Number { min: None, max: None },
            "email" => Self::Email,
            "phone" => Self::Phone,
            "date" => Self::Date { min: None, max: None },
            "single_choice" => Self::SingleChoice {
                options: vec!["Option A".into(), "Option B".into()],
            },
            "multiple_choice" => Self::MultipleChoice {
                options: vec!["Option A".into(), "Option B".into()],
            },
            "yes_no" => Self::YesNo,
            "country" => Self::Country,
            "file_upload" => Self::FileUpload {
                allowed: vec!["pdf".into(), "png".into(), "jpeg".into()],
                max_size_mb: 10,
            },
            _ => return None,
        })
    }

    /// The options of a choice question.
    pub fn options(&self) -> &[String] {
        match self {
            Self::SingleChoice { options } | Self::MultipleChoice { options } => options,
            _ => &[],
        }
    }

    /// Whether the question is a section heading.
    pub fn is_section(&self) -> bool {
        matches!(self, Self::Section)
    }

    /// Whether other questions may depend on this one's answer.
    fn can_drive_show_if(&self) -> bool {
        matches!(
            self,
            Self::SingleChoice { .. }
                | Self::MultipleChoice { .. }
                | Self::YesNo
                | Self::Country
                | Self::ShortText
                | Self::Number { .. }
        )
    }
}

/// Whether `id` is a usable question key: 1–40 of a–z, 0–9 and `_`, starting with a letter.
pub fn valid_id(id: &str) -> bool {
    (1..=40).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl QuestionnaireDefinition {
    /// Puts `question` in place of the one at `at`; if its key changed,
    /// show-if rules that pointed at the old key follow it.
    pub fn replace_question(&mut self, at: usize, question: Question) {
        let old_key = std::mem::replace(&mut self.questions[at], question).id;
        let new_key = self.questions[at].id.clone();
        if new_key != old_key {
            for q in &mut self.questions {
                if let Some(rule) = &mut q.show_if
                    && rule.question == old_key
                {
                    rule.question.clone_from(&new_key);
                }
            }
        }
    }

    /// Every problem with the definition, as readable sentences. Empty
    /// means valid. Show-if rules may only point at earlier questions, which
    /// also rules out cycles.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen: BTreeMap<&str, &Question> = BTreeMap::new();
        for (index, q) in self.questions.iter().enumerate() {
            let name = format!("Question {} (“{}”)", index + 1, q.label);
            if !valid_id(&q.id) {
                problems.push(format!(
                    "{name}: the key “{}” must be 1–40 lowercase letters, digits or _, starting with a letter.",
                    q.id
                ));
            }
            if seen.contains_key(q.id.as_str()) {
                problems.push(format!("{name}: the key “{}” is used twice.", q.id));
            }
            if q.label.trim().is_empty() {
                problems.push(format!("Question {}: give it a label.", index + 1));
            }
            problems.extend(kind_problems(&q.kind).into_iter().map(|p| format!("{name}: {p}")));
            if let Some(rule) = &q.show_if {
                match seen.get(rule.question.as_str()) {
                    None if rule.question == q.id => problems.push(format!("{name}: it cannot depend on its own answer.")),
                    None if self.questions.iter().any(|other| other.id == rule.question) => {
                        problems.push(format!("{name}: it depends on “{}”, which comes later; a question can only depend on earlier ones.", rule.question))
                    }
                    None => problems.push(format!("{name}: it depends on “{}”, which does not exist.", rule.question)),
                    Some(driver) if !driver.kind.can_drive_show_if() => problems.push(format!(
                        "{name}: “{}” is a {} question; show-if needs a choice, yes/no, country, short text or number question.",
                        driver.id,
                        driver.kind.label().to_lowercase()
                    )),
                    Some(driver) => {
                        if rule.values.is_empty() || rule.values.iter().any(|v| v.trim().is_empty()) {
                            problems.push(format!("{name}: list the answers that make it appear."));
                        }
                        for value in &rule.values {
                            match &driver.kind {
                                QuestionKind::Country if crate::domain::country_name(value).is_none() => problems.push(format!(
                                    "{name}: “{value}” is not a country code; use upper-case two-letter codes like FR."
                                )),
                                QuestionKind::Number { .. } if value.trim().parse::<f64>().is_err() => {
                                    problems.push(format!("{name}: “{value}” is not a number."))
                                }
                                _ => {}
                            }
                        }
                        let allowed: Vec<String> = match &driver.kind {
                            QuestionKind::YesNo => vec!["yes".into(), "no".into()],
                            other => other.options().to_vec(),
                        };
                        if !allowed.is_empty() {
                            for value in &rule.values {
                                if !allowed.contains(value) {
                                    problems.push(format!("{name}: “{value}” is not an answer of “{}”.", driver.id));
                                }
                            }
                        }
                    }
                }
            }
            seen.insert(&q.id, q);
        }
        problems
    }

    /// Which questions are shown for `answers`: a question is shown when
    /// its section is shown and its own show-if (if any) is met by a shown
    /// earlier answer.
    pub fn visible(&self, answers: &Answers) -> BTreeMap<String, bool> {
        let mut shown: BTreeMap<String, bool> = BTreeMap::new();
        let mut section_shown = true;
        for q in &self.questions {
            let own = match &q.show_if {
                None => true,
                Some(rule) => {
                    shown.get(&rule.question).copied().unwrap_or(false)
                        && answers
                            .get(&rule.question)
                            .is_some_and(|a| a.values().iter().any(|v| rule.values.contains(v)))
                }
            };
            let visible = if q.kind.is_section() {
                section_shown = own;
                own
            } else {
                section_shown && own
            };
            shown.insert(q.id.clone(), visible);
        }
        shown
    }

    /// Checks `answers`: required answers, types and ranges, for shown
    /// questions only. Answers to hidden questions are dropped. Returns the
    /// accepted answers, or messages keyed by question id.
    pub fn validate_answers(&self, answers: &Answers) -> Result<Answers, BTreeMap<String, String>> {
        let visible = self.visible(answers);
        let mut accepted = Answers::new();
        let mut errors = BTreeMap::new();
        for q in self.questions.iter().filter(|q| !q.kind.is_section()) {
            if !visible.get(&q.id).copied().unwrap_or(false) {
                continue;
            }
            let answer = answers.get(&q.id).filter(|a| !a.is_blank());
            match answer {
                None if q.required => {
                    errors.insert(q.id.clone(), "This question needs an answer.".to_string());
                }
                None => {}
                Some(answer) => match check_answer(&q.kind, answer) {
                    Ok(clean) => {
                        accepted.insert(q.id.clone(), clean);
                    }
                    Err(message) => {
                        errors.insert(q.id.clone(), message);
                    }
                },
            }
        }
        if errors.is_empty() { Ok(accepted) } else { Err(errors) }
    }
}

fn kind_problems(kind: &QuestionKind) -> Vec<String> {
    let mut problems = Vec::new();
    match kind {
        QuestionKind::Number {
            min: Some(min),
            max: Some(max),
        } if min > max => problems.push("the minimum is above the maximum.".to_string()),
        QuestionKind::Date {
            min: Some(min),
            max: Some(max),
        } if min > max => problems.push("the earliest date is after the latest.".to_string()),
        QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } => {
            if options.len() < 2 {
                problems.push("give at least two options.".to_string());
            }
            if options.iter().any(|o| o.trim().is_empty()) {
                problems.push("options cannot be empty.".to_string());
            }
            let mut sorted: Vec<&String> = options.iter().collect();
            sorted.sort();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                problems.push("options must differ from each other.".to_string());
            }
        }
        QuestionKind::FileUpload { allowed, max_size_mb } => {
            if allowed.is_empty() {
                problems.push("allow at least one file type.".to_string());
            }
            if allowed.iter().any(|a| !FILE_TYPES.iter().any(|(k, _)| k == a)) {
                problems.push("one of the file types is not known.".to_string());
            }
            if !(1..=25).contains(max_size_mb) {
                problems.push("the largest file must be 1–25 MB.".to_string());
            }
        }
        _ => {}
    }
    problems
}

/// An answer as submitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// One value (text, number, date, choice, yes/no, country).
    One(String),
    /// Several values (multiple choice).
    Many(Vec<String>),
    /// An uploaded file's facts.
    File {
        /// Detected content type.
        content_type: String,
        /// Size in bytes.
        size: u64,
    },
}

impl Answer {
    fn is_blank(&self) -> bool {
        match self {
            Self::One(v) => v.trim().is_empty(),
            Self::Many(v) => v.iter().all(|s| s.trim().is_empty()),
            Self::File { size, .. } => *size == 0,
        }
    }

    /// The answer's values, for show-if matching.
    pub fn values(&self) -> Vec<String> {
        match self {
            Self::One(v) => vec![v.trim().to_string()],
            Self::Many(v) => v.clone(),
            Self::File { .. } => Vec::new(),
        }
    }
}

/// Answers keyed by question id.
pub type Answers = BTreeMap<String, Answer>;

fn check_answer(kind: &QuestionKind, answer: &Answer) -> Result<Answer, String> {
    let one = |a: &Answer| match a {
        Answer::One(v) => Ok(v.trim().to_string()),
        _ => Err("Give a single answer.".to_string()),
    };
    match kind {
        QuestionKind::Section => Ok(answer.clone()),
        QuestionKind::ShortText => {
            let v = one(answer)?;
            if v.chars().count() > 200 {
                Err("Keep it to 200 characters.".into())
            } else {
                crate::domain::check_text(&v, "The answer")?;
                Ok(Answer::One(v))
            }
        }
        QuestionKind::LongText => {
            let v = one(answer)?;
            if v.chars().count() > 5000 {
                Err("Keep it to 5000 characters.".into())
            } else {
                crate::domain::check_text(&v, "The answer")?;
                Ok(Answer::One(v))
            }
        }
        QuestionKind::Number { min, max } => {
            let v = one(answer)?;
            let n: f64 = v
                .replace(',', ".")
                .parse()
                .map_err(|_| format!("“{v}” is not a number."))?;
            if !n.is_finite() {
                return Err(format!("“{v}” is not a number."));
            }
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                return Err(range_message(min.map(|m| m.to_string()), max.map(|m| m.to_string())));
            }
            Ok(Answer::One(n.to_string()))
        }
        QuestionKind::Email => {
            let v = one(answer)?;
            crate::domain::EmailAddress::parse(&v).map(|e| Answer::One(e.as_str().to_string()))
        }
        QuestionKind::Phone => {
            let v = one(answer)?;
            let digits: String = v
                .chars()
                .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
                .collect();
            let body = digits.strip_prefix('+').unwrap_or("");
            if body.len() >= 8 && body.len() <= 15 && body.chars().all(|c| c.is_ascii_digit()) {
                Ok(Answer::One(format!("+{body}")))
            } else {
                Err("Give the number in international form, like +44 20 7946 0958.".into())
            }
        }
        QuestionKind::Date { min, max } => {
            let v = one(answer)?;
            let d = NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .map_err(|_| format!("“{v}” is not a date like 1990-04-21."))?;
            if min.is_some_and(|m| d < m) || max.is_some_and(|m| d > m) {
                return Err(range_message(min.map(|m| m.to_string()), max.map(|m| m.to_string())));
            }
            Ok(Answer::One(d.to_string()))
        }
        QuestionKind::SingleChoice { options } => {
            let v = one(answer)?;
            if options.contains(&v) {
                Ok(Answer::One(v))
            } else {
                Err("Choose one of the options.".into())
            }
        }
        QuestionKind::MultipleChoice { options } => {
            let values: Vec<String> = answer.values().into_iter().filter(|v| !v.trim().is_empty()).collect();
            if values.iter().all(|v| options.contains(v)) {
                Ok(Answer::Many(values))
            } else {
                Err("Choose among the options.".into())
            }
        }
        QuestionKind::YesNo => match one(answer)?.as_str() {
            v @ ("yes" | "no") => Ok(Answer::One(v.to_string())),
            _ => Err("Answer yes or no.".into()),
        },
        QuestionKind::Country => {
            let v = one(answer)?.to_uppercase();
            if crate::domain::country_name(&v).is_some() {
                Ok(Answer::One(v))
            } else {
                Err("Choose a country from the list.".into())
            }
        }
        QuestionKind::FileUpload { allowed, max_size_mb } => match answer {
            Answer::File { content_type, size } => {
                let ok_type = FILE_TYPES
                    .iter()
                    .any(|(k, ct)| allowed.iter().any(|a| a == k) && ct == content_type);
                if !ok_type {
                    Err(format!("Upload a file of type {}.", allowed.join(", ").to_uppercase()))
                } else if *size > u64::from(*max_size_mb) * 1024 * 1024 {
                    Err(format!("The file is larger than {max_size_mb} MB."))
                } else {
                    Ok(answer.clone())
                }
            }
            _ => Err("Upload a file.".into()),
        },
    }
}

fn range_message(min: Option<String>, max: Option<String>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("Give a value from {a} to {b}."),
        (Some(a), None) => format!("Give a value of at least {a}."),
        (None, Some(b)) => format!("Give a value of at most {b}."),
        (None, None) => "The value is out of range.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: &str, kind: QuestionKind) -> Question {
        Question {
            id: id.into(),
            label: id.replace('_', " "),
            help: String::new(),
            required: true,
            kind,
            show_if: None,
        }
    }

    fn when(mut question: Question, driver: &str, values: &[&str]) -> Question {
        question.show_if = Some(ShowIf {
            question: driver.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        });
        question
    }

    fn one(v: &str) -> Answer {
        Answer::One(v.into())
    }

    fn sample() -> QuestionnaireDefinition {
        QuestionnaireDefinition {
            questions: vec![
                q("pep", QuestionKind::YesNo),
                when(q("pep_role", QuestionKind::ShortText), "pep", &["yes"]),
                q(
                    "source",
                    QuestionKind::SingleChoice {
                        options: vec!["Salary".into(), "Business".into(), "Other".into()],
                    },
                ),
                when(q("business", QuestionKind::Section), "source", &["Business"]),
                q("company_name", QuestionKind::ShortText),
                q(
                    "turnover",
                    QuestionKind::Number {
                        min: Some(0.0),
                        max: Some(1e9),
                    },
                ),
                q("other_section_end", QuestionKind::Section),
                q(
                    "born",
                    QuestionKind::Date {
                        min: NaiveDate::from_ymd_opt(1900, 1, 1),
                        max: None,
                    },
                ),
            ],
        }
    }

    #[test]
    fn a_valid_definition_has_no_problems() {
        assert_eq!(sample().problems(), Vec::<String>::new());
    }

    #[test]
    fn show_if_must_point_at_an_existing_earlier_question() {
        let later = QuestionnaireDefinition {
            questions: vec![
                when(q("a", QuestionKind::ShortText), "b", &["x"]),
                q("b", QuestionKind::YesNo),
            ],
        };
        assert!(later.problems().iter().any(|p| p.contains("comes later")));
        let missing = QuestionnaireDefinition {
            questions: vec![when(q("a", QuestionKind::ShortText), "nope", &["x"])],
        };
        assert!(missing.problems().iter().any(|p| p.contains("does not exist")));
        let own = QuestionnaireDefinition {
            questions: vec![when(q("a", QuestionKind::YesNo), "a", &["yes"])],
        };
        assert!(own.problems().iter().any(|p| p.contains("its own answer")));
    }

    #[test]
    fn show_if_values_must_be_answers_of_the_driver() {
        let def = QuestionnaireDefinition {
            questions: vec![
                q("pep", QuestionKind::YesNo),
                when(q("x", QuestionKind::ShortText), "pep", &["maybe"]),
            ],
        };
        assert!(def.problems().iter().any(|p| p.contains("“maybe” is not an answer")));
        let empty = QuestionnaireDefinition {
            questions: vec![
                q("pep", QuestionKind::YesNo),
                when(q("x", QuestionKind::ShortText), "pep", &[]),
            ],
        };
        assert!(empty.problems().iter().any(|p| p.contains("list the answers")));
        let file = QuestionnaireDefinition {
            questions: vec![
                q(
                    "doc",
                    QuestionKind::FileUpload {
                        allowed: vec!["pdf".into()],
                        max_size_mb: 5,
                    },
                ),
                when(q("x", QuestionKind::ShortText), "doc", &["a"]),
            ],
        };
        assert!(file.problems().iter().any(|p| p.contains("show-if needs")));
    }

    #[test]
    fn show_if_values_of_countries_and_numbers_are_checked() {
        let def = QuestionnaireDefinition {
            questions: vec![
                q("country", QuestionKind::Country),
                when(q("a", QuestionKind::ShortText), "country", &["fr"]),
                q("n", QuestionKind::Number { min: None, max: None }),
                when(q("b", QuestionKind::ShortText), "n", &["many"]),
            ],
        };
        let p = def.problems();
        assert!(p.iter().any(|e| e.contains("“fr” is not a country code")), "{p:?}");
        assert!(p.iter().any(|e| e.contains("“many” is not a number")), "{p:?}");
    }

    #[test]
    fn structural_problems_are_reported_together() {
        let def = QuestionnaireDefinition {
            questions: vec![
                q("Bad Key", QuestionKind::ShortText),
                q(
                    "dup",
                    QuestionKind::SingleChoice {
                        options: vec!["a".into()],
                    },
                ),
                q(
                    "dup",
                    QuestionKind::Number {
                        min: Some(5.0),
                        max: Some(1.0),
                    },
                ),
                q(
                    "f",
                    QuestionKind::FileUpload {
                        allowed: vec![],
                        max_size_mb: 99,
                    },
                ),
            ],
        };
        let problems = def.problems();
        assert!(problems.len() >= 5, "{problems:?}");
    }

    #[test]
    fn hidden_questions_are_not_required_and_their_answers_are_dropped() {
        let def = sample();
        let mut answers = Answers::new();
        answers.insert("pep".into(), one("no"));
        answers.insert("pep_role".into(), one("Minister"));
        answers.insert("source".into(), one("Salary"));
        answers.insert("born".into(), one("1990-04-21"));
        let accepted = def.validate_answers(&answers).expect("valid");
        assert!(!accepted.contains_key("pep_role"), "hidden answer dropped");
        assert!(!accepted.contains_key("company_name"), "hidden section not required");
    }

    #[test]
    fn shown_questions_are_required_typed_and_bounded() {
        let def = sample();
        let mut answers = Answers::new();
        answers.insert("pep".into(), one("yes"));
        answers.insert("source".into(), one("Business"));
        answers.insert("turnover".into(), one("-5"));
        answers.insert("born".into(), one("21/04/1990"));
        let errors = def.validate_answers(&answers).expect_err("invalid");
        assert_eq!(
            errors.get("pep_role").map(String::as_str),
            Some("This question needs an answer.")
        );
        assert!(errors.contains_key("company_name"));
        assert!(errors["turnover"].contains("from 0"));
        assert!(errors["born"].contains("is not a date"));
    }

    #[test]
    fn a_section_after_a_hidden_section_is_shown_again() {
        let def = sample();
        let mut answers = Answers::new();
        answers.insert("source".into(), one("Salary"));
        let visible = def.visible(&answers);
        assert!(!visible["company_name"]);
        assert!(visible["born"]);
    }

    #[test]
    fn answers_of_each_type() {
        let check = |kind: QuestionKind, a: Answer| check_answer(&kind, &a);
        assert!(check(QuestionKind::Email, one("x@y.test")).is_ok());
        assert!(check(QuestionKind::Email, one("nope")).is_err());
        assert_eq!(
            check(QuestionKind::Phone, one("+44 20 7946 0958")),
            Ok(one("+442079460958"))
        );
        assert!(check(QuestionKind::Phone, one("0207")).is_err());
        assert_eq!(check(QuestionKind::Country, one("fr")), Ok(one("FR")));
        assert!(check(QuestionKind::Country, one("XX")).is_err());
        assert!(check(QuestionKind::YesNo, one("perhaps")).is_err());
        assert_eq!(
            check(QuestionKind::ShortText, one("Ring\u{7}")),
            Err("The answer contains a control character (U+0007) that cannot be shown; remove it.".into())
        );
        assert!(check(QuestionKind::LongText, one("a\u{1b}[2J")).is_err());
        assert!(check(QuestionKind::LongText, one("line one\nline two\ttab")).is_ok());
        let multi = QuestionKind::MultipleChoice {
            options: vec!["a".into(), "b".into()],
        };
        assert!(check(multi.clone(), Answer::Many(vec!["a".into(), "b".into()])).is_ok());
        assert!(check(multi, Answer::Many(vec!["c".into()])).is_err());
        let file = QuestionKind::FileUpload {
            allowed: vec!["pdf".into()],
            max_size_mb: 1,
        };
        assert!(
            check(
                file.clone(),
                Answer::File {
                    content_type: "application/pdf".into(),
                    size: 1000
                }
            )
            .is_ok()
        );
        assert!(
            check(
                file.clone(),
                Answer::File {
                    content_type: "image/png".into(),
                    size: 1000
                }
            )
            .is_err()
        );
        assert!(
            check(
                file,
                Answer::File {
                    content_type: "application/pdf".into(),
                    size: 2 * 1024 * 1024
                }
            )
            .is_err()
        );
        assert!(check(QuestionKind::Number { min: None, max: None }, one("NaN")).is_err());
    }

    #[test]
    fn definitions_round_trip_through_json() {
        let def = sample();
        let json = serde_json::to_value(&def).expect("json");
        let back: QuestionnaireDefinition = serde_json::from_value(json).expect("parse");
        assert_eq!(back, def);
    }
}
