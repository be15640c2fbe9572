//! Email addresses as members and applicants type them.

/// A syntactically valid email address, trimmed and lower-cased so that
/// uniqueness checks and sign-in do not depend on capitalisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses user input, with a message fit to show next to the field.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("Enter an email address.".into());
        }
        if trimmed.len() > 254 {
            return Err("That email address is too long.".into());
        }
        let lowered = trimmed.to_lowercase();
        let options = email_address::Options::default().without_display_text();
        match email_address::EmailAddress::parse_with_options(&lowered, options) {
            Ok(_) if lowered.contains('@') && !lowered.ends_with('@') && deliverable(&lowered) => Ok(Self(lowered)),
            _ => Err(format!("“{trimmed}” is not a valid email address.")),
        }
    }

    /// Parses an address mail must reach across the internet (an
    /// applicant's, a cc's, the company's contact): its domain needs a dot.
    /// `someone@gmail` is valid syntax and deliverable on an intranet, but
    /// typed for an applicant it is a typo that would only fail in the
    /// outbox. Members' addresses stay lenient (a team may sign in with an
    /// internal domain, and the same rule must let them in).
    pub fn parse_public(input: &str) -> Result<Self, String> {
        let address = Self::parse(input)?;
        let domain = address.0.rsplit_once('@').map_or("", |(_, d)| d);
        if !domain.contains('.') || domain.ends_with('.') {
            return Err(format!(
                "“{}” has no domain ending such as .com: check the part after the @.",
                input.trim()
            ));
        }
        Ok(address)
    }

    /// As [`Self::parse_public`], but an address already stored (`kept`)
    /// passes as it is: a record saved before the rule can still be edited
    /// in its other fields.
    pub fn parse_public_or_kept(input: &str, kept: Option<&str>) -> Result<Self, String> {
        match Self::parse(input) {
            Ok(address) if kept == Some(address.as_str()) => Ok(address),
            _ => Self::parse_public(input),
        }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether the mailer can send to `address`. RFC 5322 allows more than it
/// does (quoted local parts such as `"a b"@example.com`, domain literals
/// such as `a@[127.0.0.1]`); an address it cannot write would only fail in
/// the outbox, after the form was accepted. The outbox reads a recipient as
/// a [`lettre::message::Mailbox`], so that is the test, besides
/// [`lettre::Address`]: the mailbox must be the bare address, whole.
fn deliverable(address: &str) -> bool {
    address.parse::<lettre::Address>().is_ok()
        && address
            .parse::<lettre::message::Mailbox>()
            .is_ok_and(|m| m.name.is_none() && AsRef::<str>::as_ref(&m.email) == address)
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(
            EmailAddress::parse("  Ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
    }

    #[test]
    fn public_addresses_need_a_domain_with_a_dot() {
        assert!(
            EmailAddress::parse("someone@gmail").is_ok(),
            "an intranet address for members"
        );
        assert_eq!(
            EmailAddress::parse_public(" someone@gmail "),
            Err("“someone@gmail” has no domain ending such as .com: check the part after the @.".into())
        );
        assert!(EmailAddress::parse_public("someone@gmail.").is_err());
        assert!(EmailAddress::parse_public_or_kept("Someone@gmail", Some("someone@gmail")).is_ok());
        assert!(EmailAddress::parse_public_or_kept("other@gmail", Some("someone@gmail")).is_err());
        assert_eq!(
            EmailAddress::parse_public("Ana@Mail.Example.COM").map(|a| a.to_string()),
            Ok("ana@mail.example.com".into())
        );
    }

    #[test]
    fn refuses_garbage() {
        assert!(EmailAddress::parse("").is_err());
        assert!(EmailAddress::parse("not-an-email").is_err());
        assert!(EmailAddress::parse("a@").is_err());
        assert!(EmailAddress::parse("Ana <ana@example.com>").is_err());
    }

    #[test]
    fn refuses_what_the_mailer_cannot_send() {
        for undeliverable in [
            "\"a b\"@example.com",
            "\"ana\"@example.com",
            "a@[127.0.0.1]",
            "a@[IPv6:::1]",
        ] {
            assert_eq!(
                EmailAddress::parse(undeliverable),
                Err(format!("“{undeliverable}” is not a valid email address.")),
                "{undeliverable}"
            );
        }
        for fine in [
            "ana.lima+kyc@example.com",
            "o'brien@example.co.uk",
            "zoë@bücher.example",
        ] {
            assert!(EmailAddress::parse(fine).is_ok(), "{fine}");
        }
    }
}
