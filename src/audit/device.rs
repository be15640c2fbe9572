//! The browser and system an event came from, in words an officer reads at
//! a glance ("Chrome 142 on Android") rather than the raw user-agent string,
//! which stays on the page as the element's title for whoever needs it.

use std::sync::LazyLock;

/// One parser for the process: building it is free, but it is shared anyway.
static PARSER: LazyLock<woothee::parser::Parser> = LazyLock::new(woothee::parser::Parser::new);

/// What woothee answers for a part it could not recognise.
const UNKNOWN: &str = "UNKNOWN";

/// The longest fallback shown for a user agent no parser knows.
const MAX_FALLBACK_CHARS: usize = 40;

/// `user_agent` in a few words: the browser with its major version and the
/// system it runs on, when they are recognised; otherwise the string's first
/// product token (an API client's `name/version`), shortened. Empty in,
/// empty out.
pub fn describe(user_agent: &str) -> String {
    let user_agent = user_agent.trim();
    if user_agent.is_empty() {
        return String::new();
    }
    let known = |s: &str| !s.is_empty() && s != UNKNOWN;
    if let Some(found) = PARSER.parse(user_agent).filter(|r| known(r.name)) {
        let major = found.version.split('.').next().filter(|v| known(v));
        let browser = match major {
            Some(major) => format!("{} {major}", found.name),
            None => found.name.to_string(),
        };
        return if known(found.os) {
            format!("{browser} on {}", found.os)
        } else {
            browser
        };
    }
    let token = user_agent.split_whitespace().next().unwrap_or(user_agent);
    match token.char_indices().nth(MAX_FALLBACK_CHARS) {
        Some((cut, _)) => format!("{}…", &token[..cut]),
        None => token.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn common_browsers_read_as_browser_version_and_system() {
        assert_eq!(
            describe(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/142.0.0.0 Safari/537.36"
            ),
            "Chrome 142 on Windows 10"
        );
        assert_eq!(
            describe("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
            "Firefox 133 on Linux"
        );
        let iphone = describe(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
             (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        );
        assert!(iphone.starts_with("Safari 17 on iPhone"), "{iphone}");
    }

    #[test]
    fn unknown_clients_show_their_first_token_shortened() {
        assert_eq!(
            describe("veridesk-sync/2.1 (+https://example.test)"),
            "veridesk-sync/2.1"
        );
        assert_eq!(describe(&"x".repeat(60)), format!("{}…", "x".repeat(40)));
        assert_eq!(describe("  "), "");
    }
}
