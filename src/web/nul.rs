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

/// Middleware: the request's query string without NULs (`%00`; a raw one
/// cannot be in a request line).
pub async fn drop_from_query(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(query) = req.uri().query().filter(|q| q.contains("%00")) {
        let cleaned = String::from_utf8(without_nul(query.as_bytes())).unwrap_or_default();
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

/// A form body or query string without NUL characters, encoded (`%00`)
/// or raw.
/// PostgreSQL text cannot hold them, so a NUL pasted into any field would
/// make the write fail; nobody means to type one, and dropping it keeps the
/// rest of what was typed.
pub fn without_nul(body: &[u8]) -> Vec<u8> {
    let mut current = body.to_vec();
    // Removing one can join its neighbours into another (`%%0000`), so
    // until none is left.
    loop {
        let mut out = Vec::with_capacity(current.len());
        let mut rest = current.as_slice();
        while let Some((&first, tail)) = rest.split_first() {
            if rest.starts_with(b"%00") {
                rest = &rest[3..];
            } else {
                if first != 0 {
                    out.push(first);
                }
                rest = tail;
            }
        }
        if out.len() == current.len() {
            return out;
        }
        current = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_are_dropped_from_form_bodies() {
        assert_eq!(
            without_nul(b"a=x%00y&b=%2500z"),
            b"a=xy&b=%2500z".to_vec(),
            "an encoded % stays"
        );
        assert_eq!(without_nul(b"a=x%00%00"), b"a=x".to_vec());
        assert_eq!(
            without_nul(&[b'a', b'=', 0, b'1']),
            b"a=1".to_vec(),
            "a raw NUL goes too"
        );
        assert_eq!(
            without_nul(b"a=%%0000"),
            b"a=".to_vec(),
            "nor one that removing another makes"
        );
        assert_eq!(without_nul(&[b'a', b'=', b'%', 0, b'0', b'0']), b"a=".to_vec());
    }
}
