//! Validated values with no I/O. Input becomes one of these before any
//! query runs, so the rest of the code never re-checks it.

mod country;
mod email;
mod ids;
mod name;
mod password;
mod text;
mod token;

pub use country::{countries, country_name};
pub use email::EmailAddress;
pub use ids::{FlowId, InvitationId, MemberId, QuestionnaireId, RoleId};
pub use name::{PersonName, parse_time_zone};
pub use password::Password;
pub use text::{Unshowable, check_label, check_text, reorders_text, unshowable_in_label, unshowable_in_text};
pub use token::SecretToken;
