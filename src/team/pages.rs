//! Team templates.

use super::forms::InviteForm;
use crate::roles::models::Role;
use crate::web::{Chrome, Flash, FormErrors};
use askama::Template;

/// One member in the team list.
pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub last_signin: String,
    /// For invited members: when the invitation expires, and whether it has.
    pub invitation_expires: String,
    pub invitation_expired: bool,
    /// How many times the open invitation was sent; the resend form carries
    /// it, so that the same click posted twice sends one email, not two
    /// (each resend replaces the link the email before held).
    pub invitation_sent: i32,
    /// What went wrong with the latest invitation email, if anything did
    /// ("email failed: mailbox unavailable"); empty while all is well.
    pub invitation_email: String,
}

/// GET /team
#[derive(Template)]
#[template(path = "admin/team/index.html")]
pub struct TeamPage {
    pub chrome: Chrome,
    pub members: Vec<MemberRow>,
    pub roles: Vec<Role>,
    pub invite: InviteForm,
    pub errors: FormErrors,
    pub can_invite: bool,
    pub can_manage: bool,
    pub can_grant_owner: bool,
}

/// GET /team/members/{id}
#[derive(Template)]
#[template(path = "admin/team/member.html")]
pub struct MemberPage {
    pub chrome: Chrome,
    pub member: MemberRow,
    pub role_id: String,
    pub roles: Vec<Role>,
    pub can_manage: bool,
    /// A team manager looks at someone whose role holds more than theirs,
    /// or at an Owner: why there is nothing to change.
    pub out_of_reach: Option<String>,
    pub can_invite: bool,
    pub can_grant_owner: bool,
    pub is_self: bool,
    pub joined: String,
}

/// GET /invitations/{token}
#[derive(Template)]
#[template(path = "auth/accept_invitation.html")]
pub struct AcceptPage {
    pub title: &'static str,
    pub flashes: Vec<Flash>,
    pub csrf: String,
    pub action: String,
    pub email: String,
    pub company: String,
    pub role: String,
    pub name: String,
    pub errors: FormErrors,
}
