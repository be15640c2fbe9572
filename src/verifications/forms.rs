//! The create-verification-session form.

use crate::domain::EmailAddress;
use crate::email_templates::{placeholders, wording};
use crate::web::FormErrors;
use chrono::Duration;
use serde::Deserialize;
use uuid::Uuid;

/// Most cc addresses one link email may carry.
pub const MAX_CC: usize = 8;

/// POST /applicants/{id}/sessions, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct SessionForm {
    /// The applicant's version when the form was shown (optimistic locking);
    /// empty from clients that do not send it.
    #[serde(default)]
    pub lock_version: String,
    /// What a new session depends on, as the form saw it
    /// ([`super::queries::session_state`]): a change to the applicant that
    /// leaves it as it was (a reviewer assigned, a phone number corrected)
    /// does not refuse the form.
    #[serde(default)]
    pub seen_state: String,
    #[serde(default)]
    pub flow_id: String,
    #[serde(default)]
    pub expiry_value: String,
    /// `hours` or `days`.
    #[serde(default)]
    pub expiry_unit: String,
    #[serde(default)]
    pub session_minutes: String,
    #[serde(default)]
    pub send_email: Option<String>,
    #[serde(default)]
    pub recipient: String,
    /// Addresses separated by commas, semicolons or new lines.
    #[serde(default)]
    pub cc: String,
    #[serde(default)]
    pub template_id: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
}

/// The email part of a valid session form.
#[derive(Debug, Clone)]
pub struct EmailPlan {
    pub to: String,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    /// The language of the template whose body is sent, when one is: the
    /// email is in it (its link's expiry date, its footer), not in the
    /// applicant's.
    pub language: Option<String>,
}

/// A saved template chosen on the form.
pub struct ChosenTemplate {
    pub subject: String,
    pub body: String,
    /// The language it is written in.
    pub language: String,
}

/// A valid session form.
#[derive(Debug, Clone)]
pub struct ValidSession {
    pub flow_id: Uuid,
    pub expires_in: Duration,
    pub session_minutes: i32,
    pub email: Option<EmailPlan>,
}

impl SessionForm {
    /// Checks every field. `flows` are the flows one may choose; a chosen
    /// template's subject and body fill in for empty fields.
    pub fn parse(&self, flows: &[Uuid], template: Option<ChosenTemplate>) -> Result<ValidSession, FormErrors> {
        let mut e = FormErrors::new();
        let flow_id = match self.flow_id.parse::<Uuid>() {
            Ok(id) if flows.contains(&id) => Some(id),
            _ => {
                e.add("flow_id", "Choose a published flow.");
                None
            }
        };
        let hours = match (self.expiry_value.trim().parse::<i64>(), self.expiry_unit.as_str()) {
            (Ok(v), "days") => Ok(v.saturating_mul(24)),
            (Ok(v), "hours") => Ok(v),
            (Ok(_), _) => Err("Choose hours or days."),
            (Err(_), _) => Err("Give a whole number of hours or days, like 72 hours or 3 days."),
        };
        let expires_in = match hours {
            Ok(h) if (1..=720).contains(&h) => Some(Duration::hours(h)),
            Ok(_) => {
                e.add("expiry_value", "The link must last from 1 hour to 30 days.");
                None
            }
            Err(message) => {
                e.add("expiry_value", message);
                None
            }
        };
        let session_minutes = match self.session_minutes.trim().parse::<i64>() {
            Ok(m) if (5..=60).contains(&m) => i32::try_from(m).ok(),
            Ok(_) => {
                e.add("session_minutes", "Session time must be 5 to 60 minutes.");
                None
            }
            Err(_) => {
                e.add(
                    "session_minutes",
                    "Give the session time in whole minutes, from 5 to 60.",
                );
                None
            }
        };
        let email = if self.send_email.is_some() {
            let to = e.check(
                "recipient",
                EmailAddress::parse_public(&self.recipient).map(|a| a.as_str().to_string()),
            );
            // Each person once: an address repeated, or the recipient's
            // own, would get the same email twice.
            let mut seen = vec![self.recipient.trim().to_lowercase()];
            let cc_raw: Vec<&str> = split_addresses(&self.cc)
                .into_iter()
                .map(str::trim)
                .map(bare_address)
                .filter(|s| !s.is_empty())
                .filter(|s| {
                    let key = s.to_lowercase();
                    let new = !seen.contains(&key);
                    seen.push(key);
                    new
                })
                .collect();
            let mut cc = Vec::new();
            if cc_raw.len() > MAX_CC {
                e.add(
                    "cc",
                    format!("At most {MAX_CC} cc addresses; you gave {}.", cc_raw.len()),
                );
            }
            for raw in &cc_raw {
                match EmailAddress::parse_public(raw) {
                    Ok(a) => cc.push(a.as_str().to_string()),
                    Err(message) => e.also("cc", message),
                }
            }
            let (mut subject, mut body) = (self.subject.trim().to_string(), self.body.clone());
            // A chosen template fills what the officer left empty or as the
            // form first showed it. With JavaScript the page copies the
            // template into the fields at once; without it, choosing one
            // must still take effect.
            // The email is in the template's language when its body is the
            // template's; text the officer wrote is in the applicant's.
            let mut language = None;
            if let Some(t) = template {
                if subject.is_empty() || wording::is_invitation_subject(&subject) {
                    subject = t.subject;
                }
                // As the page's script copied it (a browser sends a
                // textarea's line breaks as CRLF).
                let as_copied = body.replace("\r\n", "\n") == t.body.replace("\r\n", "\n");
                if body.trim().is_empty() || wording::is_invitation_body(&body) || as_copied {
                    body = t.body;
                    language = Some(t.language);
                }
            }
            for (field, message) in placeholders::problems(&subject, &body) {
                e.also(field, message);
            }
            to.map(|to| EmailPlan {
                to,
                cc,
                subject,
                body,
                language,
            })
        } else {
            None
        };
        match (flow_id, expires_in, session_minutes) {
            (Some(flow_id), Some(expires_in), Some(session_minutes)) if e.is_empty() => Ok(ValidSession {
                flow_id,
                expires_in,
                session_minutes,
                email,
            }),
            _ => Err(e),
        }
    }
}

/// The address of `Bob Smith <bob@example.com>`, as mail programs copy it;
/// the name is dropped (the email goes to the address either way).
/// Splits a pasted list of addresses at commas, semicolons and line
/// breaks, except inside a quoted display name or angle brackets, so
/// `"Smith, Ann" <ann@example.com>` stays one entry.
fn split_addresses(list: &str) -> Vec<&str> {
    let (mut parts, mut start) = (Vec::new(), 0);
    let (mut quoted, mut escaped, mut angled) = (false, false, false);
    for (i, c) in list.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angled = true,
            '>' if !quoted => angled = false,
            ',' | ';' | '\n' if !quoted && !angled => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    parts
}

fn bare_address(raw: &str) -> &str {
    match raw.strip_suffix('>').and_then(|r| r.rsplit_once('<')) {
        Some((_, address)) => address.trim(),
        None => raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email_templates::{DEFAULT_BODY, DEFAULT_SUBJECT};

    #[test]
    fn a_quoted_name_with_a_comma_is_one_address() {
        assert_eq!(
            split_addresses("\"Smith, Ann\" <ann@example.test>; bo@example.test\ncy@example.test,"),
            vec![
                "\"Smith, Ann\" <ann@example.test>",
                " bo@example.test",
                "cy@example.test",
                ""
            ]
        );
        assert_eq!(
            split_addresses(r#""O\"Neil, Jo" <jo@example.test>,x@example.test"#),
            vec![r#""O\"Neil, Jo" <jo@example.test>"#, "x@example.test"]
        );
        assert_eq!(bare_address("\"Smith, Ann\" <ann@example.test>"), "ann@example.test");
    }

    fn form(flow: Uuid) -> SessionForm {
        SessionForm {
            lock_version: String::new(),
            seen_state: String::new(),
            flow_id: flow.to_string(),
            expiry_value: "3".into(),
            expiry_unit: "days".into(),
            session_minutes: "30".into(),
            send_email: Some("on".into()),
            recipient: "ana@example.test".into(),
            cc: String::new(),
            template_id: String::new(),
            subject: "Verify".into(),
            body: "Go to {{session_url}}".into(),
        }
    }

    #[test]
    fn a_complete_form_is_valid() {
        let flow = Uuid::new_v4();
        let valid = form(flow).parse(&[flow], None).expect("valid");
        assert_eq!(valid.expires_in, Duration::hours(72));
        assert_eq!(valid.email.expect("email").to, "ana@example.test");
    }

    #[test]
    fn limits_and_placeholders_are_enforced() {
        let flow = Uuid::new_v4();
        let mut f = form(flow);
        f.expiry_value = "31".into();
        f.session_minutes = "4".into();
        f.cc = (0..8)
            .map(|i| format!("cc{i}@example.test"))
            .chain(["not-an-email".to_string()])
            .collect::<Vec<_>>()
            .join(", ");
        f.body = "No link here".into();
        f.subject = format!("{} {{{{first_name}}}}", "x".repeat(200));
        let e = f.parse(&[flow], None).expect_err("invalid");
        assert!(e.get("expiry_value").is_some() && e.get("session_minutes").is_some());
        // Everything wrong with a field is said at once, not one per try.
        assert!(
            e.get("cc")
                .is_some_and(|m| m.contains("At most 8") && m.contains("not-an-email")),
            "{:?}",
            e.get("cc")
        );
        assert!(
            e.get("subject")
                .is_some_and(|m| m.contains("up to 200 characters") && m.contains("Unknown placeholder {{first_name}}")),
            "{:?}",
            e.get("subject")
        );
        assert!(e.get("body").is_some_and(|m| m.contains("{{session_url}}")));
    }

    #[test]
    fn a_fraction_of_an_hour_is_named_as_such() {
        let flow = Uuid::new_v4();
        let mut f = form(flow);
        f.expiry_value = "1.5".into();
        let e = f.parse(&[flow], None).expect_err("invalid");
        assert!(e.get("expiry_value").is_some_and(|m| m.contains("whole number")));
    }

    #[test]
    fn each_cc_is_emailed_once() {
        let flow = Uuid::new_v4();
        let mut f = form(flow);
        f.cc = "cc1@example.test, CC1@example.test; Ana@Example.test, Cc Two <cc2@example.test>, <cc1@example.test>"
            .into();
        let email = f.parse(&[flow], None).expect("valid").email.expect("email");
        assert_eq!(
            email.cc,
            ["cc1@example.test", "cc2@example.test"],
            "names as mail programs copy them are dropped"
        );
    }

    fn template(language: &str) -> Option<ChosenTemplate> {
        Some(ChosenTemplate {
            subject: "From template".into(),
            body: "Link: {{session_url}}".into(),
            language: language.into(),
        })
    }

    #[test]
    fn a_template_fills_empty_fields() {
        let flow = Uuid::new_v4();
        let mut f = form(flow);
        f.subject.clear();
        f.body.clear();
        let valid = f.parse(&[flow], template("fr")).expect("valid");
        let email = valid.email.expect("email");
        assert_eq!(email.subject, "From template");
        assert_eq!(
            email.language.as_deref(),
            Some("fr"),
            "the email is in the template's language"
        );
        let free = form(flow).parse(&[flow], None).expect("valid");
        assert_eq!(free.email.expect("email").language, None, "free text: the applicant's");
    }

    #[test]
    fn a_template_replaces_the_untouched_default_text_but_not_edited_text() {
        let flow = Uuid::new_v4();
        let template = || template("en");
        let mut f = form(flow);
        f.subject = DEFAULT_SUBJECT.into();
        f.body = DEFAULT_BODY.replace('\n', "\r\n");
        let email = f.parse(&[flow], template()).expect("valid").email.expect("email");
        assert_eq!(
            (email.subject.as_str(), email.body.as_str()),
            ("From template", "Link: {{session_url}}")
        );
        let email = form(flow)
            .parse(&[flow], template())
            .expect("valid")
            .email
            .expect("email");
        assert_eq!(
            (email.subject.as_str(), email.body.as_str()),
            ("Verify", "Go to {{session_url}}")
        );
        assert_eq!(
            email.language, None,
            "the officer's own words: the applicant's language"
        );
        // The template as the page's script copied it, line breaks and all.
        let mut copied = form(flow);
        copied.body = "Hello,\r\nLink: {{session_url}}".into();
        let multi_line = Some(ChosenTemplate {
            subject: "From template".into(),
            body: "Hello,\nLink: {{session_url}}".into(),
            language: "de".into(),
        });
        let email = copied.parse(&[flow], multi_line).expect("valid").email.expect("email");
        assert_eq!(email.language.as_deref(), Some("de"));
    }
}
