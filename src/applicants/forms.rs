//! The applicant form, to create an applicant or edit one.

use super::models::{Applicant, KINDS, LANGUAGES, NewApplicant, search_text};
use crate::domain::{EmailAddress, check_label, check_text, country_name};
use crate::verifications::queries::PublishedFlow;
use crate::web::FormErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;

/// POST /applicants, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ApplicantForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub external_user_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub country: String,
    /// `key: value` lines.
    #[serde(default)]
    pub supplied_info: String,
    #[serde(default)]
    pub flow_id: String,
    /// The version the officer saw, when editing (see `edit`).
    #[serde(default)]
    pub lock_version: String,
    /// The details as the edit form first showed them (JSON), so that a
    /// save refused because someone changed the applicant meanwhile can
    /// tell the fields this officer changed from those they left alone.
    #[serde(default)]
    pub shown: String,
    /// The applicant's address as stored, when editing: it passes as it is
    /// (see [`EmailAddress::parse_public_or_kept`]). Never read from the form.
    #[serde(skip)]
    pub email_kept: Option<String>,
}

/// Parses a phone number to E.164 (`+442079460958`): in international
/// form, or as dialled within `country` (an ISO alpha-2 code) when given.
pub fn parse_phone(input: &str, country: Option<&str>) -> Result<String, String> {
    let trimmed = input.trim();
    let region = country.and_then(|c| c.parse::<phonenumber::country::Id>().ok());
    let parsed = phonenumber::parse(region, trimmed).map_err(|_| match region {
        Some(_) => format!(
            "“{trimmed}” is not a phone number for the country chosen; give it as dialled there or in international form, like +44 20 7946 0958."
        ),
        None => format!(
            "“{trimmed}” is not a phone number; give it in international form, like +44 20 7946 0958, or choose the country."
        ),
    })?;
    if !phonenumber::is_valid(&parsed) {
        return Err(format!(
            "“{trimmed}” is not a valid phone number for its country; check the digits, or give it in international form, like +44 20 7946 0958."
        ));
    }
    if parsed.extension().is_some() {
        return Err("Give the number without an extension: it would be lost.".to_string());
    }
    Ok(parsed.format().mode(phonenumber::Mode::E164).to_string())
}

/// Parses `key: value` lines into a JSON object of strings. A key is a
/// label (no control characters, nothing that reorders text) and is given
/// once; a value may hold tabs but no other control character.
pub fn parse_supplied_info(input: &str) -> Result<serde_json::Value, String> {
    let mut map = serde_json::Map::new();
    // Where each key was first given, for the message about a repeat.
    let mut first_line = std::collections::HashMap::new();
    for (n, line) in input.lines().enumerate() {
        let n = n + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(format!("Line {n} needs the form “key: value”."));
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || key.chars().count() > 60 {
            return Err(format!("Line {n}: the key must be 1–60 characters."));
        }
        check_label(key, &format!("Line {n}: the key"))?;
        if value.chars().count() > 500 {
            return Err(format!("Line {n}: keep the value to 500 characters."));
        }
        check_text(value, &format!("Line {n}: the value"))?;
        if let Some(first) = first_line.insert(key, n) {
            return Err(format!(
                "Line {n}: the key “{key}” is already given on line {first}; give each key once."
            ));
        }
        map.insert(key.to_string(), serde_json::Value::String(value.to_string()));
    }
    if map.len() > 50 {
        return Err("Keep supplied info to 50 lines.".into());
    }
    Ok(serde_json::Value::Object(map))
}

/// A detail's stored value as the form shows it: languages, countries and
/// types by their names.
fn readable(field: &str, value: &str) -> String {
    let label = match field {
        "kind" => KINDS.iter().find(|(k, _)| *k == value).map(|(_, l)| l.to_string()),
        "language" => LANGUAGES.iter().find(|(k, _)| *k == value).map(|(_, l)| l.to_string()),
        "country" => country_name(value).map(str::to_string),
        _ => None,
    };
    match label {
        Some(label) => label,
        None if value.is_empty() => "(empty)".to_string(),
        None => format!("“{value}”"),
    }
}

impl ApplicantForm {
    /// The form as an officer editing `a` first sees it: every field as
    /// stored, supplied info back as `key: value` lines.
    pub fn from_applicant(a: &Applicant) -> Self {
        let supplied_info = match &a.supplied_info {
            serde_json::Value::Object(map) => map
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => String::new(),
        };
        Self {
            kind: a.kind.clone(),
            external_user_id: a.external_user_id.clone(),
            name: a.name.clone(),
            email: a.email.clone().unwrap_or_default(),
            phone: a.phone.clone().unwrap_or_default(),
            language: a.language.clone(),
            date_of_birth: a.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
            country: a.country.clone().unwrap_or_default(),
            supplied_info,
            flow_id: String::new(),
            lock_version: a.lock_version.to_string(),
            shown: String::new(),
            email_kept: a.email.clone(),
        }
        .with_shown()
    }

    /// The details' fields by name: what an edit changes.
    fn details(&self) -> [(&'static str, &String); 9] {
        [
            ("kind", &self.kind),
            ("external_user_id", &self.external_user_id),
            ("name", &self.name),
            ("email", &self.email),
            ("phone", &self.phone),
            ("language", &self.language),
            ("date_of_birth", &self.date_of_birth),
            ("country", &self.country),
            ("supplied_info", &self.supplied_info),
        ]
    }

    fn details_mut(&mut self) -> [(&'static str, &mut String); 9] {
        [
            ("kind", &mut self.kind),
            ("external_user_id", &mut self.external_user_id),
            ("name", &mut self.name),
            ("email", &mut self.email),
            ("phone", &mut self.phone),
            ("language", &mut self.language),
            ("date_of_birth", &mut self.date_of_birth),
            ("country", &mut self.country),
            ("supplied_info", &mut self.supplied_info),
        ]
    }

    /// The form with `shown` set to its own details.
    fn with_shown(mut self) -> Self {
        self.shown = crate::web::forms::shown_values(self.details());
        self
    }

    /// After someone else saved `now` meanwhile: the fields this officer
    /// left as shown take the new values, those they changed keep what they
    /// typed, and those both changed say so next to the field. Without the
    /// values as shown (a hand-made request) every typed value is kept.
    /// Returns the form to show again, ready to be saved over `now`.
    pub fn merged_with(mut self, now: &ApplicantForm, errors: &mut FormErrors) -> Self {
        let now_details: std::collections::BTreeMap<&str, String> =
            now.details().into_iter().map(|(k, v)| (k, v.clone())).collect();
        let shown = std::mem::take(&mut self.shown);
        crate::web::forms::merge_after_conflict(self.details_mut(), &shown, &now_details, errors, readable);
        // Saving again is against the details as they are now: a further
        // change by someone else is merged the same way.
        self.lock_version.clone_from(&now.lock_version);
        self.shown.clone_from(&now.shown);
        self
    }

    /// Checks every field; `flows` are the published, unarchived flows one
    /// may choose, each for its type of applicant.
    pub fn parse(&self, flows: &[PublishedFlow], by: Uuid, now: DateTime<Utc>) -> Result<NewApplicant, FormErrors> {
        let mut e = FormErrors::new();
        if !KINDS.iter().any(|(k, _)| *k == self.kind) {
            e.add("kind", "Choose a person or a company.");
        }
        let external_user_id = self.external_user_id.trim().to_string();
        if external_user_id.is_empty() {
            e.add(
                "external_user_id",
                "Give the id your own systems use for this applicant.",
            );
        } else if external_user_id.chars().count() > 200 {
            e.add("external_user_id", "Use up to 200 printable characters.");
        } else {
            e.check(
                "external_user_id",
                check_label(&external_user_id, "The external user id"),
            );
        }
        let name = self.name.trim().to_string();
        if name.is_empty() {
            e.add(
                "name",
                if self.kind == "legal_person" {
                    "Enter the company name."
                } else {
                    "Enter the full name."
                },
            );
        } else if name.chars().count() > 200 {
            e.add("name", "Use up to 200 printable characters.");
        } else {
            e.check("name", check_label(&name, "The name"));
        }
        let email = if self.email.trim().is_empty() {
            None
        } else {
            e.check(
                "email",
                EmailAddress::parse_public_or_kept(&self.email, self.email_kept.as_deref())
                    .map(|a| a.as_str().to_string()),
            )
        };
        let phone = if self.phone.trim().is_empty() {
            None
        } else {
            let country = Some(self.country.trim()).filter(|c| !c.is_empty());
            e.check("phone", parse_phone(&self.phone, country))
        };
        let language = if LANGUAGES.iter().any(|(k, _)| *k == self.language) {
            self.language.clone()
        } else {
            e.add("language", "Choose a language.");
            String::new()
        };
        let date_of_birth = if self.date_of_birth.trim().is_empty() {
            None
        } else if self.kind == "legal_person" {
            e.add("date_of_birth", "A company has no date of birth; leave it empty.");
            None
        } else {
            match NaiveDate::parse_from_str(self.date_of_birth.trim(), "%Y-%m-%d") {
                Ok(d) if d <= now.date_naive() && d.year() >= 1900 => Some(d),
                Ok(_) => {
                    e.add("date_of_birth", "Give a date between 1900 and today.");
                    None
                }
                Err(_) => {
                    e.add(
                        "date_of_birth",
                        format!("“{}” is not a date like 1990-04-21.", self.date_of_birth.trim()),
                    );
                    None
                }
            }
        };
        let country = if self.country.trim().is_empty() {
            None
        } else {
            let code = self.country.trim().to_uppercase();
            if country_name(&code).is_none() {
                e.add("country", "Choose a country from the list.");
            }
            Some(code)
        };
        let supplied_info = e.check("supplied_info", parse_supplied_info(&self.supplied_info));
        let flow_id = if self.flow_id.trim().is_empty() {
            None
        } else {
            match self
                .flow_id
                .parse::<Uuid>()
                .ok()
                .and_then(|id| flows.iter().find(|f| f.id == id))
            {
                // The type is checked above; a flow for the other type is refused.
                Some(flow) => match flow.audience.refusal(&flow.name, &self.kind) {
                    Some(refusal) if e.get("kind").is_none() => {
                        e.add("flow_id", refusal);
                        None
                    }
                    _ => Some(flow.id),
                },
                None => {
                    e.add("flow_id", "Choose a published flow from the list.");
                    None
                }
            }
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(NewApplicant {
            id: Uuid::new_v4(),
            kind: self.kind.clone(),
            search_text: search_text(&name, email.as_deref(), &external_user_id),
            external_user_id,
            name,
            email,
            phone,
            language,
            date_of_birth,
            country,
            supplied_info: supplied_info.unwrap_or_default(),
            flow_id,
            status: super::models::Status::Init.code().to_string(),
            created_by: Some(by),
            created_at: now,
            updated_at: now,
        })
    }
}

use chrono::Datelike as _;

#[cfg(test)]
mod tests {
    use super::*;

    fn details(name: &str, email: &str, language: &str) -> ApplicantForm {
        ApplicantForm {
            kind: "natural_person".into(),
            external_user_id: "X-1".into(),
            name: name.into(),
            email: email.into(),
            language: language.into(),
            lock_version: "1".into(),
            ..ApplicantForm::default()
        }
        .with_shown()
    }

    #[test]
    fn a_refused_edit_keeps_what_was_typed_through_two_conflicts() {
        let opened = details("Ana", "a@x.test", "en");
        let mut typed = opened.clone();
        typed.name = "B Name".into();
        // Someone corrects the email: the name typed is kept, the email
        // left alone takes the correction.
        let mut now = details("Ana", "new@x.test", "en");
        now.lock_version = "2".into();
        let mut errors = FormErrors::new();
        let again = typed.merged_with(&now, &mut errors);
        assert!(errors.is_empty());
        assert_eq!((again.name.as_str(), again.email.as_str()), ("B Name", "new@x.test"));
        assert_eq!(again.lock_version, "2");
        // Then someone renames before this officer saves again: the name
        // both changed is flagged and this officer's kept.
        let mut later = details("A Name", "new@x.test", "de");
        later.lock_version = "3".into();
        let mut errors = FormErrors::new();
        let third = again.merged_with(&later, &mut errors);
        assert_eq!(third.name, "B Name");
        assert_eq!(third.language, "de", "left alone, so theirs");
        assert_eq!(
            errors.get("name"),
            Some("Changed meanwhile to “A Name”; what you typed is kept. Check it before saving again.")
        );
        // The same change on both sides is no conflict.
        let mut same = details("Ana", "a@x.test", "en");
        same.name = "A Name".into();
        let mut errors = FormErrors::new();
        same.merged_with(&later, &mut errors);
        assert!(errors.is_empty());
    }

    #[test]
    fn phones_become_e164() {
        assert_eq!(parse_phone("+44 20 7946 0958", None).unwrap(), "+442079460958");
        assert!(parse_phone("020 7946 0958", None).is_err());
        assert_eq!(parse_phone("020 7946 0958", Some("GB")).unwrap(), "+442079460958");
        assert_eq!(parse_phone("0044 20 7946 0958", Some("GB")).unwrap(), "+442079460958");
        assert!(
            parse_phone("+44 20 7946 0958 ext. 12", None).is_err(),
            "an extension is not dropped"
        );
        assert!(parse_phone("+1 555", None).is_err());
    }

    #[test]
    fn supplied_info_is_key_value_lines() {
        let v = parse_supplied_info("occupation: engineer\n\nsource: referral").unwrap();
        assert_eq!(v["occupation"], "engineer");
        assert!(parse_supplied_info("just text").is_err());
    }

    #[test]
    fn supplied_info_refuses_control_characters_and_repeated_keys() {
        let v = parse_supplied_info("address: 1 Main St\tFlat 2\r\nsource: referral\r\n").unwrap();
        assert_eq!(v["address"], "1 Main St\tFlat 2", "a tab in a value is kept");
        assert_eq!(v["source"], "referral");
        assert_eq!(
            parse_supplied_info("occupation: engineer\nnote: ring\u{7}\u{7}"),
            Err("Line 2: the value contains a control character (U+0007) that cannot be shown; remove it.".into())
        );
        assert!(parse_supplied_info("note: \u{1b}[2Jcleared").is_err());
        assert!(parse_supplied_info("note: a\rb").is_err(), "a carriage return alone");
        assert!(parse_supplied_info("no\u{9b}te: x").is_err(), "a C1 control in a key");
        assert!(parse_supplied_info("no\u{202E}te: x").is_err(), "a key is a label");
        assert_eq!(
            parse_supplied_info("a: 1\n\nb: 2\na: 3"),
            Err("Line 4: the key “a” is already given on line 1; give each key once.".into())
        );
        assert!(
            parse_supplied_info("a: 1\nA: 2").is_ok(),
            "keys are told apart by case, as stored"
        );
    }

    #[test]
    fn names_and_ids_refuse_characters_that_reorder_text() {
        let mut form = person("");
        form.name = "Ana \u{202E}amiL".into();
        form.external_user_id = "CUST-\u{2067}42\u{2069}".into();
        let errors = form.parse(&[], Uuid::nil(), Utc::now()).expect_err("refused");
        assert!(errors.get("name").is_some_and(|m| m.contains("U+202E")), "{errors:?}");
        assert!(
            errors.get("external_user_id").is_some_and(|m| m.contains("U+2067")),
            "{errors:?}"
        );
        let mut company = person("");
        company.kind = "legal_person".into();
        company.name = "\u{200F}Nordwind AB".into();
        assert!(
            company
                .parse(&[], Uuid::nil(), Utc::now())
                .expect_err("refused")
                .get("name")
                .is_some()
        );
        let mut fine = person("");
        fine.name = "مریم\u{200C} خانی".into();
        assert!(
            fine.parse(&[], Uuid::nil(), Utc::now()).is_ok(),
            "Persian spelling keeps its non-joiner"
        );
    }

    fn person(date_of_birth: &str) -> ApplicantForm {
        ApplicantForm {
            kind: "natural_person".into(),
            external_user_id: "CUST-1".into(),
            name: "Ana Lima".into(),
            language: "en".into(),
            date_of_birth: date_of_birth.into(),
            ..ApplicantForm::default()
        }
    }

    #[test]
    fn birth_dates_are_between_1900_and_today() {
        let now = Utc::now();
        assert!(person("1990-04-21").parse(&[], Uuid::nil(), now).is_ok());
        assert!(person("1900-01-01").parse(&[], Uuid::nil(), now).is_ok());
        // A leading minus is a year before the common era, long before 1900.
        for bad in ["-1990-01-01", "-2000-06-15", "1899-12-31", "0000-01-01"] {
            let errors = person(bad).parse(&[], Uuid::nil(), now).expect_err(bad);
            assert_eq!(
                errors.get("date_of_birth"),
                Some("Give a date between 1900 and today."),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_form_reports_every_field() {
        let form = ApplicantForm {
            kind: "robot".into(),
            email: "x".into(),
            phone: "123".into(),
            language: "xx".into(),
            date_of_birth: "2999-01-01".into(),
            country: "ZZ".into(),
            flow_id: "nope".into(),
            ..ApplicantForm::default()
        };
        let errors = form.parse(&[], Uuid::nil(), Utc::now()).expect_err("invalid");
        for field in [
            "kind",
            "external_user_id",
            "name",
            "email",
            "phone",
            "language",
            "date_of_birth",
            "country",
            "flow_id",
        ] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }
}
