//! Bad input never causes a server error. The demo data is crawled as its
//! Owner: every page linked from another, then every form found sent back
//! empty, hostile, out of range and malformed, every query parameter and
//! path id spoiled, and every page visited again after all that. The
//! applicant's side (the link's page) and the signed-out pages get the same.
//!
//! The crawl finds forms and links itself, so a new page or form is covered
//! without this file knowing of it. `BAD_INPUT_LIST=1` prints the pages the
//! crawl reached, to check what it covers.

use crate::helpers::{TestApp, csrf_in, spawn_app};
use crate::sessions::{link_in, path_of};
use regex::Regex;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::LazyLock;
use veridesk::auth::permissions::BuiltinRole;

/// Text that has broken web applications: a NUL (PostgreSQL refuses it in
/// text), quotes, markup, an accent, a right-to-left override, a percent
/// escape, a backslash and a line break that would start a mail header.
const HOSTILE: &str = "x\u{0}y'\"<script>alert(1)</script> é\u{202e} %00 \\ ' OR 1=1 --\r\nBcc: x@example.test";
/// The part of [`HOSTILE`] a page shows, escaped.
const HOSTILE_SHOWN: &str = "&#60;script&#62;alert(1)&#60;/script&#62;";
const HOSTILE_VARIANT: &str = "every field hostile";
const LONG_VARIANT: &str = "every field 10,000 characters";
/// Numbers no column holds.
const HUGE: &str = "99999999999999999999999999";

/// Pages visited per route shape (the path with ids replaced, plus the names
/// of its query parameters): enough to reach each page's states without
/// walking 100 list pages.
const PER_SHAPE: usize = 8;
const MAX_PAGES: usize = 400;

static FORM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?is)<form\b([^>]*)>(.*?)</form>").expect("regex"));
static FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<(input|textarea|select|button)\b([^>]*)>").expect("regex"));
static SUBMIT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)<(button|input)\b([^>]*)>").expect("regex"));
static DISABLED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\sdisabled\b").expect("regex"));
static LOCKED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)<fieldset\b[^>]*\sdisabled\b").expect("regex"));
static HREF: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"href="(/[^"]*)""#).expect("regex"));
static ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").expect("regex"));

/// An attribute's value in a tag's attribute text, entities decoded.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let re = Regex::new(&format!(r#"(?i)(?:^|\s){name}="([^"]*)""#)).expect("regex");
    re.captures(attrs).map(|c| unescape(&c[1]))
}

/// Decodes the entities our templates write: named ones and numeric ones
/// (askama escapes `<` as `&#60;`).
fn unescape(s: &str) -> String {
    static NUMERIC: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"&#(x?)([0-9a-fA-F]+);").expect("regex"));
    let s = NUMERIC.replace_all(s, |c: &regex::Captures| {
        let radix = if c[1].is_empty() { 10 } else { 16 };
        u32::from_str_radix(&c[2], radix)
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default()
    });
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A POST form as a page shows it.
#[derive(Clone, Debug)]
struct Form {
    action: String,
    /// Sent as `multipart/form-data` (a file upload).
    multipart: bool,
    /// Has a submit button that is not disabled: a person can send it.
    sendable: bool,
    /// Its fields sit in a disabled fieldset: shown read-only.
    locked: bool,
    /// Name, the value the page gave it, and what kind of field it is.
    fields: Vec<(String, String, Kind)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// Hidden, or a named button: "as found" sends its value, as a browser
    /// would.
    Kept,
    /// Free text a person types (a text box or area): a refused form must
    /// show it again.
    Typed,
    /// An email address box: typed too, but only an address is valid.
    Email,
    /// A box or option not ticked: "as found" does not send it.
    Unticked,
    /// A choice made (a ticked box, a select's option), a password or a file.
    Other,
}

impl Form {
    fn key(&self) -> (String, BTreeSet<String>) {
        let names = self.fields.iter().map(|(n, _, _)| n.clone()).collect();
        (shape(&self.action), names)
    }

    /// What a browser sends when the form is submitted untouched (less the
    /// CSRF token).
    fn as_found(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .filter(|(n, _, kind)| n != "csrf_token" && *kind != Kind::Unticked)
            .map(|(n, v, _)| (n.clone(), v.clone()))
            .collect()
    }

    /// The submissions to try, each a list of fields; the CSRF token is
    /// added by the sender.
    fn variants(&self) -> Vec<(&'static str, Vec<(String, String)>)> {
        let fields = || self.fields.iter().filter(|(n, _, _)| n != "csrf_token");
        let all = |value: &str| fields().map(|(n, _, _)| (n.clone(), value.to_string())).collect();
        vec![
            (
                "as found, visible fields empty",
                fields()
                    .filter(|(_, _, kind)| *kind != Kind::Unticked)
                    .map(|(n, v, kind)| (n.clone(), if *kind == Kind::Kept { v.clone() } else { String::new() }))
                    .collect(),
            ),
            ("as found", self.as_found()),
            (HOSTILE_VARIANT, all(HOSTILE)),
            ("every field huge", all(HUGE)),
            ("every field -1", all("-1")),
            (LONG_VARIANT, all(&"é".repeat(10_000))),
            (
                "every field twice",
                fields()
                    .flat_map(|(n, v, _)| [(n.clone(), v.clone()), (n.clone(), HOSTILE.to_string())])
                    .collect(),
            ),
            ("no fields", Vec::new()),
        ]
    }
}

/// What a screen reader or a browser would trip on in a page: an id used
/// twice (a label then names the wrong field), a field nobody labelled, a
/// column header with no text, and heading levels skipped.
fn markup_problems(page: &str) -> Vec<String> {
    static IDS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\sid="([^"]+)""#).expect("regex"));
    static UNSEEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\shidden\b").expect("regex"));
    static LABEL_FOR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"<label\b[^>]*\sfor="([^"]+)""#).expect("regex"));
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    for id in IDS.captures_iter(page) {
        if !ids.insert(id[1].to_string()) {
            problems.push(format!("id \"{}\" is used twice", &id[1]));
        }
    }
    static EMPTY_HEADER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<th\b[^>]*>\s*</th>").expect("regex"));
    static HEADING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<h([1-6])\b").expect("regex"));
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
        .map(|c| c.get(1).map_or("", |m| m.as_str()))
        .collect();
    for field in FIELD.captures_iter(page) {
        let tag = field[1].to_ascii_lowercase();
        let attrs = &field[2];
        let kind = attr(attrs, "type").unwrap_or_default().to_ascii_lowercase();
        let unseen = UNSEEN.is_match(attrs);
        if unseen || tag == "button" || matches!(kind.as_str(), "hidden" | "submit" | "button" | "reset") {
            continue;
        }
        let start = field.get(0).map_or(0, |m| m.start());
        let before = &page[..start];
        let inside_label = before
            .rfind("<label")
            .is_some_and(|open| before.rfind("</label>").is_none_or(|close| close < open));
        let named = attr(attrs, "aria-label").is_some() || attr(attrs, "aria-labelledby").is_some();
        let by_id = attr(attrs, "id").is_some_and(|id| labelled.contains(id.as_str()));
        if !(inside_label || named || by_id) {
            let tag_text: String = field[0].chars().take(120).collect();
            problems.push(format!("a field has no label: {tag_text}"));
        }
    }
    problems
}

/// The names of a form's text fields.
fn typed_in(form: &Form) -> BTreeSet<&str> {
    form.fields
        .iter()
        .filter(|(_, _, k)| matches!(k, Kind::Typed | Kind::Email))
        .map(|(n, _, _)| n.as_str())
        .collect()
}

/// The forms that post on `page` (reached at `path`).
fn forms_in(path: &str, page: &str) -> Vec<Form> {
    FORM.captures_iter(page)
        .filter(|c| attr(&c[1], "method").is_some_and(|m| m.eq_ignore_ascii_case("post")))
        .map(|c| {
            let action = attr(&c[1], "action").unwrap_or_else(|| path.to_string());
            let multipart = attr(&c[1], "enctype").is_some_and(|e| e.eq_ignore_ascii_case("multipart/form-data"));
            let sendable = SUBMIT.captures_iter(&c[2]).any(|b| {
                let kind = attr(&b[2], "type").unwrap_or_default().to_ascii_lowercase();
                let submits = if b[1].eq_ignore_ascii_case("button") {
                    kind != "button" && kind != "reset"
                } else {
                    kind == "submit"
                };
                submits && !DISABLED.is_match(&b[2])
            });
            let locked = LOCKED.is_match(&c[2]);
            let fields = controls(&c[2]);
            Form {
                action,
                multipart,
                sendable,
                locked,
                fields,
            }
        })
        .collect()
}

/// A form's controls as (name, value, kind), in page order. A radio group
/// or a box sends only what is ticked; a select its chosen option (else its
/// first); only the first named button is pressed.
fn controls(form: &str) -> Vec<(String, String, Kind)> {
    static CONTROL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?is)<textarea\b([^>]*)>(.*?)</textarea>|<select\b([^>]*)>(.*?)</select>|<(input|button)\b([^>]*)>",
        )
        .expect("regex")
    });
    static OPTION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?is)<option\b([^>]*)>").expect("regex"));
    static TICKED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\s(checked|selected)\b").expect("regex"));
    let mut out = Vec::new();
    let mut pressed = false;
    for c in CONTROL.captures_iter(form) {
        if let (Some(attrs), Some(text)) = (c.get(1), c.get(2)) {
            if let Some(name) = attr(attrs.as_str(), "name") {
                out.push((name, unescape(text.as_str()), Kind::Typed));
            }
        } else if let (Some(attrs), Some(options)) = (c.get(3), c.get(4)) {
            if let Some(name) = attr(attrs.as_str(), "name") {
                let options: Vec<_> = OPTION
                    .captures_iter(options.as_str())
                    .map(|o| o[1].to_string())
                    .collect();
                let chosen = options.iter().find(|o| TICKED.is_match(o)).or(options.first());
                let value = chosen.and_then(|o| attr(o, "value")).unwrap_or_default();
                out.push((name, value, Kind::Other));
            }
        } else if let (Some(tag), Some(attrs)) = (c.get(5), c.get(6)) {
            let attrs = attrs.as_str();
            let Some(name) = attr(attrs, "name") else { continue };
            let kind = attr(attrs, "type").unwrap_or_default().to_ascii_lowercase();
            let is_box = kind == "checkbox" || kind == "radio";
            let value = attr(attrs, "value").unwrap_or_else(|| if is_box { "on".into() } else { String::new() });
            let kind = match (tag.as_str().to_ascii_lowercase().as_str(), kind.as_str()) {
                ("button", _) | (_, "submit") if pressed => continue,
                ("button", _) | (_, "submit") => {
                    pressed = true;
                    Kind::Kept
                }
                (_, "hidden") => Kind::Kept,
                (_, "" | "text" | "tel" | "search" | "url") => Kind::Typed,
                (_, "email") => Kind::Email,
                _ if is_box && TICKED.is_match(attrs) => Kind::Other,
                _ if is_box => Kind::Unticked,
                _ => Kind::Other,
            };
            out.push((name, value, kind));
        }
    }
    out
}

/// The same-site links on a page, without fragments.
fn links_in(page: &str) -> Vec<String> {
    HREF.captures_iter(page)
        .map(|c| unescape(&c[1]).split('#').next().unwrap_or_default().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with("/static/") && !l.starts_with("//"))
        .collect()
}

/// A path with ids replaced and its query reduced to the names of its
/// parameters.
fn shape(url: &str) -> String {
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

/// Ways to spoil a URL a page linked to: each query value hostile, unknown
/// parameters, and ids that are not ids or name nothing.
fn spoiled(url: &str) -> Vec<String> {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let hostile = percent(HOSTILE);
    let mut out = Vec::new();
    if !query.is_empty() {
        let each = |value: &str| {
            query
                .split('&')
                .map(|p| format!("{}={value}", p.split('=').next().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join("&")
        };
        out.push(format!("{path}?{}", each(&hostile)));
        out.push(format!("{path}?{}", each(HUGE)));
        out.push(format!("{path}?{}", each("-1")));
        out.push(format!("{path}?{query}&{query}"));
    }
    out.push(format!(
        "{path}?page=%ff%fe&sort=%00&after={hostile}&before=-1&status=x&q={hostile}"
    ));
    if ID.is_match(path) {
        out.push(ID.replace(path, "not-an-id").into_owned());
        out.push(ID.replace(path, uuid::Uuid::nil().to_string()).into_owned());
        out.push(ID.replace(path, "%00").into_owned());
    }
    out
}

/// Percent-encodes every byte that is not alphanumeric.
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// What a crawl saw: every page it fetched and every distinct form.
#[derive(Default)]
struct Crawl {
    pages: Vec<String>,
    forms: Vec<Form>,
    failures: Vec<String>,
}

impl Crawl {
    /// Follows links from `start` as `client` (breadth first), keeping
    /// to `PER_SHAPE` pages per route shape and skipping `avoid`.
    async fn walk(client: &TestApp, start: &[&str], avoid: &[&str]) -> Self {
        let mut crawl = Crawl::default();
        let mut per_shape: HashMap<String, usize> = HashMap::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut form_keys = HashSet::new();
        let mut queue: VecDeque<(String, String)> = start.iter().map(|s| (s.to_string(), String::new())).collect();
        while let Some((url, from)) = queue.pop_front() {
            if crawl.pages.len() >= MAX_PAGES || !seen.insert(url.clone()) {
                continue;
            }
            if avoid.iter().any(|a| url.starts_with(a)) {
                continue;
            }
            let count = per_shape.entry(shape(&url)).or_default();
            if *count >= PER_SHAPE {
                continue;
            }
            *count += 1;
            let page = client.get(&url).await;
            crawl.check(&format!("GET {url}"), page.status, &page.body);
            if page.status == 404 && !from.is_empty() {
                crawl
                    .failures
                    .push(format!("{from} links to {url}, which is not found"));
            }
            if page.status == 200 && page.body.starts_with("<!doctype html>") {
                crawl.failures.extend(
                    markup_problems(&page.body)
                        .into_iter()
                        .map(|p| format!("GET {url}: {p}")),
                );
            }
            crawl.pages.push(url.clone());
            if let Some(to) = page.location.filter(|l| l.starts_with('/')) {
                queue.push_back((to, url.clone()));
            }
            for form in forms_in(&url, &page.body) {
                // The link's own form is the exception: its secret is in the
                // URL, which no other site knows (see `portal::handlers::start`).
                let own_secret = form.action.starts_with("/v/");
                if !own_secret && !form.fields.iter().any(|(n, _, _)| n == "csrf_token") {
                    crawl
                        .failures
                        .push(format!("{url}: the form to {} has no CSRF token", form.action));
                }
                if !avoid.iter().any(|a| form.action.starts_with(a)) && form_keys.insert(form.key()) {
                    crawl.forms.push(form);
                }
            }
            queue.extend(links_in(&page.body).into_iter().map(|l| (l, url.clone())));
        }
        crawl
    }

    /// No server error, and no markup that came in as text goes out as
    /// markup (the hostile value's script tag, unescaped, in a page).
    fn check(&mut self, what: &str, status: u16, body: &str) {
        if status >= 500 {
            let text: String = body.chars().take(300).collect();
            self.failures.push(format!("{what} answered {status}: {text}"));
        }
        if body.starts_with("<!doctype html>") && body.contains("<script>alert(1)</script>") {
            self.failures.push(format!("{what} shows typed markup unescaped"));
        }
    }

    /// Sends every variant of every form, then spoils every URL seen and
    /// visits every page again. `resume` brings the client back to the state
    /// the crawl needs (signed in) and returns the CSRF token to send.
    async fn attack<F, Fut>(&mut self, client: &TestApp, resume: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = String>,
    {
        let mut token = resume().await;
        for form in self.forms.clone() {
            for (variant, mut fields) in form.variants() {
                fields.push(("csrf_token".into(), token.clone()));
                let body: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
                let page = client.post_raw(&form.action, &body).await;
                let what = format!("POST {} ({variant})", form.action);
                self.check(&what, page.status, &page.body);
                // Refused, the form comes back with what was typed.
                let typed = typed_in(&form);
                // As the page shows the form now (an earlier post may have
                // changed it: a question's type, say).
                let typed = forms_in(&form.action, &page.body)
                    .iter()
                    .find(|f| f.action == form.action)
                    .map_or(0, |f| typed_in(f).intersection(&typed).count());
                let shown = match variant {
                    HOSTILE_VARIANT => page.body.matches(HOSTILE_SHOWN).count(),
                    LONG_VARIANT => page.body.matches(&"é".repeat(10_000)).count(),
                    _ => typed,
                };
                if page.status == 422 && shown < typed {
                    self.failures.push(format!(
                        "{what} answered 422 showing {shown} of its {typed} text fields' values"
                    ));
                }
                if page.location.as_deref().is_some_and(|l| l.starts_with("/sign-in")) {
                    token = resume().await;
                }
            }
            if form.multipart {
                for (variant, status, body) in uploads(client, &form, &token).await {
                    let what = format!("POST {} ({variant})", form.action);
                    self.check(&what, status, &body);
                    // A file that is no logo is refused on the form's page.
                    if status != 422 {
                        self.failures
                            .push(format!("{what} answered {status}, not 422 with the form"));
                    }
                }
            }
        }
        for url in self.pages.clone() {
            for bad in spoiled(&url) {
                let page = client.get(&bad).await;
                self.check(&format!("GET {bad}"), page.status, &page.body);
            }
            let page = client.get(&url).await;
            self.check(&format!("GET {url} (again)"), page.status, &page.body);
        }
    }
}

/// A file form sent files that are not what it asks for, and a body that
/// is not multipart at all.
async fn uploads(client: &TestApp, form: &Form, token: &str) -> Vec<(&'static str, u16, String)> {
    let mut png_header = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png_header.extend([0xff; 8]);
    let files: [(&str, Vec<u8>, &str); 5] = [
        ("a text file", b"not an image".to_vec(), "image/png"),
        ("a PNG cut short, 4 billion pixels wide", png_header, "image/png"),
        (
            "an SVG with a script",
            b"<svg><script>alert(1)</script></svg>".to_vec(),
            "image/svg+xml",
        ),
        ("an empty file", Vec::new(), "application/octet-stream"),
        ("a file over the limit", vec![0x47; 2 * 1024 * 1024], "image/gif"),
    ];
    let url = format!("{}{}", client.address, form.action);
    let mut out = Vec::new();
    for (variant, bytes, mime) in files {
        let mut multipart = reqwest::multipart::Form::new().text("csrf_token", token.to_string());
        for (name, _, kind) in &form.fields {
            if *kind != Kind::Kept {
                let part = reqwest::multipart::Part::bytes(bytes.clone())
                    .file_name("upload.png")
                    .mime_str(mime)
                    .expect("mime");
                multipart = multipart.part(name.clone(), part);
            }
        }
        let response = client
            .client
            .post(&url)
            .multipart(multipart)
            .send()
            .await
            .expect("POST");
        out.push((
            variant,
            response.status().as_u16(),
            response.text().await.unwrap_or_default(),
        ));
    }
    let broken = client
        .client
        .post(&url)
        .header("content-type", "multipart/form-data; boundary=x")
        .body(format!(
            "--x\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n--x\r\nContent-Dispo"
        ))
        .send()
        .await
        .expect("POST");
    out.push((
        "a multipart body cut short",
        broken.status().as_u16(),
        broken.text().await.unwrap_or_default(),
    ));
    out
}

async fn sign_in_owner(app: &TestApp) -> String {
    if app.get("/account").await.status != 200 {
        app.sign_in(veridesk::demo::OWNER_EMAIL, veridesk::demo::OWNER_PASSWORD)
            .await
            .assert_redirect("/");
    }
    app.csrf().await
}

#[test]
fn the_markup_check_sees_unlabelled_fields_and_repeated_ids() {
    let fine = r#"<label for="a">A</label><input id="a" name="a"><label>B <input name="b"></label>
        <input name="c" aria-label="C"><input type="hidden" name="d"><button id="x">Go</button>"#;
    assert_eq!(markup_problems(fine), Vec::<String>::new());
    let bad = r#"<h1>T</h1><h3>S</h3><label>B</label><input name="b"><p id="x"></p><p id="x"></p><th></th>"#;
    assert_eq!(markup_problems(bad).len(), 4, "{:?}", markup_problems(bad));
}

#[actix_web::test]
async fn no_page_or_form_answers_bad_input_with_a_server_error() {
    let app = spawn_app().await;
    {
        let mut conn = app.pool.get().expect("conn");
        assert!(veridesk::demo::seed(&mut conn, app.clock.now(), &app.address).expect("seed"));
    }
    sign_in_owner(&app).await;

    // A live link for the applicant's side, made as an officer would.
    let list = app.get("/applicants?status=INIT").await.body;
    let new_session = links_in(&list)
        .into_iter()
        .find(|l| l.ends_with("/sessions/new"))
        .expect("the list offers a new session");
    let form = app.get(&new_session).await.body;
    let flow = Regex::new(r#"<option value="([0-9a-f-]{36})""#)
        .expect("regex")
        .captures(&form)
        .expect("a flow")[1]
        .to_string();
    let mut fields = crate::sessions::session_fields(&flow, "2", "days", "20");
    fields.extend([
        ("send_email", "on"),
        ("recipient", "someone@example.test"),
        ("subject", "Verify"),
        ("body", "Please verify: {{session_url}}"),
    ]);
    let confirmation = app.post(new_session.trim_end_matches("/new"), &fields).await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.body);
    let link = path_of(&app, &link_in(&confirmation.body));

    // A password reset link and an invitation, from their emails.
    let visitor = app.new_client();
    let token = csrf_in(&visitor.get("/forgot-password").await.body);
    visitor
        .post_raw(
            "/forgot-password",
            &[("email", "viewer@veridesk.test"), ("csrf_token", &token)],
        )
        .await;
    let reset = app.email_to("viewer@veridesk.test", "Reset your").await;
    let reset = path_of(&app, &reset.link(&format!("{}/reset-password/", app.address)));
    let role = {
        let mut conn = app.pool.get().expect("conn");
        veridesk::roles::queries::builtin_role_id(&mut conn, BuiltinRole::Viewer).expect("role")
    };
    let invited = app
        .post(
            "/team/invitations",
            &[("email", "newcomer@example.test"), ("role_id", &role.to_string())],
        )
        .await;
    assert!(invited.status < 400, "{}", invited.body);
    let invitation = app.email_to("newcomer@example.test", "").await;
    let invitation = path_of(&app, &invitation.link(&format!("{}/invitations/", app.address)));

    let mut outside = Crawl::walk(
        &visitor,
        &[&link, &reset, &invitation, "/sign-in", "/forgot-password"],
        &[],
    )
    .await;
    for path in [&link, &reset, &invitation] {
        assert!(
            outside.forms.iter().any(|f| &f.action == path),
            "{path} has its form: {:?}",
            outside.forms
        );
    }
    outside.attack(&visitor, || visitor.csrf()).await;

    // Pages no demo page links to: a saved email template, a timeline's
    // older events and an email's delivery status.
    let saved = app
        .post(
            "/email-templates",
            &[
                ("name", "Reminder"),
                ("subject", "Reminder"),
                ("body", "Hello {{applicant_name}}, {{session_url}}"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let applicant = new_session.trim_end_matches("/sessions/new");
    let timeline = format!("{applicant}/timeline?before=1");
    let delivery = Regex::new(r#"data-url="([^"]*)""#)
        .expect("regex")
        .captures(&confirmation.body)
        .expect("delivery")[1]
        .to_string();
    let mut officer = Crawl::walk(
        &app,
        &["/", "/applicants", "/outbox", "/audit", &timeline, &delivery],
        &["/sign-out"],
    )
    .await;
    assert!(
        officer.pages.len() > 40 && officer.forms.len() > 40,
        "the crawl reached {} pages and {} forms: {:?}",
        officer.pages.len(),
        officer.forms.len(),
        officer.pages
    );
    officer.attack(&app, || sign_in_owner(&app)).await;

    eprintln!(
        "bad input: {} pages and {} forms signed in, {} pages and {} forms outside",
        officer.pages.len(),
        officer.forms.len(),
        outside.pages.len(),
        outside.forms.len()
    );
    if std::env::var_os("BAD_INPUT_LIST").is_some() {
        eprintln!("{:#?}", officer.pages);
    }
    let failures: Vec<String> = officer.failures.into_iter().chain(outside.failures).collect();
    assert!(
        failures.is_empty(),
        "{} server errors:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// What a member is shown, they may use: every page each demo role reaches
/// renders, and every form on those pages, sent as found, is not refused
/// for want of a permission (403) or rank (409 beyond reach). A form a role
/// cannot send should not be shown to it.
#[actix_web::test]
async fn every_role_may_send_the_forms_it_is_shown() {
    let app = spawn_app().await;
    {
        let mut conn = app.pool.get().expect("conn");
        assert!(veridesk::demo::seed(&mut conn, app.clock.now(), &app.address).expect("seed"));
    }
    let mut failures = Vec::new();
    for (email, least_forms) in [
        ("viewer@veridesk.test", 1),
        ("officer@veridesk.test", 15),
        ("admin@veridesk.test", 25),
    ] {
        let member = app.new_client();
        member
            .sign_in(email, veridesk::demo::MEMBER_PASSWORD)
            .await
            .assert_redirect("/");
        let mut crawl = Crawl::walk(&member, &["/", "/applicants", "/outbox", "/audit"], &["/sign-out"]).await;
        assert!(
            crawl.forms.len() >= least_forms,
            "{email} was shown {} forms: {:?}",
            crawl.forms.len(),
            crawl.forms
        );
        let token = member.csrf().await;
        for form in &crawl.forms {
            if !form.sendable {
                // A form nobody can send shows its text read-only.
                if !typed_in(form).is_empty() && !form.locked {
                    failures.push(format!(
                        "{email}: {} has text fields but no way to send them",
                        form.action
                    ));
                }
                continue;
            }
            let mut fields: Vec<(&str, &str)> = form
                .fields
                .iter()
                .filter(|(n, _, _)| n != "csrf_token")
                .map(|(n, v, _)| (n.as_str(), v.as_str()))
                .collect();
            fields.push(("csrf_token", &token));
            let page = member.post_raw(&form.action, &fields).await;
            let beyond = page.status == 409 && page.body.contains("permissions you do not");
            if page.status == 403 || beyond || page.status >= 500 {
                let text: String = page.body.chars().take(200).collect();
                failures.push(format!(
                    "{email}: POST {} answered {}: {text}",
                    form.action, page.status
                ));
            }
        }
        failures.append(&mut crawl.failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every versioned action on a profile, sent from a page another officer's
/// change has made stale, is refused with "changed … meanwhile" (409), keeps
/// what was typed, and changes nothing. The crawl finds the actions, so a
/// new one is covered too. Comments and Take are not versioned: a comment
/// never undoes anyone's work, and Take assigns whoever clicks.
#[actix_web::test]
async fn every_profile_action_from_a_stale_page_is_refused_and_keeps_the_text() {
    use diesel::prelude::*;
    use veridesk::db::schema::applicants;
    let app = spawn_app().await;
    {
        let mut conn = app.pool.get().expect("conn");
        assert!(veridesk::demo::seed(&mut conn, app.clock.now(), &app.address).expect("seed"));
    }
    sign_in_owner(&app).await;
    let crawl = Crawl::walk(&app, &["/applicants"], &["/sign-out"]).await;
    let actions: Vec<&Form> = crawl
        .forms
        .iter()
        .filter(|f| f.action.starts_with("/applicants/") && f.fields.iter().any(|(n, _, _)| n == "lock_version"))
        .filter(|f| !f.action.ends_with("/comments") && !f.action.ends_with("/take"))
        .collect();
    let kinds: BTreeSet<String> = actions.iter().map(|f| shape(&f.action)).collect();
    assert!(kinds.len() >= 10, "the profiles offer these actions: {kinds:?}");
    let typed_text = "Typed while someone else acted";
    let mut failures = Vec::new();
    let mut refused = BTreeSet::new();
    for form in actions {
        let id: uuid::Uuid = ID
            .find(&form.action)
            .expect("applicant id")
            .as_str()
            .parse()
            .expect("id");
        let version_of = || {
            let mut conn = app.pool.get().expect("conn");
            applicants::table
                .find(id)
                .select(applicants::lock_version)
                .first::<i32>(&mut conn)
                .expect("applicant")
        };
        // Another officer's change: the page's version is now behind.
        {
            let mut conn = app.pool.get().expect("conn");
            diesel::update(applicants::table.find(id))
                .set(applicants::lock_version.eq(applicants::lock_version + 1))
                .execute(&mut conn)
                .expect("bump");
        }
        let before = version_of();
        // Filled as an officer would, until one filling passes the form's
        // own checks (a 422 says it did not): text in the empty boxes; the
        // form untouched; text and the first box of each group left empty.
        let fillings = [(true, false), (false, false), (true, true)];
        for (with_text, tick) in fillings {
            let mut ticked_groups = BTreeSet::new();
            let fields: Vec<(String, String)> = form
                .fields
                .iter()
                .filter(|(n, _, _)| n != "csrf_token")
                .filter_map(|(n, v, kind)| match kind {
                    Kind::Unticked => {
                        let group_empty = !form.fields.iter().any(|(m, _, k)| m == n && *k == Kind::Other);
                        (tick && group_empty && ticked_groups.insert(n.clone())).then(|| (n.clone(), v.clone()))
                    }
                    Kind::Typed if with_text && v.is_empty() => Some((n.clone(), typed_text.to_string())),
                    _ => Some((n.clone(), v.clone())),
                })
                .collect();
            let body: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let page = app.post(&form.action, &body).await;
            if page.status == 422 {
                continue;
            }
            let typed = with_text && fields.iter().any(|(_, v)| v == typed_text);
            let kept = !typed || page.body.contains(typed_text);
            let told = page.body.contains("meanwhile") || page.body.contains("after this form was shown");
            if page.status != 409 || !told || !kept || version_of() != before {
                failures.push(format!(
                    "{}: answered {}, told: {told}, text kept: {kept}, version {} → {}",
                    form.action,
                    page.status,
                    before,
                    version_of()
                ));
            }
            refused.insert(shape(&form.action));
            break;
        }
    }
    eprintln!(
        "stale pages: {} of {} actions refused: {refused:?}",
        refused.len(),
        kinds.len()
    );
    assert!(
        refused == kinds,
        "only these actions could be filled validly: {refused:?} of {kinds:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
