//! Characters that typed text must not hold: control characters, which
//! nothing shows (a bell, an escape sequence), and the invisible characters
//! that change the order in which the text around them is shown.
//!
//! A right-to-left override (U+202E) typed into a name shows the rest of
//! it backwards, in the list, the profile and email subjects, so what is
//! shown is not what is stored or searched; it also runs on into whatever
//! is shown after it. A name or an id has no use for one.

/// A character that typed text may not hold, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unshowable {
    /// A control character (Unicode category Cc: C0, DEL, C1).
    Control(char),
    /// A character that reorders the text shown around it.
    Reordering(char),
    /// A character that shows as nothing at all, so that two labels that
    /// differ only by it look the same.
    Invisible(char),
}

impl Unshowable {
    /// A message for the field, naming the character by its code point
    /// (it cannot be seen) and `what` holds it ("The name").
    pub fn message(&self, what: &str) -> String {
        match self {
            Self::Control(c) => format!(
                "{what} contains a control character (U+{:04X}) that cannot be shown; remove it.",
                u32::from(*c)
            ),
            Self::Reordering(c) => format!(
                "{what} contains an invisible character (U+{:04X}) that changes the order in which text is shown; remove it.",
                u32::from(*c)
            ),
            Self::Invisible(c) => format!(
                "{what} contains an invisible character (U+{:04X}) that would make it look like another; remove it.",
                u32::from(*c)
            ),
        }
    }
}

/// Whether `c` changes the order or direction in which the text around it
/// is shown: the Unicode `Bidi_Control` characters (the Arabic letter mark,
/// the left-to-right and right-to-left marks, embeddings, overrides and
/// isolates) and the deprecated format characters U+206A–U+206F, which
/// change how neighbouring text is shaped and mirrored.
///
/// Zero-width joiners and non-joiners (U+200C, U+200D) are not among them:
/// Persian and Indic names need them, and they reorder nothing.
pub fn reorders_text(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{206F}'
    )
}

/// Whether `c` shows as nothing and joins or separates nothing a script
/// needs: the zero-width space, the word joiner and the invisible
/// operators, the byte order mark, the Mongolian vowel separator, the
/// Hangul fillers and the tag characters. In a name or an id they only
/// make two that differ look alike.
pub fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// The first character a one-line label (a name, an id, a key) may not
/// hold: any control character, tabs and line breaks included (also the
/// Unicode line and paragraph separators, which are not controls), any
/// character that reorders text, and any that shows as nothing.
pub fn unshowable_in_label(text: &str) -> Option<Unshowable> {
    text.chars().find_map(|c| {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            Some(Unshowable::Control(c))
        } else if reorders_text(c) {
            Some(Unshowable::Reordering(c))
        } else if invisible(c) {
            Some(Unshowable::Invisible(c))
        } else {
            None
        }
    })
}

/// The first control character free text (a comment, a message) may not
/// hold: all but line feeds, carriage returns that end a line (browsers
/// send a textarea's lines ending in CR LF) and tabs.
pub fn unshowable_in_text(text: &str) -> Option<Unshowable> {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let line_end = c == '\r' && chars.peek() == Some(&'\n');
        if c.is_control() && c != '\n' && c != '\t' && !line_end {
            return Some(Unshowable::Control(c));
        }
    }
    None
}

/// Checks free text, with a message naming `what` holds it.
pub fn check_text(text: &str, what: &str) -> Result<(), String> {
    match unshowable_in_text(text) {
        Some(found) => Err(found.message(what)),
        None => Ok(()),
    }
}

/// Checks a one-line label, with a message naming `what` holds it.
pub fn check_label(text: &str, what: &str) -> Result<(), String> {
    match unshowable_in_label(text) {
        Some(found) => Err(found.message(what)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_refuse_controls_and_reordering_characters() {
        assert_eq!(unshowable_in_label("Ana Lima"), None);
        assert_eq!(
            unshowable_in_label("مریم\u{200C}خانی"),
            None,
            "a zero-width non-joiner is part of Persian spelling"
        );
        assert_eq!(
            unshowable_in_label("👩\u{200D}💻 Lab"),
            None,
            "a zero-width joiner builds emoji"
        );
        assert_eq!(unshowable_in_label("עברית ו-English"), None);
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
            '\u{200E}', '\u{200F}', '\u{061C}', '\u{206E}',
        ] {
            assert_eq!(
                unshowable_in_label(&format!("Ana{c} Lima")),
                Some(Unshowable::Reordering(c)),
                "U+{:04X}",
                u32::from(c)
            );
        }
        for c in ['\u{200B}', '\u{2060}', '\u{FEFF}', '\u{3164}', '\u{E0041}'] {
            assert_eq!(
                unshowable_in_label(&format!("Ana{c} Lima")),
                Some(Unshowable::Invisible(c)),
                "U+{:04X}",
                u32::from(c)
            );
        }
        for c in [
            '\u{0007}', '\u{001B}', '\t', '\n', '\u{007F}', '\u{0085}', '\u{009B}', '\u{2028}', '\u{2029}',
        ] {
            assert_eq!(unshowable_in_label(&format!("Ana{c}")), Some(Unshowable::Control(c)));
        }
    }

    #[test]
    fn text_keeps_lines_and_tabs() {
        assert_eq!(unshowable_in_text("one\r\ntwo\nthree\tfour"), None);
        assert_eq!(
            unshowable_in_text("مرحبا \u{200F}(1)"),
            None,
            "free text may mark its direction"
        );
        for c in ['\u{0007}', '\u{001B}', '\u{0000}', '\u{007F}', '\u{0085}', '\u{009B}'] {
            assert_eq!(unshowable_in_text(&format!("a{c}b")), Some(Unshowable::Control(c)));
        }
        assert_eq!(
            unshowable_in_text("a\rb"),
            Some(Unshowable::Control('\r')),
            "a carriage return alone ends no line"
        );
    }

    #[test]
    fn messages_name_the_character() {
        assert_eq!(
            check_label("x\u{202E}", "The name"),
            Err("The name contains an invisible character (U+202E) that changes the order in which text is shown; remove it.".into())
        );
        assert_eq!(
            check_text("x\u{1B}[31m", "The comment"),
            Err("The comment contains a control character (U+001B) that cannot be shown; remove it.".into())
        );
    }
}
