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
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| "The upload could not be read; try again.".to_string())?;
        let name = field.name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| "The upload was interrupted; try again.".to_string())?;
            if bytes.len() + chunk.len() > max_bytes + 1 {
                return Err(format!("The file is larger than the {} KB limit.", max_bytes / 1024));
            }
            bytes.extend_from_slice(&chunk);
        }
        if name == "csrf_token" {
            token = String::from_utf8_lossy(&bytes).into_owned();
        } else if name == file_field {
            file = bytes;
        }
    }
    Ok((token, file))
}
