//! People's names and time zones.

/// A display name: trimmed, 1–100 characters, no control characters and
/// nothing that reorders the text shown around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    /// Parses user input, with a message fit to show next to the field.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("Enter a name.".into());
        }
        if trimmed.chars().count() > 100 {
            return Err("Keep the name to 100 characters or fewer.".into());
        }
        super::check_label(trimmed, "The name")?;
        Ok(Self(trimmed.to_string()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses an IANA time zone name such as `Europe/Paris`.
pub fn parse_time_zone(input: &str) -> Result<chrono_tz::Tz, String> {
    input.trim().parse::<chrono_tz::Tz>().map_err(|_| {
        format!(
            "“{}” is not a known time zone (for example Europe/Paris).",
            input.trim()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(PersonName::parse("  Ana Lima ").unwrap().as_str(), "Ana Lima");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert!(PersonName::parse("bad\u{0007}").is_err());
        assert!(
            PersonName::parse("Ana \u{202E}amiL").is_err(),
            "a right-to-left override"
        );
        assert!(
            PersonName::parse("Ana\u{2067} Lima").is_err(),
            "a right-to-left isolate"
        );
        assert!(PersonName::parse("Ana\u{200F}").is_err(), "a right-to-left mark");
        assert_eq!(PersonName::parse("عمر الفاروق").unwrap().as_str(), "عمر الفاروق");
    }

    #[test]
    fn zones() {
        assert!(parse_time_zone("Europe/Paris").is_ok());
        assert!(parse_time_zone("Mars/Olympus").is_err());
    }
}
