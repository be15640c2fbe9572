//! HTML escaping for templates: askama's own, after a quick check.
//!
//! askama's HTML escaper reads text a byte at a time, and escaping was about
//! a twentieth of a list page's work. Most text in our pages (names, emails,
//! ids, dates) holds none of the five characters it escapes, so [`Html`]
//! first checks for them sixteen bytes at a time, which the compiler turns
//! into vector instructions, and writes such text whole. Text that holds one
//! goes to askama's escaper, so the output is askama's in every case.
//! `askama.toml` makes this the escaper of `.html` templates.

use askama::filters::Escaper;
use std::fmt;

/// The escaper `askama.toml` names for `.html` templates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl Escaper for Html {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, text: &str) -> fmt::Result {
        if has_nothing_to_escape(text) {
            dest.write_str(text)
        } else {
            askama::filters::Html.write_escaped_str(dest, text)
        }
    }
}

/// Whether `text` holds none of the characters HTML escaping replaces.
fn has_nothing_to_escape(text: &str) -> bool {
    // A fold over each chunk, with no early exit inside it, vectorises.
    text.as_bytes().chunks(16).all(|chunk| {
        chunk.iter().fold(true, |clean, &b| {
            clean & !matches!(b, b'"' | b'&' | b'\'' | b'<' | b'>')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(text: &str) -> String {
        let mut out = String::new();
        Html.write_escaped_str(&mut out, text).unwrap();
        out
    }

    fn askamas(text: &str) -> String {
        let mut out = String::new();
        askama::filters::Html.write_escaped_str(&mut out, text).unwrap();
        out
    }

    #[test]
    fn writes_what_askama_writes() {
        let mut samples: Vec<String> = [
            "",
            "Matteo Okonkwo",
            "matteo.okonkwo56110@example.com",
            "<script>alert('x')</script>",
            "Fish & Chips \"Ltd\"",
            "Zoë Łukasiewicz — 東京",
            "a very long text without anything to escape in it at all, well past sixteen bytes",
            "a very long text with one ampersand & right in the middle of the second chunk",
            "ends with a quote'",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every ASCII character, alone and at every place in a chunk.
        for b in 0u8..128 {
            let c = char::from(b);
            samples.push(c.to_string());
            for at in 0..20 {
                let mut s = "x".repeat(at);
                s.push(c);
                s.push_str("yz");
                samples.push(s);
            }
        }
        for s in &samples {
            assert_eq!(ours(s), askamas(s), "{s:?}");
        }
        assert_eq!(ours("<b>&"), "&#60;b&#62;&#38;");
    }
}
