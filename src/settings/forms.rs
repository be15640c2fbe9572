//! Company settings form parsing.

use super::queries::SettingsUpdate;
use crate::domain::EmailAddress;
use crate::web::FormErrors;
use serde::Deserialize;

/// The largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// Parses a company name: 1–120 characters, none that cannot be shown
/// or that reorder the text around it (emails to applicants show it).
pub fn parse_company_name(input: &str) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() {
        return Err("Enter the company name.".into());
    }
    if name.chars().count() > 120 {
        return Err("Keep the company name to 120 characters or fewer.".into());
    }
    crate::domain::check_label(name, "The company name")?;
    Ok(name.to_string())
}

/// Parses a brand colour like `#2f5bea` (also accepts `2F5BEA`).
pub fn parse_colour(input: &str) -> Result<String, String> {
    let hex = input.trim().trim_start_matches('#').to_lowercase();
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("“{}” is not a colour like #2f5bea.", input.trim()));
    }
    // Applicants read the brand colour on white (the timer, links,
    // buttons' text): WCAG asks 3:1 at least for such text and controls.
    let contrast = contrast_with_white(&hex);
    if contrast < 3.0 {
        return Err(format!(
            "#{hex} is too light to read on white ({contrast:.1}:1); choose a darker colour, with at least 3:1."
        ));
    }
    Ok(format!("#{hex}"))
}

/// The WCAG contrast ratio of a 6-digit hex colour against white.
fn contrast_with_white(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    1.05 / (luminance + 0.05)
}

/// POST /settings/company, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct SettingsForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub sender_name: String,
    #[serde(default)]
    pub brand_colour: String,
    /// When the settings shown were last saved: a save over a later one is
    /// refused instead of undoing it. Empty (a script's) means no check.
    #[serde(default)]
    pub seen: String,
    /// The values as the form first showed them (see
    /// [`crate::web::forms::merge_after_conflict`]).
    #[serde(default)]
    pub shown: String,
    /// The contact address as stored: it passes as it is (see
    /// [`EmailAddress::parse_public_or_kept`]). Never read from the form.
    #[serde(skip)]
    pub contact_email_kept: Option<String>,
}

impl SettingsForm {
    /// The form for the settings as stored, `seen` at `saved_at`.
    pub fn of(current: &super::queries::CompanySettings, seen: String) -> Self {
        let mut form = Self {
            name: current.name.clone(),
            address: current.address.clone(),
            contact_email: current.contact_email.clone(),
            sender_name: current.sender_name.clone(),
            brand_colour: current.brand_colour.clone(),
            seen,
            shown: String::new(),
            contact_email_kept: Some(current.contact_email.clone()),
        };
        form.shown = crate::web::forms::shown_values(form.fields());
        form
    }

    fn fields(&self) -> [(&'static str, &String); 5] {
        [
            ("name", &self.name),
            ("address", &self.address),
            ("contact_email", &self.contact_email),
            ("sender_name", &self.sender_name),
            ("brand_colour", &self.brand_colour),
        ]
    }

    /// After someone else saved `now` meanwhile: their changes where this
    /// form was left as shown, what was typed elsewhere, and a message by
    /// each field both changed. Ready to be saved over `now`.
    pub fn merged_with(mut self, now: &SettingsForm, errors: &mut FormErrors) -> Self {
        let theirs: std::collections::BTreeMap<&str, String> =
            now.fields().into_iter().map(|(k, v)| (k, v.clone())).collect();
        let shown = std::mem::take(&mut self.shown);
        let typed = [
            ("name", &mut self.name),
            ("address", &mut self.address),
            ("contact_email", &mut self.contact_email),
            ("sender_name", &mut self.sender_name),
            ("brand_colour", &mut self.brand_colour),
        ];
        crate::web::forms::merge_after_conflict(typed, &shown, &theirs, errors, |_, v| {
            if v.is_empty() {
                "(empty)".to_string()
            } else {
                format!("“{v}”")
            }
        });
        self.seen.clone_from(&now.seen);
        self.shown.clone_from(&now.shown);
        self
    }

    /// Checks every field; errors are keyed by field.
    pub fn parse(&self) -> Result<SettingsUpdate, FormErrors> {
        let mut errors = FormErrors::new();
        let name = errors.check("name", parse_company_name(&self.name));
        let address = self.address.trim().to_string();
        if address.chars().count() > 500 {
            errors.add("address", "Keep the address to 500 characters or fewer.");
        }
        errors.check("address", crate::domain::check_text(&address, "The address"));
        let contact_email = if self.contact_email.trim().is_empty() {
            Some(String::new())
        } else {
            errors.check(
                "contact_email",
                EmailAddress::parse_public_or_kept(&self.contact_email, self.contact_email_kept.as_deref())
                    .map(|e| e.as_str().to_string()),
            )
        };
        let sender_name = self.sender_name.trim();
        if sender_name.is_empty() {
            errors.add("sender_name", "Enter the name emails come from.");
        } else if sender_name.chars().count() > 80
            || sender_name
                .chars()
                .any(|c| c.is_control() || c == '"' || c == '<' || c == '>')
        {
            errors.add(
                "sender_name",
                "Use up to 80 characters, without quotes or angle brackets.",
            );
        } else {
            errors.check(
                "sender_name",
                crate::domain::check_label(sender_name, "The sender name"),
            );
        }
        let brand_colour = errors.check("brand_colour", parse_colour(&self.brand_colour));
        match (name, contact_email, brand_colour) {
            (Some(name), Some(contact_email), Some(brand_colour)) if errors.is_empty() => Ok(SettingsUpdate {
                name,
                address,
                contact_email,
                sender_name: sender_name.to_string(),
                brand_colour,
            }),
            _ => Err(errors),
        }
    }
}

/// The content type of an accepted logo image, from its bytes (never from
/// the file name or the browser's claim). SVG is refused: it can carry script.
pub fn logo_content_type(bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.is_empty() {
        return Err("Choose an image file to upload.".into());
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(format!(
            "The logo is {} KB; the limit is {} KB.",
            bytes.len() / 1024,
            MAX_LOGO_BYTES / 1024
        ));
    }
    let content_type = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Png) => "image/png",
        Ok(imagesize::ImageType::Jpeg) => "image/jpeg",
        Ok(imagesize::ImageType::Gif) => "image/gif",
        Ok(imagesize::ImageType::Webp) => "image/webp",
        _ => return Err("Upload a PNG, JPEG, GIF or WebP image.".into()),
    };
    match imagesize::blob_size(bytes) {
        Ok(size) if size.width > 0 && size.height > 0 && size.width <= 4000 && size.height <= 4000 => Ok(content_type),
        // A header that claims no size at all is no picture.
        Ok(size) if size.width == 0 || size.height == 0 => Err("The image file is damaged or incomplete.".into()),
        Ok(_) => Err("The image must be at most 4000 × 4000 pixels.".into()),
        Err(_) => Err("The image file is damaged or incomplete.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_without_a_picture_is_damaged() {
        let mut gif = b"GIF89a".to_vec();
        gif.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            logo_content_type(&gif),
            Err("The image file is damaged or incomplete.".into())
        );
    }

    #[test]
    fn colours() {
        assert!(
            parse_colour("#ffffff")
                .unwrap_err()
                .contains("too light to read on white (1.0:1)")
        );
        assert!(parse_colour("#ffd700").is_err(), "gold on white");
        assert_eq!(parse_colour("#1a7f45").unwrap(), "#1a7f45");
        assert_eq!(parse_colour("#2F5BEA").unwrap(), "#2f5bea");
        assert_eq!(parse_colour("2f5bea").unwrap(), "#2f5bea");
        assert!(parse_colour("blue").is_err());
        assert!(parse_colour("#12345").is_err());
    }

    #[test]
    fn names_refuse_characters_that_reorder_text() {
        assert_eq!(parse_company_name(" Acme Ltd ").unwrap(), "Acme Ltd");
        assert!(parse_company_name("Acme\u{202E}dtL").is_err());
        assert!(parse_company_name("Acme\u{2066}Ltd\u{2069}").is_err());
        let form = SettingsForm {
            name: "Acme".into(),
            address: "1 Main St\r\nSpringfield\u{7}".into(),
            sender_name: "Acme\u{202E} KYC".into(),
            brand_colour: "#2f5bea".into(),
            ..SettingsForm::default()
        };
        let Err(errors) = form.parse() else {
            panic!("refused");
        };
        assert!(errors.get("sender_name").is_some_and(|m| m.contains("U+202E")));
        assert!(errors.get("address").is_some_and(|m| m.contains("U+0007")));
    }

    #[test]
    fn logos_are_checked_by_content() {
        assert!(logo_content_type(b"").is_err());
        assert!(logo_content_type(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>").is_err());
        assert!(logo_content_type(&vec![0u8; MAX_LOGO_BYTES + 1]).is_err());
    }
}
