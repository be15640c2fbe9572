//! Crawls of the running product over HTTP. A crawl follows every link
//! from its start pages, reads every form, and can then send each form
//! back with bad input, spoil every address, and visit every page again.
//! It finds pages and forms itself, so a new one is covered without this
//! module knowing of it. The tests in [`checks`] say what must hold.
//!
//! `CRAWL_LIST=1` prints the pages each crawl reached.

mod checks;
mod html;

use crate::helpers::TestApp;
use html::{Form, ID, Kind, forms_in, links_in, markup_problems, shape};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

/// Text that has broken web applications: a NUL (PostgreSQL refuses it in
/// text), quotes, markup, an accent, a right-to-left override, a percent
/// escape, a backslash and a line break that would start a mail header.
const HOSTILE: &str = "x\u{0}y'\"<script>alert(1)</script> é\u{202e} %00 \\ ' OR 1=1 --\r\nBcc: x@example.test";
/// The part of [`HOSTILE`] that survives any tidying, unescaped.
const HOSTILE_MARK: &str = "<script>alert(1)</script>";
/// Numbers no column holds.
const HUGE: &str = "99999999999999999999999999";
/// Query parameters our lists read, spoiled on every page.
const LIST_PARAMETERS: &[&str] = &[
    "q", "status", "flow", "reviewer", "from", "to", "sort", "after", "before", "page", "actor", "kind", "version",
    "next", "archived",
];

/// Pages visited per route shape (the path with ids replaced, plus the names
/// of its query parameters): enough to reach each page's states without
/// walking every applicant.
const PER_SHAPE: usize = 8;
const MAX_PAGES: usize = 500;

/// A way to fill a form, and what a refusal (422) must show again in each
/// text field.
#[derive(Clone)]
struct Variant {
    name: &'static str,
    fields: Vec<(String, String)>,
    shows: Option<String>,
}

/// The bad submissions to try: text fields empty, hostile or very long;
/// numbers and choices out of range; hidden values forged; nothing at all.
/// Hidden values and the pressed button are kept (but for the forged one),
/// so each reaches the handler's own checks.
fn variants(form: &Form) -> Vec<Variant> {
    let long = "é".repeat(10_000);
    let text = |value: &str| with(form, value, |_, kind| matches!(kind, Kind::Typed | Kind::Email));
    let values = |value: &str| with(form, value, |_, kind| kind != Kind::Kept);
    let forged = with(form, HOSTILE, |name, kind| kind == Kind::Kept && name != "csrf_token");
    let variant = |name, fields, shows: Option<&str>| Variant {
        name,
        fields,
        shows: shows.map(String::from),
    };
    let all = vec![
        variant("text empty", text(""), None),
        variant("text hostile", text(HOSTILE), Some(HOSTILE_MARK)),
        variant("text 10,000 characters", text(&long), Some(&long)),
        variant("values huge", values(HUGE), None),
        variant("values -1", values("-1"), None),
        variant("hidden values forged", forged, None),
        variant("no fields", Vec::new(), None),
    ];
    // A form without text fields would send the same thing several times,
    // or the form as found, which the crawl sends after all of these.
    let mut sent = HashSet::from([form.as_found()]);
    all.into_iter().filter(|v| sent.insert(v.fields.clone())).collect()
}

/// The form with `value` in the fields `which` picks, the rest as found.
fn with(form: &Form, value: &str, which: impl Fn(&str, Kind) -> bool) -> Vec<(String, String)> {
    form.filled(|name, found, kind| Some(if which(name, kind) { value } else { found }.to_string()))
}

/// What a crawl saw: every page it fetched and every distinct form.
#[derive(Default)]
pub struct Crawl {
    pub pages: Vec<String>,
    pub forms: Vec<Form>,
    /// Search and filter forms (GET): their parameters get spoiled.
    pub searches: Vec<Form>,
    pub failures: Vec<String>,
    /// Forms gone from their page before a variant was sent (the record
    /// deleted by an earlier form, say), and which variant that was.
    pub gone: Vec<String>,
}

impl Crawl {
    /// Follows links from `start` as `client` (breadth first), keeping to
    /// `PER_SHAPE` pages per route shape, skipping `avoid`, and forms whose
    /// key is in `known`.
    pub async fn walk(client: &TestApp, start: &[&str], avoid: &[&str], known: &HashSet<FormKey>) -> Self {
        let mut crawl = Crawl::default();
        let mut per_shape: HashMap<String, usize> = HashMap::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut form_keys = known.clone();
        let mut queue: VecDeque<(String, String)> = start.iter().map(|s| (s.to_string(), String::new())).collect();
        while let Some((url, from)) = queue.pop_front() {
            if !seen.insert(url.clone()) || avoid.iter().any(|a| url.starts_with(a)) {
                continue;
            }
            let count = per_shape.entry(shape(&url)).or_default();
            if *count >= PER_SHAPE {
                continue;
            }
            if crawl.pages.len() >= MAX_PAGES {
                crawl
                    .failures
                    .push(format!("the crawl stopped at {MAX_PAGES} pages: raise MAX_PAGES"));
                break;
            }
            *count += 1;
            let page = client.get(&url).await;
            crawl.check(&format!("GET {url}"), page.status, &page.body);
            let broken = page.status >= 400 && page.status != 410;
            if broken && from.is_empty() {
                crawl
                    .failures
                    .push(format!("start page {url} answered {}", page.status));
            } else if broken {
                crawl
                    .failures
                    .push(format!("{from} links to {url}, which answers {}", page.status));
            }
            if matches!(page.status, 200 | 409 | 422) && page.body.starts_with("<!doctype html>") {
                let problems = markup_problems(&page.body)
                    .into_iter()
                    .map(|p| format!("GET {url}: {p}"));
                crawl.failures.extend(problems);
            }
            crawl.pages.push(url.clone());
            if let Some(to) = page.location.filter(|l| l.starts_with('/')) {
                queue.push_back((to, url.clone()));
            }
            for form in forms_in(&url, &page.body) {
                // The link's own form is the exception: its secret is in the
                // URL, which no other site knows (see `portal::handlers::start`).
                let own_secret = form.action.starts_with("/v/");
                if form.post && !own_secret && form.value("csrf_token").is_none() {
                    crawl
                        .failures
                        .push(format!("{url}: the form to {} has no CSRF token", form.action));
                }
                if avoid.iter().any(|a| form.action.starts_with(a)) || !form_keys.insert(form.key()) {
                    continue;
                }
                if form.post {
                    crawl.forms.push(form)
                } else {
                    crawl.searches.push(form)
                }
            }
            queue.extend(links_in(&page.body).into_iter().map(|l| (l, url.clone())));
        }
        if std::env::var_os("CRAWL_LIST").is_some() {
            eprintln!("{:#?}", crawl.pages);
        }
        crawl
    }

    /// The keys of the forms found, to skip them in a later walk.
    pub fn keys(&self) -> HashSet<FormKey> {
        self.forms.iter().chain(&self.searches).map(Form::key).collect()
    }

    /// No server error, and no markup that came in as text goes out as
    /// markup (the hostile value's script tag, unescaped, in a page).
    fn check(&mut self, what: &str, status: u16, body: &str) {
        if status >= 500 {
            let text: String = body.chars().take(300).collect();
            self.failures.push(format!("{what} answered {status}: {text}"));
        }
        if body.starts_with("<!doctype html>") && body.contains(HOSTILE_MARK) {
            self.failures.push(format!("{what} shows typed markup unescaped"));
        }
    }

    /// Sends every variant of every form, each from its page fetched again
    /// (so hidden values such as a lock version are current); sends each
    /// form to a record that does not exist, and file forms wrong files;
    /// spoils every address seen; and visits every page again. `resume`
    /// signs the client back in if a form signed it out, and returns the
    /// CSRF token to send.
    pub async fn attack<F, Fut>(&mut self, client: &TestApp, resume: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = String>,
    {
        let token = self.send_bad_input(client, &resume).await;
        self.send_elsewhere(client, &token).await;
        self.spoil_and_revisit(client).await;
    }

    /// Round by round (every form's first variant, then every form's
    /// second...), and last every form as found: sent so, a form usually
    /// does what it says (deletes, archives), and others on its page may go
    /// with it, so that waits until all have had their bad input. Returns
    /// the CSRF token in use at the end.
    async fn send_bad_input<F, Fut>(&mut self, client: &TestApp, resume: &F) -> String
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = String>,
    {
        let mut token = resume().await;
        let plans: Vec<(Form, Vec<Variant>)> = self.forms.iter().map(|f| (f.clone(), variants(f))).collect();
        let last = plans.iter().map(|(_, p)| p.len()).max().unwrap_or(0);
        let mut gone = HashSet::new();
        for round in 0..=last {
            for (form, plan) in &plans {
                let variant = match plan.get(round) {
                    Some(bad) => bad.clone(),
                    None if round == last => Variant {
                        name: "as found",
                        fields: form.as_found(),
                        shows: None,
                    },
                    None => continue,
                };
                if gone.contains(&form.key()) {
                    continue;
                }
                let Some(fresh) = self.fetch_again(client, form).await else {
                    gone.insert(form.key());
                    let note = format!("{} on {} (before {})", form.action, form.page, variant.name);
                    self.gone.push(note);
                    continue;
                };
                let fields = with_current_hidden_values(form, &fresh, &variant.fields);
                let what = format!("POST {} ({})", fresh.action, variant.name);
                let page = self.send(client, &fresh.action, &fields, &token, &what).await;
                if page.location.as_deref().is_some_and(|l| l.starts_with("/sign-in")) {
                    token = resume().await;
                    continue;
                }
                if let (422, Some(mark)) = (page.status, &variant.shows) {
                    self.check_kept(&what, &fresh, &page.body, mark);
                }
            }
        }
        token
    }

    /// Each form sent, as found, to a record that does not exist; file
    /// forms sent files that are not images.
    async fn send_elsewhere(&mut self, client: &TestApp, token: &str) {
        for form in self.forms.clone() {
            if ID.is_match(&form.action) {
                let elsewhere = ID.replace_all(&form.action, uuid::Uuid::nil().to_string()).into_owned();
                let what = format!("POST {elsewhere} (a record that does not exist)");
                let page = self.send(client, &elsewhere, &form.as_found(), token, &what).await;
                if !matches!(page.status, 404 | 409 | 410 | 422) {
                    self.failures.push(format!("{what} answered {}", page.status));
                }
            }
            if form.multipart {
                for (variant, status, body) in uploads(client, &form, token).await {
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
    }

    /// Every address seen and every search form, spoiled; then every page
    /// again, after all that was sent.
    async fn spoil_and_revisit(&mut self, client: &TestApp) {
        let mut addresses: Vec<String> = self.pages.iter().flat_map(|url| spoiled(url)).collect();
        addresses.extend(self.searches.iter().flat_map(spoiled_search));
        for bad in addresses {
            let page = client.get(&bad).await;
            self.check(&format!("GET {bad}"), page.status, &page.body);
        }
        for url in self.pages.clone() {
            let page = client.get(&url).await;
            self.check(&format!("GET {url} (again)"), page.status, &page.body);
        }
    }

    /// The form as its page shows it now, or `None` if it is gone: an
    /// earlier submission deleted its record, say.
    async fn fetch_again(&mut self, client: &TestApp, form: &Form) -> Option<Form> {
        let page = client.get(&form.page).await;
        forms_in(&form.page, &page.body)
            .into_iter()
            .find(|f| f.action == form.action && f.key() == form.key())
    }

    async fn send(
        &mut self,
        client: &TestApp,
        action: &str,
        fields: &[(String, String)],
        token: &str,
        what: &str,
    ) -> crate::helpers::Page {
        let mut body: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        body.push(("csrf_token", token));
        let page = client.post_raw(action, &body).await;
        self.check(what, page.status, &page.body);
        // We send the session's token and act as members allowed to.
        if page.status == 403 {
            let text: String = page.body.chars().take(200).collect();
            self.failures.push(format!("{what} answered 403: {text}"));
        }
        page
    }

    /// A refused form comes back with what was typed in each text field.
    fn check_kept(&mut self, what: &str, sent: &Form, body: &str, mark: &str) {
        let Some(shown) = forms_in(&sent.page, body).into_iter().find(|f| f.action == sent.action) else {
            self.failures.push(format!("{what} answered 422 without the form"));
            return;
        };
        for name in sent.typed() {
            if shown.value(name).is_some_and(|v| !v.contains(mark)) {
                self.failures
                    .push(format!("{what} answered 422 without the text typed into {name}"));
            }
        }
    }
}

/// `fields` as filled from `form`, with the hidden values it kept as found
/// replaced by those the page shows now (`fresh`).
fn with_current_hidden_values(form: &Form, fresh: &Form, fields: &[(String, String)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(name, value)| {
            let was_kept = form
                .fields
                .iter()
                .any(|(n, v, k)| n == name && v == value && *k == Kind::Kept);
            match fresh.value(name) {
                Some(now) if was_kept => (name.clone(), now.to_string()),
                _ => (name.clone(), value.clone()),
            }
        })
        .collect()
}

/// What makes two forms the same form (see [`Form::key`]).
pub type FormKey = (String, BTreeSet<String>, bool);

/// Ways to spoil an address a page linked to: each query value hostile,
/// huge or negative, the lists' parameters given nonsense, each id (or
/// link token) not an id or naming nothing.
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
        out.extend([each(&hostile), each(HUGE), each("-1")].map(|q| format!("{path}?{q}")));
    }
    let nonsense: Vec<String> = LIST_PARAMETERS.iter().map(|p| format!("{p}={hostile}")).collect();
    out.push(format!("{path}?{}", nonsense.join("&")));
    for id in ID.find_iter(path) {
        for other in ["not-an-id", "00000000-0000-0000-0000-000000000000", "%00"] {
            out.push(format!("{}{other}{}", &path[..id.start()], &path[id.end()..]));
        }
    }
    if let Some(secret) = ["/v/", "/reset-password/", "/invitations/"]
        .iter()
        .find_map(|p| path.strip_prefix(p).map(|rest| (p, rest)))
    {
        let (prefix, _) = secret;
        for other in ["x", "%00", &"A".repeat(300)] {
            out.push(format!("{prefix}{other}"));
        }
    }
    out
}

/// A search or filter form sent with every field hostile, then huge.
fn spoiled_search(form: &Form) -> Vec<String> {
    let names: BTreeSet<&str> = form.fields.iter().map(|(n, _, _)| n.as_str()).collect();
    [percent(HOSTILE), HUGE.to_string()]
        .iter()
        .map(|value| {
            let query: Vec<String> = names.iter().map(|n| format!("{n}={value}")).collect();
            format!("{}?{}", form.action, query.join("&"))
        })
        .collect()
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
        ("a file over the limit", vec![0x47; 6 * 1024 * 1024], "image/gif"),
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
