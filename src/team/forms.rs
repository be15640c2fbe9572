//! Team form inputs, as typed.

use serde::Deserialize;

/// POST /team/invitations
#[derive(Deserialize, Default, Clone)]
pub struct InviteForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role_id: String,
}

/// POST /team/members/{id}/role
/// Resend an invitation. `sent` is how many times it had been sent when the
/// page was shown; absent from a script's request, which then always sends.
#[derive(Deserialize, Default)]
pub struct ResendForm {
    #[serde(default)]
    pub sent: String,
}

impl ResendForm {
    /// The count the page showed, when it showed one.
    pub fn sent_before(&self) -> Option<i32> {
        self.sent.trim().parse().ok()
    }
}

#[derive(Deserialize, Default)]
pub struct RoleChangeForm {
    #[serde(default)]
    pub role_id: String,
}

/// POST /invitations/{token}
#[derive(Deserialize, Default)]
pub struct AcceptForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirmation: String,
}
