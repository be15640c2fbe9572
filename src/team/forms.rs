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
