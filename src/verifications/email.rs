//! The email that carries a verification link: text and HTML bodies from
//! the officer's text with placeholders filled in.

use crate::email_templates::placeholders::{self, Values};
use crate::email_templates::wording;
use crate::error::AppError;
use crate::outbox::Email;
use askama::Template;

/// A run of text in the HTML body, either plain or the link.
pub struct Segment {
    pub text: String,
    pub link: bool,
}

/// What the shared email layout shows in its footer, in the email's language.
struct Footer {
    lang: &'static str,
    sent_on_behalf_of: String,
}

#[derive(Template)]
#[template(path = "email/session_link/body.html")]
struct Html {
    e: Footer,
    paragraphs: Vec<Vec<Segment>>,
}

/// Splits rendered text into paragraphs, marking where the link stands so
/// the HTML version can make it clickable (everything else is escaped).
fn paragraphs(text: &str, url: &str) -> Vec<Vec<Segment>> {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let mut segments = Vec::new();
            let mut rest = p;
            while let Some(at) = rest.find(url) {
                if at > 0 {
                    segments.push(Segment {
                        text: rest[..at].to_string(),
                        link: false,
                    });
                }
                segments.push(Segment {
                    text: url.to_string(),
                    link: true,
                });
                rest = &rest[at + url.len()..];
            }
            if !rest.is_empty() {
                segments.push(Segment {
                    text: rest.to_string(),
                    link: false,
                });
            }
            segments
        })
        .collect()
}

/// The outbox kind of a verification link's email.
pub const KIND: &str = "session_link";

/// Renders the link email; its footer is in the applicant's `language`.
pub fn compose(
    to: &str,
    cc: &[String],
    subject: &str,
    body: &str,
    values: &Values,
    language: &str,
) -> Result<Email, AppError> {
    // A browser sends a textarea's line breaks as CRLF: as LF, the blank
    // lines between paragraphs split the HTML into paragraphs too.
    let written = placeholders::render(&body.replace("\r\n", "\n"), values);
    let footer = wording::sent_on_behalf_of(language, &values.company_name);
    let html = Html {
        paragraphs: paragraphs(&written, &values.session_url),
        e: Footer {
            lang: wording::language_of(language),
            sent_on_behalf_of: footer.clone(),
        },
    }
    .render()?;
    // The text part ends with the footer too, after the signature
    // separator mail programs recognise ("-- ").
    let text = format!("{written}\n\n-- \n{footer}");
    Ok(Email {
        kind: KIND,
        to: to.to_string(),
        cc: cc.to_vec(),
        subject: placeholders::render(subject, values),
        text,
        html,
        applicant: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_links_the_url_and_escapes_the_rest() {
        let values = Values {
            session_url: "https://kyc.test/v/abc".into(),
            applicant_name: "<b>Ana</b>".into(),
            link_expires_at: "soon".into(),
            company_name: "Acme".into(),
            ..Values::default()
        };
        let email = compose(
            "a@b.test",
            &[],
            "Hi {{applicant_name}}",
            "Dear {{applicant_name}},\n\nOpen {{session_url}} now.",
            &values,
            "en",
        )
        .expect("email");
        assert_eq!(email.subject, "Hi <b>Ana</b>");
        assert!(
            email.html.contains("&#60;b&#62;Ana") || email.html.contains("&lt;b&gt;Ana"),
            "{}",
            email.html
        );
        assert!(email.html.contains("href=\"https://kyc.test/v/abc\""));
        assert!(email.text.contains("Open https://kyc.test/v/abc now."));
        assert!(
            email.text.ends_with("\n\n-- \nSent by Veridesk on behalf of Acme."),
            "{}",
            email.text
        );
        assert!(
            email.html.contains("<html lang=\"en\">") && email.html.contains("Sent by Veridesk on behalf of Acme.")
        );
    }

    #[test]
    fn paragraphs_typed_in_a_browser_stay_paragraphs() {
        let values = Values {
            session_url: "https://kyc.test/v/abc".into(),
            company_name: "Acme".into(),
            ..Values::default()
        };
        let email = compose(
            "a@b.test",
            &[],
            "Hi",
            "Hello,\r\n\r\nOpen {{session_url}}\r\n\r\nThanks.",
            &values,
            "en",
        )
        .expect("email");
        assert_eq!(
            email.html.matches("<p style=\"white-space:pre-line\">").count(),
            3,
            "{}",
            email.html
        );
        assert!(!email.text.contains('\r'), "{}", email.text);
    }

    #[test]
    fn the_footer_is_in_the_applicants_language() {
        let values = Values {
            session_url: "https://kyc.test/v/abc".into(),
            company_name: "Acme".into(),
            ..Values::default()
        };
        let email = compose("a@b.test", &[], "Hallo", "Los: {{session_url}}", &values, "de").expect("email");
        assert!(
            email.html.contains("<html lang=\"de\">")
                && email.html.contains("Gesendet von Veridesk im Auftrag von Acme."),
            "{}",
            email.html
        );
    }
}
