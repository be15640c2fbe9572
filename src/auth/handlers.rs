//! Sign-in, sign-out, password reset and first-run setup handlers.

use super::forms::{ForgotForm, ResetForm, SetupForm, SignInForm};
use super::pages::{ForgotPage, InvalidLinkPage, ResetPage, SetupPage, SignInPage};
use super::queries::{self, Attempt};
use super::safe_next;
use crate::audit::{self, Actor, EventKind};
use crate::auth::permissions::BuiltinRole;
use crate::db;
use crate::domain::{EmailAddress, Password, PersonName, SecretToken};
use crate::error::AppError;
use crate::outbox::{self, emails};
use crate::roles::queries::builtin_role_id;
use crate::settings::queries::{company_name, set_company_identity};
use crate::team::queries::create_active_member;
use crate::web::EmptyForm;
use crate::web::session_store::{LOADED_MEMBER_KEY, MEMBER_KEY, end_sessions_of};
use crate::web::{CsrfForm, CurrentMember, FlashKind, FormErrors, Visitor, csrf, redirect, render, render_status};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

const WRONG_CREDENTIALS: &str = "That email and password do not match an active account, or sign-in is paused after \
5 failed attempts (for 15 minutes). Check them and try again, or reset your password.";
/// Minimum time to answer a reset request, longer than the work for a known email.
const FORGOT_PASSWORD_MIN_MS: u64 = 250;
const TOO_MANY: &str = "Too many sign-in attempts from your network. Wait a minute and try again.";

/// Query of GET /sign-in.
#[derive(Deserialize)]
pub struct SignInQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    signed_out: Option<String>,
}

/// GET /sign-in
pub async fn sign_in_form(v: Visitor, query: web::Query<SignInQuery>) -> Result<HttpResponse, AppError> {
    if v.session.get::<uuid::Uuid>(MEMBER_KEY).ok().flatten().is_some() {
        return Ok(redirect(safe_next(&query.next)));
    }
    let setup_available = !db::run(&v.state.pool, |conn| Ok(queries::any_member(conn)?)).await?;
    let mut flashes = v.take_flashes();
    if query.signed_out.is_some() {
        flashes.push(crate::web::Flash {
            kind: FlashKind::Info,
            text: "You have signed out.".into(),
        });
    }
    render(&SignInPage {
        title: "Sign in",
        flashes,
        csrf: v.csrf(),
        email: String::new(),
        next: query.next.clone(),
        error: None,
        setup_available,
    })
}

fn sign_in_again(v: &Visitor, form: &SignInForm, error: &str, status: StatusCode) -> Result<HttpResponse, AppError> {
    render_status(
        status,
        &SignInPage {
            title: "Sign in",
            flashes: Vec::new(),
            csrf: v.csrf(),
            email: form.email.clone(),
            next: form.next.clone(),
            error: Some(error.to_string()),
            setup_available: false,
        },
    )
}

/// POST /sign-in
pub async fn sign_in(v: Visitor, CsrfForm(form): CsrfForm<SignInForm>) -> Result<HttpResponse, AppError> {
    if v.state.signin_limiter.check_key(&v.client.rate_key()).is_err() {
        return sign_in_again(&v, &form, TOO_MANY, StatusCode::TOO_MANY_REQUESTS);
    }
    let Ok(email) = EmailAddress::parse(&form.email) else {
        return sign_in_again(
            &v,
            &form,
            "Enter the email address you were invited with.",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    super::slow_down(&v.state.signin_pacer, email.as_str()).await;
    let lookup = email.as_str().to_string();
    let member = db::run(&v.state.pool, move |conn| {
        Ok(queries::find_active_by_email(conn, &lookup)?)
    })
    .await?;
    let hash = member.as_ref().and_then(|m| m.password_hash.clone());
    // Always hash, known email or not, so the response time says nothing.
    let password_ok = v.state.hasher.verify(form.password.clone(), hash.clone()).await?;
    let now = v.now();

    let Some(member) = member else {
        let actor = v.actor(&email.as_str().chars().take(120).collect::<String>());
        db::run(&v.state.pool, move |conn| {
            audit::record(
                conn,
                now,
                &actor,
                EventKind::SignInFailed,
                None,
                json!({ "reason": "unknown email" }),
            )?;
            Ok(())
        })
        .await?;
        return sign_in_again(&v, &form, WRONG_CREDENTIALS, StatusCode::UNAUTHORIZED);
    };

    // Anyone may type a member's email: a refused attempt is a visitor's,
    // about that member, not the member's own doing.
    let refused_actor = v.actor(&member.email);
    let signed_in_actor = Actor::member_at_door(member.id, &member.email, &v.client);
    let base_url = v.state.settings.base_url.clone();
    let attempt = db::run(&v.state.pool, move |conn| {
        let attempt = queries::settle_attempt(conn, member.id, hash.as_deref(), password_ok, now)?;
        let subject = Some(("member", member.id.to_string()));
        let reason = match attempt {
            Attempt::SignedIn => {
                audit::record(conn, now, &signed_in_actor, EventKind::SignedIn, subject, json!({}))?;
                return Ok(attempt);
            }
            Attempt::WrongPassword { .. } => "wrong password",
            Attempt::Locked => "locked",
            Attempt::Inactive => "inactive",
        };
        audit::record(
            conn,
            now,
            &refused_actor,
            EventKind::SignInFailed,
            subject.clone(),
            json!({ "reason": reason }),
        )?;
        if attempt == (Attempt::WrongPassword { locked: true }) {
            let until = now + queries::LOCK_DURATION;
            audit::record(
                conn,
                now,
                &refused_actor,
                EventKind::LockedOut,
                subject,
                json!({ "until": until.to_rfc3339() }),
            )?;
            let company = company_name(conn)?;
            let zone: chrono_tz::Tz = member.time_zone.parse().unwrap_or(chrono_tz::UTC);
            let email = emails::LockedOut {
                company: &company,
                name: &member.name,
                until: &until.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string(),
                reset_url: &format!("{base_url}/forgot-password"),
            }
            .compose(&member.email)?;
            outbox::queue(conn, now, email)?;
        }
        Ok(attempt)
    })
    .await?;
    if attempt != Attempt::SignedIn {
        v.state.outbox_wakeup.notify_one();
        return sign_in_again(&v, &form, WRONG_CREDENTIALS, StatusCode::UNAUTHORIZED);
    }
    // A new session id at sign-in defeats session fixation; a new CSRF
    // token makes any token seen before sign-in useless.
    v.session.renew();
    v.session.remove("flash");
    v.session
        .insert(MEMBER_KEY, member.id)
        .map_err(|e| AppError::internal(format!("session: {e}")))?;
    csrf::rotate(&v.session);
    Ok(redirect(safe_next(&form.next)))
}

/// POST /sign-out
pub async fn sign_out(v: Visitor, _form: CsrfForm<EmptyForm>) -> Result<HttpResponse, AppError> {
    // The session store loaded the member with the session; none means
    // they were not signed in, or no longer may be.
    if let Ok(Some(member)) = v.session.get::<CurrentMember>(LOADED_MEMBER_KEY) {
        let now = v.now();
        let actor = Actor::member(&member, &v.client);
        db::run(&v.state.pool, move |conn| {
            audit::record(
                conn,
                now,
                &actor,
                EventKind::SignedOut,
                Some(("member", member.id.to_string())),
                json!({}),
            )?;
            Ok(())
        })
        .await?;
    }
    v.session.purge();
    Ok(redirect("/sign-in?signed_out=1"))
}

/// GET /forgot-password
pub async fn forgot_password_form(v: Visitor) -> Result<HttpResponse, AppError> {
    render(&ForgotPage {
        title: "Reset your password",
        flashes: v.take_flashes(),
        csrf: v.csrf(),
        email: String::new(),
        errors: FormErrors::new(),
        sent: false,
    })
}

/// POST /forgot-password
pub async fn forgot_password(v: Visitor, CsrfForm(form): CsrfForm<ForgotForm>) -> Result<HttpResponse, AppError> {
    if v.state.signin_limiter.check_key(&v.client.rate_key()).is_err() {
        return Err(AppError::TooManyRequests);
    }
    let mut errors = FormErrors::new();
    let Some(email) = errors.check("email", EmailAddress::parse(&form.email)) else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ForgotPage {
                title: "Reset your password",
                flashes: Vec::new(),
                csrf: v.csrf(),
                email: form.email,
                errors,
                sent: false,
            },
        );
    };
    // Known and unknown emails take the same time to answer: the work for
    // a known one (token, email, audit) is padded up to a fixed minimum.
    let answer_at = tokio::time::Instant::now() + std::time::Duration::from_millis(FORGOT_PASSWORD_MIN_MS);
    let now = v.now();
    let base_url = v.state.settings.base_url.clone();
    let client = v.client.clone();
    db::run(&v.state.pool, move |conn| {
        let Some(member) = queries::find_active_by_email(conn, email.as_str())? else {
            return Ok(());
        };
        let token = SecretToken::generate();
        queries::create_password_reset(conn, member.id, &token.hash, now)?;
        let company = company_name(conn)?;
        let mail = emails::PasswordReset {
            company: &company,
            name: &member.name,
            url: &format!("{base_url}/reset-password/{}", token.plain),
        }
        .compose(&member.email)?;
        outbox::queue(conn, now, mail)?;
        // Whoever typed the email asked, not necessarily the member.
        let actor = Actor::visitor(&member.email, &client);
        audit::record(
            conn,
            now,
            &actor,
            EventKind::PasswordResetRequested,
            Some(("member", member.id.to_string())),
            json!({}),
        )?;
        Ok(())
    })
    .await?;
    v.state.outbox_wakeup.notify_one();
    tokio::time::sleep_until(answer_at).await;
    render(&ForgotPage {
        title: "Check your email",
        flashes: Vec::new(),
        csrf: v.csrf(),
        email: String::new(),
        errors: FormErrors::new(),
        sent: true,
    })
}

fn invalid_link() -> Result<HttpResponse, AppError> {
    render_status(
        StatusCode::GONE,
        &InvalidLinkPage {
            title: "This link no longer works",
            flashes: Vec::new(),
            message: "Password reset links work once and expire after one hour. Ask for a new one.",
        },
    )
}

/// GET /reset-password/{token}
pub async fn reset_password_form(v: Visitor, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let hash = SecretToken::hash(&token);
    let now = v.now();
    let found = db::run(&v.state.pool, move |conn| Ok(queries::find_reset(conn, &hash, now)?)).await?;
    let Some((_, member)) = found else {
        return invalid_link();
    };
    render(&ResetPage {
        title: "Choose a new password",
        flashes: Vec::new(),
        csrf: v.csrf(),
        action: format!("/reset-password/{}", token.as_str()),
        email: member.email,
        errors: FormErrors::new(),
    })
}

/// POST /reset-password/{token}
pub async fn reset_password(
    v: Visitor,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let hash = SecretToken::hash(&token);
    let now = v.now();
    let lookup = hash.clone();
    let found = db::run(&v.state.pool, move |conn| Ok(queries::find_reset(conn, &lookup, now)?)).await?;
    let Some((reset_id, member)) = found else {
        return invalid_link();
    };
    let mut errors = FormErrors::new();
    let password = errors.check("password", Password::parse(&form.password, &member.email));
    if form.password != form.password_confirmation {
        errors.add("password_confirmation", "The two passwords are not the same.");
    }
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ResetPage {
                title: "Choose a new password",
                flashes: Vec::new(),
                csrf: v.csrf(),
                action: format!("/reset-password/{}", token.as_str()),
                email: member.email,
                errors,
            },
        );
    };
    let password_hash = v.state.hasher.hash(password.expose().to_string()).await?;
    let actor = Actor::member_at_door(member.id, &member.email, &v.client);
    let done = db::run(&v.state.pool, move |conn| {
        if !queries::complete_reset(conn, reset_id, member.id, &password_hash, now)? {
            return Ok(false);
        }
        // Whoever knew the old password is signed out everywhere.
        end_sessions_of(conn, member.id)?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::PasswordReset,
            Some(("member", member.id.to_string())),
            json!({}),
        )?;
        Ok(true)
    })
    .await?;
    if !done {
        return invalid_link();
    }
    v.flash(
        FlashKind::Success,
        "Your password was changed. Sign in with your new password.",
    );
    Ok(redirect("/sign-in"))
}

/// GET /setup — exists only while there are no members.
pub async fn setup_form(v: Visitor) -> Result<HttpResponse, AppError> {
    if db::run(&v.state.pool, |conn| Ok(queries::any_member(conn)?)).await? {
        return Err(AppError::NotFound);
    }
    render(&SetupPage {
        title: "Set up Veridesk",
        flashes: Vec::new(),
        csrf: v.csrf(),
        company: String::new(),
        name: String::new(),
        email: String::new(),
        errors: FormErrors::new(),
    })
}

/// POST /setup
pub async fn setup(v: Visitor, CsrfForm(form): CsrfForm<SetupForm>) -> Result<HttpResponse, AppError> {
    if db::run(&v.state.pool, |conn| Ok(queries::any_member(conn)?)).await? {
        return Err(AppError::NotFound);
    }
    let mut errors = FormErrors::new();
    let company = errors.check("company", crate::settings::forms::parse_company_name(&form.company));
    let name = errors.check("name", PersonName::parse(&form.name));
    let email = errors.check("email", EmailAddress::parse(&form.email));
    let password = errors.check("password", Password::parse(&form.password, &form.email));
    if form.password != form.password_confirmation {
        errors.add("password_confirmation", "The two passwords are not the same.");
    }
    let (Some(company), Some(name), Some(email), Some(password), true) =
        (company, name, email, password, errors.is_empty())
    else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetupPage {
                title: "Set up Veridesk",
                flashes: Vec::new(),
                csrf: v.csrf(),
                company: form.company,
                name: form.name,
                email: form.email,
                errors,
            },
        );
    };
    let password_hash = v.state.hasher.hash(password.expose().to_string()).await?;
    let now = v.now();
    let client = v.client.clone();
    let member_id = db::run(&v.state.pool, move |conn| {
        // Serialise concurrent setups: only the first one creates an owner.
        diesel::sql_query("LOCK TABLE members IN EXCLUSIVE MODE").execute(conn)?;
        if queries::any_member(conn)? {
            return Err(AppError::Conflict(
                "Veridesk has already been set up. Sign in instead.".into(),
            ));
        }
        let owner = builtin_role_id(conn, BuiltinRole::Owner)?;
        let id = create_active_member(conn, &email, &name, &password_hash, owner, now)?;
        set_company_identity(conn, &company, now)?;
        let actor = Actor::member_at_door(id, email.as_str(), &client);
        audit::record(
            conn,
            now,
            &actor,
            EventKind::SetupCompleted,
            Some(("member", id.to_string())),
            json!({ "company": company }),
        )?;
        Ok(id)
    })
    .await?;
    v.session.renew();
    v.session
        .insert(MEMBER_KEY, member_id)
        .map_err(|e| AppError::internal(format!("session: {e}")))?;
    csrf::rotate(&v.session);
    v.flash(
        FlashKind::Success,
        "Welcome to Veridesk. Invite your teammates from the Team page.",
    );
    Ok(redirect("/"))
}

use diesel::RunQueryDsl as _;
