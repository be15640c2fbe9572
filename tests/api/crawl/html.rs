//! Reading our own pages as a browser would: links, forms and what each
//! form sends, and the markup problems a screen reader trips on. Regular
//! expressions suffice because the pages are ours (askama templates with
//! double-quoted attributes).

use regex::Regex;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

static FORM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?is)<form\b([^>]*)>(.*?)</form>").expect("regex"));
static ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?s)([a-zA-Z][-a-zA-Z0-9_:]*)(?:\s*=\s*"([^"]*)")?"#).expect("regex"));
static CONTROL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<textarea\b([^>]*)>(.*?)</textarea>|<select\b([^>]*)>(.*?)</select>|<(input|button)\b([^>]*)>")
        .expect("regex")
});
static OPTION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?is)<option\b([^>]*)>").expect("regex"));
static LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\s(?:href|src)="(/[^"]*)""#).expect("regex"));
pub static ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").expect("regex"));

/// A tag's attributes, names in lower case, values decoded; a bare
/// attribute (`checked`) has an empty value.
pub fn attrs(text: &str) -> HashMap<String, String> {
    ATTR.captures_iter(text)
        .map(|c| {
            let value = c.get(2).map_or(String::new(), |v| unescape(v.as_str()));
            (c[1].to_ascii_lowercase(), value)
        })
        .collect()
}

/// Decodes the entities askama writes (`&#60;` for `<`, and so on) and the
/// named ones, in one pass, so `&#38;lt;` stays `&lt;`.
pub fn unescape(s: &str) -> String {
    static ENTITY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"&(?:#(x?)([0-9a-fA-F]+)|(quot|lt|gt|amp|apos));").expect("regex"));
    ENTITY
        .replace_all(s, |c: &regex::Captures| match c.get(3).map(|m| m.as_str()) {
            Some("quot") => "\"".to_string(),
            Some("lt") => "<".to_string(),
            Some("gt") => ">".to_string(),
            Some("amp") => "&".to_string(),
            Some(_) => "'".to_string(),
            None => {
                let radix = if c[1].is_empty() { 10 } else { 16 };
                u32::from_str_radix(&c[2], radix)
                    .ok()
                    .and_then(char::from_u32)
                    .map(String::from)
                    .unwrap_or_default()
            }
        })
        .into_owned()
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// Hidden, or the button pressed: sent as the page gave it.
    Kept,
    /// Free text a person types (a text box or area): a refused form must
    /// show it again.
    Typed,
    /// An email address box: typed too, but only an address is valid.
    Email,
    /// A box not ticked: a browser does not send it.
    Unticked,
    /// A choice made (a ticked box, a select's option), a number, a date,
    /// a password or a file.
    Other,
}

/// A form as a page shows it.
#[derive(Clone, Debug)]
pub struct Form {
    /// The page it was found on, to fetch it again for fresh hidden values.
    pub page: String,
    pub action: String,
    pub post: bool,
    /// Sent as `multipart/form-data` (a file upload).
    pub multipart: bool,
    /// Has a submit button that is not disabled: a person can send it.
    pub sendable: bool,
    /// Its fields sit in a disabled fieldset: shown read-only.
    pub locked: bool,
    /// Name, the value the page gave it, and what kind of field it is.
    pub fields: Vec<(String, String, Kind)>,
}

impl Form {
    /// Forms with the same key are the same form on another record.
    pub fn key(&self) -> (String, BTreeSet<String>, bool) {
        let names = self.fields.iter().map(|(n, _, _)| n.clone()).collect();
        (shape(&self.action), names, self.sendable)
    }

    /// What a browser sends when the form is submitted untouched, less the
    /// CSRF token.
    pub fn as_found(&self) -> Vec<(String, String)> {
        self.filled(|_, value, _| Some(value.to_string()))
    }

    /// The form as sent with `fill` choosing each field's value (`None`
    /// leaves it out); unticked boxes and the CSRF token are never sent.
    pub fn filled(&self, fill: impl Fn(&str, &str, Kind) -> Option<String>) -> Vec<(String, String)> {
        self.fields
            .iter()
            .filter(|(n, _, kind)| n != "csrf_token" && *kind != Kind::Unticked)
            .filter_map(|(n, v, kind)| fill(n, v, *kind).map(|value| (n.clone(), value)))
            .collect()
    }

    /// The names of its text fields.
    pub fn typed(&self) -> BTreeSet<&str> {
        self.fields
            .iter()
            .filter(|(_, _, k)| matches!(k, Kind::Typed | Kind::Email))
            .map(|(n, _, _)| n.as_str())
            .collect()
    }

    /// The value the page gave field `name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v.as_str())
    }
}

/// The forms on `page`, reached at `path`.
pub fn forms_in(path: &str, page: &str) -> Vec<Form> {
    FORM.captures_iter(page)
        .map(|c| {
            let tag = attrs(&c[1]);
            let fields = controls(&c[2]);
            let sendable = CONTROL.captures_iter(&c[2]).any(|b| {
                let (Some(tag), Some(a)) = (b.get(5), b.get(6)) else {
                    return false;
                };
                let a = attrs(a.as_str());
                let kind = a.get("type").map(|t| t.to_ascii_lowercase()).unwrap_or_default();
                let submits = if tag.as_str().eq_ignore_ascii_case("button") {
                    kind != "button" && kind != "reset"
                } else {
                    kind == "submit"
                };
                submits && !a.contains_key("disabled")
            });
            static LOCKED: LazyLock<Regex> =
                LazyLock::new(|| Regex::new(r"(?i)<fieldset\b[^>]*\sdisabled\b").expect("regex"));
            Form {
                page: path.to_string(),
                action: tag.get("action").cloned().unwrap_or_else(|| path.to_string()),
                post: tag.get("method").is_some_and(|m| m.eq_ignore_ascii_case("post")),
                multipart: tag
                    .get("enctype")
                    .is_some_and(|e| e.eq_ignore_ascii_case("multipart/form-data")),
                sendable,
                locked: LOCKED.is_match(&c[2]),
                fields,
            }
        })
        .collect()
}

/// A form's controls as (name, value, kind), in page order. A box sends
/// only when ticked; a select its chosen option (else its first); only the
/// first submit button is pressed, and it sends its value if it has a name.
fn controls(form: &str) -> Vec<(String, String, Kind)> {
    let mut out = Vec::new();
    let mut pressed = false;
    for c in CONTROL.captures_iter(form) {
        if let (Some(a), Some(text)) = (c.get(1), c.get(2)) {
            if let Some(name) = attrs(a.as_str()).remove("name") {
                out.push((name, unescape(text.as_str()), Kind::Typed));
            }
        } else if let (Some(a), Some(options)) = (c.get(3), c.get(4)) {
            if let Some(name) = attrs(a.as_str()).remove("name") {
                let options: Vec<_> = OPTION.captures_iter(options.as_str()).map(|o| attrs(&o[1])).collect();
                let chosen = options.iter().find(|o| o.contains_key("selected")).or(options.first());
                let value = chosen.and_then(|o| o.get("value").cloned()).unwrap_or_default();
                out.push((name, value, Kind::Other));
            }
        } else if let (Some(tag), Some(a)) = (c.get(5), c.get(6)) {
            let a = attrs(a.as_str());
            let kind = a.get("type").map(|t| t.to_ascii_lowercase()).unwrap_or_default();
            let button = tag.as_str().eq_ignore_ascii_case("button");
            if (button && kind != "button" && kind != "reset") || kind == "submit" {
                let first = !pressed && !a.contains_key("disabled");
                pressed |= first;
                if let (true, Some(name)) = (first, a.get("name")) {
                    out.push((name.clone(), a.get("value").cloned().unwrap_or_default(), Kind::Kept));
                }
                continue;
            }
            if button || kind == "button" || kind == "reset" {
                // Sends nothing: works in the page only (a preview, say).
                continue;
            }
            let Some(name) = a.get("name").cloned() else { continue };
            let is_box = kind == "checkbox" || kind == "radio";
            let value = a
                .get("value")
                .cloned()
                .unwrap_or_else(|| if is_box { "on".into() } else { String::new() });
            let kind = match kind.as_str() {
                "hidden" => Kind::Kept,
                "" | "text" | "tel" | "search" | "url" => Kind::Typed,
                "email" => Kind::Email,
                _ if is_box && a.contains_key("checked") => Kind::Other,
                _ if is_box => Kind::Unticked,
                _ => Kind::Other,
            };
            out.push((name, value, kind));
        }
    }
    out
}

/// The same-site links (and images) on a page, without fragments.
pub fn links_in(page: &str) -> Vec<String> {
    LINK.captures_iter(page)
        .map(|c| unescape(&c[1]).split('#').next().unwrap_or_default().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with("/static/") && !l.starts_with("//"))
        .collect()
}

/// A path with ids replaced and its query reduced to the names of its
/// parameters.
pub fn shape(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut names: Vec<&str> = query
        .split('&')
        .filter_map(|p| p.split('=').next())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort_unstable();
    names.dedup();
    format!("{}?{}", ID.replace_all(path, "{id}"), names.join("&"))
}

/// What a screen reader or a browser would trip on in a page: an id used
/// twice (a label then names the wrong field), a field nobody labelled, a
/// column header with no text, and heading levels skipped.
pub fn markup_problems(page: &str) -> Vec<String> {
    static IDS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\sid="([^"]+)""#).expect("regex"));
    static LABEL_FOR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"<label\b[^>]*\sfor="([^"]+)""#).expect("regex"));
    static EMPTY_HEADER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<th\b[^>]*>\s*</th>").expect("regex"));
    static HEADING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<h([1-6])\b").expect("regex"));
    static FIELD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?is)<(input|textarea|select)\b([^>]*)>").expect("regex"));
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    for id in IDS.captures_iter(page) {
        if !ids.insert(id[1].to_string()) {
            problems.push(format!("id \"{}\" is used twice", &id[1]));
        }
    }
    if EMPTY_HEADER.is_match(page) {
        problems.push("a table column has no header text (a screen reader reads nothing)".into());
    }
    let mut level = 0;
    for h in HEADING.captures_iter(page) {
        let next: usize = h[1].parse().unwrap_or(1);
        if next > level + 1 {
            problems.push(format!("an h{next} follows an h{level}: heading levels are skipped"));
        }
        level = next;
    }
    let labelled: HashSet<&str> = LABEL_FOR
        .captures_iter(page)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    for field in FIELD.captures_iter(page) {
        let a = attrs(&field[2]);
        let kind = a.get("type").map(|t| t.to_ascii_lowercase()).unwrap_or_default();
        if a.contains_key("hidden") || matches!(kind.as_str(), "hidden" | "submit" | "button" | "reset") {
            continue;
        }
        let start = field.get(0).map_or(0, |m| m.start());
        let before = &page[..start];
        let inside_label = before
            .rfind("<label")
            .is_some_and(|open| before.rfind("</label>").is_none_or(|close| close < open));
        let named = a.contains_key("aria-label") || a.contains_key("aria-labelledby");
        let by_id = a.get("id").is_some_and(|id| labelled.contains(id.as_str()));
        if !(inside_label || named || by_id) {
            let tag_text: String = field[0].chars().take(120).collect();
            problems.push(format!("a field has no label: {tag_text}"));
        }
    }
    problems
}

#[test]
fn forms_are_read_as_a_browser_sends_them() {
    let page = r#"<form method="post" action="/a?x=1&amp;y=2"><input type="hidden" name="csrf_token" value="t">
        <input name="n" value="&#60;b&#62; &#38;lt;"><textarea name="t">line&#10;two</textarea>
        <select name="s"><option value="1">One</option><option value="2" selected>Two</option></select>
        <label><input type="checkbox" name="c" value="a" checked> A</label><label><input type="checkbox" name="c" value="b"> B</label>
        <button type="button" name="preview">Preview</button><button type="submit">Save</button><button name="other" value="x">Other</button></form>
        <form action="/search"><input name="q"></form>"#;
    let forms = forms_in("/here", page);
    assert_eq!(forms.len(), 2);
    let form = &forms[0];
    assert!(form.post && form.sendable && !form.locked && form.action == "/a?x=1&y=2");
    let sent = form.as_found();
    let sent: Vec<(&str, &str)> = sent.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    assert_eq!(
        sent,
        [("n", "<b> &lt;"), ("t", "line\ntwo"), ("s", "2"), ("c", "a")],
        "the unticked box, the button not pressed and the token are not sent"
    );
    assert_eq!(form.typed(), BTreeSet::from(["n", "t"]));
    assert!(!forms[1].post && forms[1].action == "/search");
    assert_eq!(
        links_in(r#"<a href="/b?p=1&amp;q=2#top">b</a><img src="/brand/logo">"#),
        ["/b?p=1&q=2", "/brand/logo"]
    );
}

#[test]
fn the_markup_check_sees_unlabelled_fields_and_repeated_ids() {
    let fine = r#"<h1>T</h1><h2>S</h2><label for="a">A</label><input id="a" name="a"><label>B <input name="b"></label>
        <input name="c" aria-label="C"><input type="hidden" name="d"><input name="e" hidden><button id="x">Go</button>"#;
    assert_eq!(markup_problems(fine), Vec::<String>::new());
    let bad = r#"<h1>T</h1><h3>S</h3><label>B</label><input name="b"><p id="x"></p><p id="x"></p><th></th>"#;
    assert_eq!(markup_problems(bad).len(), 4, "{:?}", markup_problems(bad));
}
