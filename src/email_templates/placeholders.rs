//! `{{placeholder}}` substitution for link emails and the checks on it.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// The placeholders a link email may use.
pub const KNOWN: [&str; 4] = ["session_url", "applicant_name", "link_expires_at", "company_name"];

/// The names of the `{{…}}` placeholders in `text`, in order; an unclosed
/// `{{` is reported as `Err`.
pub fn names(text: &str) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err("A “{{” is not closed with “}}”.".into());
        };
        found.push(after[..end].trim().to_string());
        rest = &after[end + 2..];
    }
    Ok(found)
}

/// Problems with a link email's subject and body, as the session form and
/// the template form both check them: a subject that is no header line
/// (see `subject_problem`), a body too long or holding control
/// characters, unknown placeholders anywhere, and a body without
/// `{{session_url}}` (the email would carry no link).
pub fn problems(subject: &str, body: &str) -> Vec<(&'static str, String)> {
    let mut p = Vec::new();
    if let Some(problem) = subject_problem(subject) {
        p.push(("subject", problem.to_string()));
    }
    if body.chars().count() > 10_000 {
        p.push(("body", "Keep the body to 10,000 characters.".to_string()));
    } else if let Some(bad) = crate::domain::unshowable_in_text(body) {
        p.push(("body", bad.message("The body")));
    }
    for (field, text) in [("subject", subject), ("body", body)] {
        match names(text) {
            Err(e) => p.push((field, e)),
            Ok(found) => {
                let unknown: Vec<String> = found
                    .iter()
                    .filter(|n| !KNOWN.contains(&n.as_str()))
                    .map(|n| format!("{{{{{n}}}}}"))
                    .collect();
                if !unknown.is_empty() {
                    p.push((
                        field,
                        format!(
                            "Unknown placeholder {}. Use {}.",
                            unknown.join(", "),
                            KNOWN.map(|k| format!("{{{{{k}}}}}")).join(", ")
                        ),
                    ));
                }
                // A subject is shown in inbox lists, notifications and the
                // outbox, none of which keeps the link secret.
                if field == "subject" && found.iter().any(|n| n == "session_url") {
                    p.push((
                        "subject",
                        "The link cannot go in the subject, which inboxes and the outbox show to anyone who \
                         sees the email. Put {{session_url}} in the body."
                            .to_string(),
                    ));
                }
                if field == "body" && !found.iter().any(|n| n == "session_url") {
                    p.push((
                        "body",
                        "The body must contain {{session_url}}, where the verification link goes.".to_string(),
                    ));
                }
            }
        }
    }
    p
}

/// What is wrong with a subject as a header line, if anything: it must be
/// one line, short, and hold no control characters, which mail programs
/// show as garbage or take as the end of the header.
fn subject_problem(subject: &str) -> Option<&'static str> {
    let subject = subject.trim();
    if subject.is_empty() {
        Some("Write a subject.")
    } else if subject.chars().count() > 200
        || subject
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        Some("Keep the subject to one line of up to 200 characters, without control characters.")
    } else {
        None
    }
}

/// Values for the placeholders.
#[derive(Default)]
pub struct Values {
    pub session_url: String,
    pub applicant_name: String,
    pub link_expires_at: String,
    pub company_name: String,
    /// The officer's words in an email Veridesk writes itself (a restart,
    /// a retry, a request for information), filled in as a value by
    /// `{{message}}`, so that braces typed in it are never read as
    /// placeholders. Not in [`KNOWN`]: templates cannot use it.
    pub message: String,
}

/// `text` with every known placeholder replaced (unknown ones are left as typed).
pub fn render(text: &str, values: &Values) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let value = match after[..end].trim() {
            "session_url" => values.session_url.as_str(),
            "applicant_name" => values.applicant_name.as_str(),
            "link_expires_at" => values.link_expires_at.as_str(),
            "company_name" => values.company_name.as_str(),
            "message" => values.message.as_str(),
            _ => &rest[start..start + 2 + end + 2],
        };
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

const MONTHS: [(&str, [&str; 12]); 8] = [
    (
        "en",
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    ),
    (
        "fr",
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
    ),
    (
        "de",
        [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
    ),
    (
        "es",
        [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
    ),
    (
        "it",
        [
            "gennaio",
            "febbraio",
            "marzo",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "agosto",
            "settembre",
            "ottobre",
            "novembre",
            "dicembre",
        ],
    ),
    (
        "nl",
        [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ],
    ),
    (
        "pt",
        [
            "janeiro",
            "fevereiro",
            "março",
            "abril",
            "maio",
            "junho",
            "julho",
            "agosto",
            "setembro",
            "outubro",
            "novembro",
            "dezembro",
        ],
    ),
    (
        "pl",
        [
            "stycznia",
            "lutego",
            "marca",
            "kwietnia",
            "maja",
            "czerwca",
            "lipca",
            "sierpnia",
            "września",
            "października",
            "listopada",
            "grudnia",
        ],
    ),
];

/// A link's expiry in the email's language with an explicit zone,
/// e.g. `24 November 2026, 18:00 UTC`, `24. November 2026, 18:00 UTC` or
/// `24 de noviembre de 2026, 18:00 UTC`.
pub fn format_expiry(at: DateTime<Utc>, language: &str) -> String {
    let months = MONTHS.iter().find(|(l, _)| *l == language).unwrap_or(&MONTHS[0]).1;
    let (day, month, year) = (at.day(), months[at.month0() as usize], at.year());
    let date = match language {
        "de" => format!("{day}. {month} {year}"),
        // The first of the month is "1er" in French.
        "fr" if day == 1 => format!("1er {month} {year}"),
        // "de" joins day, month and year in Spanish and Portuguese.
        "es" | "pt" => format!("{day} de {month} de {year}"),
        _ => format!("{day} {month} {year}"),
    };
    format!("{date}, {:02}:{:02} UTC", at.hour(), at.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            session_url: "https://kyc.test/v/abc".into(),
            applicant_name: "Ana".into(),
            link_expires_at: "24 November 2026, 18:00 UTC".into(),
            company_name: "Acme".into(),
            message: "Upload your bank statement {{ or payslip".into(),
        }
    }

    #[test]
    fn the_link_stays_out_of_the_subject() {
        let refused = problems("Your link: {{session_url}}", "Start: {{session_url}}");
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].0, "subject");
        assert!(problems("Verify, {{applicant_name}}", "Start: {{session_url}}").is_empty());
    }

    #[test]
    fn the_officers_message_is_a_value_never_read_as_placeholders() {
        assert_eq!(
            render("{{message}}\n\nContinue here: {{session_url}}", &values()),
            "Upload your bank statement {{ or payslip\n\nContinue here: https://kyc.test/v/abc"
        );
        assert!(
            !problems("Hi", "{{message}} {{session_url}}").is_empty(),
            "templates cannot use it"
        );
    }

    #[test]
    fn bodies_need_the_link_and_only_known_placeholders() {
        assert!(problems("Verify", "Hello {{ applicant_name }}, {{session_url}}").is_empty());
        let missing = problems("Verify", "Hello {{applicant_name}}");
        assert!(
            missing
                .iter()
                .any(|(f, m)| *f == "body" && m.contains("must contain {{session_url}}"))
        );
        let unknown = problems("Hi {{first_name}}", "{{session_url}} {{ password }}");
        assert_eq!(unknown.len(), 2);
        assert!(unknown[1].1.contains("{{password}}"));
        assert!(!problems("x", "{{session_url").is_empty());
    }

    #[test]
    fn render_substitutes_known_placeholders() {
        let text = render(
            "Dear {{applicant_name}}, open {{ session_url }} before {{link_expires_at}}. {{company_name}}",
            &values(),
        );
        assert_eq!(
            text,
            "Dear Ana, open https://kyc.test/v/abc before 24 November 2026, 18:00 UTC. Acme"
        );
    }

    #[test]
    fn expiry_is_in_the_applicants_language() {
        let at = DateTime::parse_from_rfc3339("2026-11-24T18:05:00Z")
            .expect("date")
            .with_timezone(&Utc);
        assert_eq!(format_expiry(at, "en"), "24 November 2026, 18:05 UTC");
        assert_eq!(format_expiry(at, "fr"), "24 novembre 2026, 18:05 UTC");
        assert_eq!(format_expiry(at, "de"), "24. November 2026, 18:05 UTC");
        assert_eq!(format_expiry(at, "es"), "24 de noviembre de 2026, 18:05 UTC");
        assert_eq!(format_expiry(at, "pt"), "24 de novembro de 2026, 18:05 UTC");
        let first = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .expect("date")
            .with_timezone(&Utc);
        assert_eq!(format_expiry(first, "fr"), "1er décembre 2026, 09:00 UTC");
        assert_eq!(format_expiry(at, "xx"), "24 November 2026, 18:05 UTC");
    }
}
