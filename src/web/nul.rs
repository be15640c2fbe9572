//! NUL characters in what a visitor sends. PostgreSQL text cannot hold
//! them, so a NUL that reached a query would fail it: form bodies lose them
//! in [`CsrfForm`](super::CsrfForm), and query strings here, before any
//! handler reads them.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::http::uri::PathAndQuery;
use actix_web::middleware::Next;
use std::borrow::Cow;

/// Middleware: the request's query string without NULs (`%00`; a raw one
/// cannot be in a request line).
pub async fn drop_from_query(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(query) = req.uri().query().filter(|q| q.contains("%00")) {
        let cleaned = String::from_utf8_lossy(&without_nul(query.as_bytes())).into_owned();
        let mut parts = req.uri().clone().into_parts();
        let path_and_query = format!("{}?{cleaned}", req.uri().path());
        if let Ok(pq) = PathAndQuery::try_from(path_and_query) {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = Uri::from_parts(parts) {
                req.head_mut().uri = uri;
            }
        }
    }
    next.call(req).await
}

/// A form body or query string (`application/x-www-form-urlencoded`)
/// without NUL characters, encoded (`%00`) or raw. PostgreSQL text cannot
/// hold them, so a NUL pasted into any field would make the write fail;
/// nobody means to type one, and dropping it keeps the rest of what was
/// typed. The pairs are decoded, cleaned and encoded again, so removing a
/// NUL never joins its neighbours into another escape (`%%0041` is the text
/// `%41`, not `A`). Input without a NUL is returned as it came.
pub fn without_nul(body: &[u8]) -> Cow<'_, [u8]> {
    if !body.contains(&0) && !body.windows(3).any(|w| w == b"%00") {
        return Cow::Borrowed(body);
    }
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(body) {
        out.append_pair(&name.replace('\0', ""), &value.replace('\0', ""));
    }
    Cow::Owned(out.finish().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(input: &[u8]) -> String {
        String::from_utf8(without_nul(input).into_owned()).expect("utf-8")
    }

    #[test]
    fn nul_characters_are_dropped_and_nothing_else_changes() {
        assert_eq!(clean(b"a=x%00y&b=%2500z"), "a=xy&b=%2500z", "an encoded % stays");
        assert_eq!(clean(b"a=x%00%00"), "a=x");
        assert_eq!(clean(&[b'a', b'=', 0, b'1']), "a=1", "a raw NUL goes too");
        assert_eq!(clean(b"q=%%0041"), "q=%2541", "the text %41, not A");
        assert_eq!(
            clean(b"a=%%0000"),
            "a=%2500",
            "the text %00 typed around a NUL stays text"
        );
        assert_eq!(
            clean(b"n%00ame=caf%C3%A9+noir"),
            "name=caf%C3%A9+noir",
            "names too; the rest decodes the same"
        );
        assert!(
            matches!(without_nul(b"a=%ff&b=1"), Cow::Borrowed(_)),
            "input without a NUL is untouched, even when it is not UTF-8"
        );
    }
}
