//! Reading small multipart uploads (logos) together with their CSRF token.

use actix_multipart::Multipart;
use futures_util::StreamExt as _;

/// Reads a multipart form's `csrf_token` field and the bytes of the file
/// field `file_field`, refusing files over `max_bytes` without buffering
/// them whole. Errors are sentences for the page.
pub async fn read_upload(
    mut payload: Multipart,
    file_field: &str,
    max_bytes: usize,
) -> Result<(String, Vec<u8>), String> {
    let mut token = String::new();
    let mut file = Vec::new();
    let too_large = || format!("The file is larger than the {} KB limit.", max_bytes / 1024);
    // Past the limit, the rest is read and dropped: a browser still sending
    // when the answer comes shows "connection reset", not the page that
    // says the file is too large. Past a bound, the answer goes anyway.
    let mut dropped: Option<usize> = None;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| "The upload could not be read; try again.".to_string())?;
        let name = field.name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| "The upload was interrupted; try again.".to_string())?;
            if dropped.is_none() && bytes.len() + chunk.len() <= max_bytes + 1 {
                bytes.extend_from_slice(&chunk);
                continue;
            }
            let total = dropped.unwrap_or(0) + chunk.len();
            if total > DRAIN_LIMIT {
                return Err(too_large());
            }
            dropped = Some(total);
        }
        if name == "csrf_token" {
            token = String::from_utf8_lossy(&bytes).into_owned();
        } else if name == file_field {
            file = bytes;
        }
    }
    match dropped {
        Some(_) => Err(too_large()),
        None => Ok((token, file)),
    }
}

/// How much of a too-large upload is read and dropped before the answer.
const DRAIN_LIMIT: usize = 32 * 1024 * 1024;
