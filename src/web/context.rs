//! Request context extractors.
//!
//! [`Visitor`] is anyone (sign-in, setup, invitation pages); [`Ctx`] is a
//! signed-in, active member with their role's permissions. A member who is
//! deactivated or deleted is signed out on their very next request.

use super::chrome::{Chrome, Nav};
use super::flash::{self, FlashKind};
use super::session_store::{LOADED_MEMBER_KEY, MEMBER_KEY};
use super::state::AppState;
use crate::audit::Actor;
use crate::auth::permissions::{Permission, PermissionSet};
use crate::db;
use crate::domain::MemberId;
use crate::error::AppError;
use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::future::{Ready, ready};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Where a request came from, for the audit log.
#[derive(Clone, Debug)]
pub struct ClientInfo {
    /// The client's IP address.
    pub ip: Option<String>,
    /// The browser's User-Agent header, shortened.
    pub user_agent: Option<String>,
}

impl ClientInfo {
    fn from_request(req: &HttpRequest, trust_proxy: bool) -> Self {
        let peer = req.peer_addr().map(|a| a.ip());
        let ip = if trust_proxy {
            let forwarded = req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok());
            proxied_ip(forwarded, peer)
        } else {
            peer
        }
        .map(|ip| ip.to_string());
        let user_agent = req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(400).collect());
        Self { ip, user_agent }
    }

    /// The key rate limits count this client's requests under: its IPv4
    /// address, or the /64 network of its IPv6 one. One IPv6 subscriber or
    /// server holds a whole /64 (2^64 addresses), so counting per address
    /// would give each of its guesses a fresh allowance.
    pub fn rate_key(&self) -> IpAddr {
        let ip = self.ip.as_deref().and_then(|s| s.parse().ok());
        match ip {
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
            },
            Some(v4) => v4,
            None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        }
    }
}

/// The client's address behind the one proxy in front of Veridesk: the
/// last `X-Forwarded-For` entry, which that proxy appended. Entries before
/// it came from the client and can say anything, so they are not taken
/// (nor is `Forwarded`, which a proxy that only sets `X-Forwarded-For` passes
/// through untouched): a forged address would dodge the sign-in rate limit
/// and be written into the audit log. Without the header, the peer.
fn proxied_ip<'a>(headers: impl Iterator<Item = &'a str>, peer: Option<std::net::IpAddr>) -> Option<std::net::IpAddr> {
    let last = headers
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .last();
    match last {
        Some(entry) => entry
            .parse::<std::net::IpAddr>()
            .ok()
            .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
            .or(peer),
        None => peer,
    }
}

/// Any visitor, signed in or not.
pub struct Visitor {
    /// Shared state.
    pub state: web::Data<AppState>,
    /// The visitor's session.
    pub session: Session,
    /// Where the request came from.
    pub client: ClientInfo,
}

impl Visitor {
    /// The CSRF token to put in forms.
    pub fn csrf(&self) -> String {
        super::csrf::token(&self.session)
    }

    /// Messages waiting to be shown.
    pub fn take_flashes(&self) -> Vec<flash::Flash> {
        flash::take(&self.session)
    }

    /// Queues a message for the next page.
    pub fn flash(&self, kind: FlashKind, text: impl Into<String>) {
        flash::push(&self.session, kind, text);
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.state.clock.now()
    }

    /// The actor for events a visitor causes (e.g. a failed sign-in).
    pub fn actor(&self, label: &str) -> Actor {
        Actor::visitor(label, &self.client)
    }
}

fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::internal("application state missing"))
}

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(app_state(req).map(|state| {
            let client = ClientInfo::from_request(req, state.settings.trust_proxy);
            Visitor {
                session: req.get_session(),
                client,
                state,
            }
        }))
    }
}

/// The signed-in member, as loaded for this request.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct CurrentMember {
    /// Their id.
    pub id: MemberId,
    /// Their email.
    pub email: String,
    /// Their display name.
    pub name: String,
    /// Their role's id.
    pub role_id: uuid::Uuid,
    /// Their role's name.
    pub role_name: String,
    /// The built-in key of their role, if built in.
    pub role_builtin: Option<String>,
    /// What their role allows.
    pub permissions: PermissionSet,
    /// Their time zone, for showing times.
    pub time_zone: Tz,
}

impl CurrentMember {
    /// Whether the member holds the Owner role.
    pub fn is_owner(&self) -> bool {
        self.role_builtin.as_deref() == Some("owner")
    }

    /// A time in the member's zone, e.g. `2026-11-22 18:44 CET`.
    pub fn format_time(&self, at: DateTime<Utc>) -> String {
        self.day_and_time(at).as_str().to_string()
    }

    /// A time in the member's zone as lists show it, the day over the time
    /// of day: [`format_time`](Self::format_time) without allocating.
    pub fn day_and_time(&self, at: DateTime<Utc>) -> DayAndTime {
        use chrono::{Datelike, Timelike};
        use chrono_tz::OffsetName;
        use std::fmt::Write;
        let local = at.with_timezone(&self.time_zone);
        let mut text = DayAndTime {
            text: [0; DayAndTime::CAPACITY],
            len: 0,
        };
        text.digits(local.year().clamp(0, 9999) as u32, 4);
        text.push(b'-');
        text.digits(local.month(), 2);
        text.push(b'-');
        text.digits(local.day(), 2);
        text.push(b' ');
        text.digits(local.hour(), 2);
        text.push(b':');
        text.digits(local.minute(), 2);
        text.push(b' ');
        // The zone's abbreviation, or its offset (`+03`) where it has none,
        // as chrono-tz writes it.
        match local.offset().abbreviation() {
            Some(name) => text.push_str(name),
            None => {
                let _ = write!(text, "{}", local.offset());
            }
        }
        text
    }

    /// A time to the second, e.g. `2026-11-22 18:44:09 CET`: for the
    /// timeline and the audit log, where a burst of events would otherwise
    /// share one minute and read as simultaneous.
    pub fn format_time_seconds(&self, at: DateTime<Utc>) -> String {
        use chrono::{Datelike, Timelike};
        let local = at.with_timezone(&self.time_zone);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}",
            local.year(),
            local.month(),
            local.day(),
            local.hour(),
            local.minute(),
            local.second(),
            local.offset()
        )
    }
}

/// A time as [`CurrentMember::day_and_time`] writes it, in a buffer of
/// its own: lists show two per row, and three strings for each (the whole,
/// the day, the time) were most of a row's allocations.
///
/// The text holds digits, `-`, `:`, spaces and a zone's abbreviation or
/// offset (letters, digits, `+`, `-`), so templates may write it unescaped.
#[derive(Clone, Copy)]
pub struct DayAndTime {
    text: [u8; DayAndTime::CAPACITY],
    len: usize,
}

impl DayAndTime {
    /// `2026-11-22 18:44 ` and the longest abbreviation, with room to spare.
    const CAPACITY: usize = 40;
    /// `2026-11-22`: the year is clamped to four digits.
    const DAY: usize = 10;

    /// The whole time, e.g. `2026-11-22 18:44 CET`.
    pub fn as_str(&self) -> &str {
        // Only whole UTF-8 strings are pushed (see `push_str`).
        std::str::from_utf8(&self.text[..self.len]).unwrap_or_default()
    }

    /// The day, e.g. `2026-11-22`.
    pub fn day(&self) -> &str {
        self.as_str().get(..Self::DAY).unwrap_or_default()
    }

    /// The time of day and zone, e.g. `18:44 CET`.
    pub fn time(&self) -> &str {
        self.as_str().get(Self::DAY + 1..).unwrap_or_default()
    }

    fn push(&mut self, byte: u8) {
        if self.len < Self::CAPACITY {
            self.text[self.len] = byte;
            self.len += 1;
        }
    }

    /// `n` in `width` digits, zero-padded.
    fn digits(&mut self, n: u32, width: u32) {
        for place in (0..width).rev() {
            self.push(b'0' + (n / 10u32.pow(place) % 10) as u8);
        }
    }

    /// Appends `s` whole, or nothing if it does not fit.
    fn push_str(&mut self, s: &str) {
        if self.len + s.len() <= Self::CAPACITY {
            self.text[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
        }
    }
}

impl std::fmt::Write for DayAndTime {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

/// A signed-in, active member's request.
pub struct Ctx {
    /// The visitor part: state, session, client.
    pub visitor: Visitor,
    /// Who is signed in.
    pub member: CurrentMember,
    path: String,
}

impl Ctx {
    /// Fails with 403 unless the member's role allows `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.member.permissions.allows(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether the member may do `permission` (for showing buttons).
    pub fn can(&self, permission: Permission) -> bool {
        self.member.permissions.allows(permission)
    }

    /// The database pool.
    pub fn pool(&self) -> &db::DbPool {
        &self.visitor.state.pool
    }

    /// The shared state.
    pub fn state(&self) -> &AppState {
        &self.visitor.state
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.visitor.now()
    }

    /// The member as the actor of an event.
    pub fn actor(&self) -> Actor {
        Actor::member(&self.member, &self.visitor.client)
    }

    /// Queues a message for the next page.
    pub fn flash(&self, kind: FlashKind, text: impl Into<String>) {
        self.visitor.flash(kind, text);
    }

    /// Queues the outcome of an edit refused or done without a form to show
    /// again (a button): success for `Ok`, error for `Err`.
    pub fn flash_outcome(&self, outcome: Result<String, String>) {
        match outcome {
            Ok(message) => self.flash(FlashKind::Success, message),
            Err(message) => self.flash(FlashKind::Error, message),
        }
    }

    /// The request path (for "come back here" links).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The layout data for a page titled `title` under `nav`.
    pub fn chrome(&self, title: impl Into<String>, nav: Nav) -> Chrome {
        Chrome {
            title: title.into(),
            member_name: self.member.name.clone(),
            member_email: self.member.email.clone(),
            role_name: self.member.role_name.clone(),
            nav: Chrome::nav_for(&self.member.permissions, nav),
            flashes: self.visitor.take_flashes(),
            csrf: self.visitor.csrf(),
        }
    }
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(Visitor::from_request(req, payload).into_inner().and_then(|visitor| {
            let path = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into());
            let next = (req.method() == actix_web::http::Method::GET).then(|| path.clone());
            let member_id = match visitor.session.get::<uuid::Uuid>(MEMBER_KEY) {
                Ok(Some(id)) => id,
                _ => return Err(AppError::Unauthorized { next }),
            };
            // The session store loaded the member with the session, in the
            // same query; it is absent when they were deactivated or deleted.
            match visitor.session.get::<CurrentMember>(LOADED_MEMBER_KEY) {
                Ok(Some(member)) if member.id.0 == member_id => Ok(Ctx { visitor, member, path }),
                _ => {
                    visitor.session.purge();
                    Err(AppError::Unauthorized { next })
                }
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::permissions::PermissionSet;

    fn client_at(ip: &str) -> ClientInfo {
        ClientInfo {
            ip: Some(ip.into()),
            user_agent: None,
        }
    }

    #[test]
    fn rate_limits_count_ipv6_clients_by_their_network() {
        let key = |ip| client_at(ip).rate_key().to_string();
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::");
        assert_eq!(key("2001:db8:1:2:ffff:1:2:3"), key("2001:db8:1:2::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(client_at("not an address").rate_key().to_string(), "0.0.0.0");
    }

    fn member_in(zone: Tz) -> CurrentMember {
        CurrentMember {
            id: MemberId(uuid::Uuid::nil()),
            email: "a@example.test".into(),
            name: "A".into(),
            role_id: uuid::Uuid::nil(),
            role_name: "Owner".into(),
            role_builtin: None,
            permissions: PermissionSet::default(),
            time_zone: zone,
        }
    }

    #[test]
    fn a_proxied_ip_is_the_entry_the_proxy_added_last() {
        let peer: Option<std::net::IpAddr> = Some("10.0.0.1".parse().unwrap());
        let ip = |headers: &[&str]| proxied_ip(headers.iter().copied(), peer).map(|ip| ip.to_string());
        // The client claims 1.2.3.4; the proxy appends what it saw.
        assert_eq!(ip(&["1.2.3.4, 203.0.113.9"]).as_deref(), Some("203.0.113.9"));
        assert_eq!(ip(&["1.2.3.4", "203.0.113.9"]).as_deref(), Some("203.0.113.9"));
        assert_eq!(ip(&["[2001:db8::1]:4711"]).as_deref(), Some("2001:db8::1"));
        assert_eq!(ip(&["198.51.100.7:51000"]).as_deref(), Some("198.51.100.7"));
        assert_eq!(ip(&[]).as_deref(), Some("10.0.0.1"), "no header: the peer");
        assert_eq!(
            ip(&["unknown"]).as_deref(),
            Some("10.0.0.1"),
            "not an address: the peer"
        );
    }

    #[test]
    fn format_time_matches_strftime_in_every_kind_of_zone() {
        let at: DateTime<Utc> = "2026-07-01T23:05:09Z".parse().unwrap();
        for zone in [
            chrono_tz::UTC,
            chrono_tz::Europe::Paris,
            chrono_tz::Asia::Kolkata,
            chrono_tz::America::Sao_Paulo,
        ] {
            let expected = at.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string();
            assert_eq!(member_in(zone).format_time(at), expected);
            let to_the_second = at.with_timezone(&zone).format("%Y-%m-%d %H:%M:%S %Z").to_string();
            assert_eq!(member_in(zone).format_time_seconds(at), to_the_second);
        }
        assert_eq!(
            member_in(chrono_tz::Europe::Paris).format_time(at),
            "2026-07-02 01:05 CEST"
        );
        let shown = member_in(chrono_tz::America::Sao_Paulo).day_and_time(at);
        assert_eq!((shown.day(), shown.time()), ("2026-07-01", "20:05 -03"));
    }
}
