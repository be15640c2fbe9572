//! Creating a verification session: a verification, its link, and the
//! email that carries it.

use super::forms::SessionForm;
use super::pages::{CreatedPage, FlowChoice, NewSessionPage, TemplateChoice};
use super::queries;
use crate::applicants::queries as applicants;
use crate::audit::{self, EventKind};
use crate::auth::permissions::Permission;
use crate::db;
use crate::domain::SecretToken;
use crate::email_templates::placeholders::{Values, format_expiry};
use crate::email_templates::queries as templates;
use crate::error::AppError;
use crate::outbox;
use crate::web::parse_id;
use crate::web::{CsrfForm, Ctx, FormErrors, Nav, render_status};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::json;
use uuid::Uuid;

async fn form_page(
    ctx: &Ctx,
    applicant: Uuid,
    form: Option<SessionForm>,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let ((found, _, _), flows, saved) = db::run(ctx.pool(), move |conn| {
        Ok((
            applicants::find(conn, applicant)?,
            queries::flow_choices(conn, "regular")?,
            templates::list(conn)?,
        ))
    })
    .await?;
    let form = form.unwrap_or_else(|| {
        let flow = found
            .flow_id
            .filter(|f| flows.iter().any(|c| c.0 == *f))
            .or_else(|| flows.first().map(|c| c.0));
        let defaults = flows.iter().find(|c| Some(c.0) == flow);
        SessionForm {
            flow_id: flow.map(|f| f.to_string()).unwrap_or_default(),
            expiry_value: defaults.map_or(72, |d| d.2).to_string(),
            expiry_unit: "hours".into(),
            session_minutes: defaults.map_or(30, |d| d.3).to_string(),
            send_email: found.email.is_some().then(|| "on".into()),
            recipient: found.email.clone().unwrap_or_default(),
            cc: String::new(),
            template_id: String::new(),
            subject: crate::email_templates::DEFAULT_SUBJECT.into(),
            body: crate::email_templates::DEFAULT_BODY.into(),
        }
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &NewSessionPage {
            chrome: ctx.chrome("Create verification session", Nav::Applicants),
            applicant_id: applicant.to_string(),
            applicant_name: found.name,
            form,
            errors,
            flows: flows
                .into_iter()
                .map(|(id, name, expiry_hours, session_minutes)| FlowChoice {
                    id: id.to_string(),
                    name,
                    expiry_hours,
                    session_minutes,
                })
                .collect(),
            templates: saved
                .into_iter()
                .map(|t| TemplateChoice {
                    id: t.id.to_string(),
                    name: t.name,
                    subject: t.subject,
                    body: t.body,
                })
                .collect(),
        },
    )
}

/// GET /applicants/{id}/sessions/new
pub async fn new_session_form(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsSendLinks)?;
    form_page(&ctx, parse_id(&path)?, None, FormErrors::new()).await
}

/// POST /applicants/{id}/sessions
pub async fn create_session(
    ctx: Ctx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<SessionForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApplicantsSendLinks)?;
    let applicant_id = parse_id(&path)?;
    let template_id: Option<Uuid> = form.template_id.parse().ok();
    let (flow_ids, template) = db::read(ctx.pool(), move |conn| {
        applicants::find(conn, applicant_id)?;
        let template = match template_id {
            Some(id) => templates::find(conn, id).ok().map(|t| (t.subject, t.body)),
            None => None,
        };
        Ok((queries::usable_flow_ids(conn, "regular")?, template))
    })
    .await?;
    let valid = match form.parse(&flow_ids, template) {
        Ok(valid) => valid,
        Err(errors) => return form_page(&ctx, applicant_id, Some(form), errors).await,
    };
    let (now, actor, by) = (ctx.now(), ctx.actor(), ctx.member.id.0);
    let base_url = ctx.state().settings.base_url.clone();
    let token = SecretToken::generate();
    let url = format!("{base_url}/v/{}", token.plain);
    let plan = valid.clone();
    let link_url = url.clone();
    let created = db::run(ctx.pool(), move |conn| {
        let (applicant, _, _) = applicants::find(conn, applicant_id)?;
        let Some(queries::UsableFlow {
            name: flow_name,
            version_id: version,
            number,
            definition,
            ..
        }) = queries::usable_flow(conn, plan.flow_id)?
        else {
            return Ok(Err(
                "That flow was archived or unpublished meanwhile; choose another.".to_string()
            ));
        };
        let revoked = queries::revoke_links(conn, applicant_id, "replaced by a new verification session", now)?;
        let verification = queries::start(
            conn,
            applicant_id,
            plan.flow_id,
            version,
            "regular",
            &definition,
            Some(by),
            now,
        )?;
        let expires_at = now + plan.expires_in;
        let max_attempts = i32::try_from(definition.settings.max_attempts).unwrap_or(10);
        let link = queries::create_link(
            conn,
            verification,
            &token.hash,
            expires_at,
            plan.session_minutes,
            max_attempts,
            Some(by),
            now,
        )?;
        let subject = Some(("applicant", applicant_id.to_string()));
        audit::record(
            conn,
            now,
            &actor,
            EventKind::VerificationStarted,
            subject.clone(),
            json!({ "flow": flow_name, "flow_version": number, "revoked_links": revoked }),
        )?;
        audit::record(
            conn,
            now,
            &actor,
            EventKind::LinkCreated,
            subject.clone(),
            json!({ "expires_at": expires_at.to_rfc3339(), "session_minutes": plan.session_minutes }),
        )?;
        let mut email_to = String::new();
        let mut email_cc = String::new();
        if let Some(email) = &plan.email {
            let company = crate::settings::queries::company_name(conn)?;
            let values = Values {
                session_url: link_url.clone(),
                applicant_name: applicant.name.clone(),
                link_expires_at: format_expiry(expires_at, &applicant.language),
                company_name: company,
            };
            let message = super::email::compose(&email.to, &email.cc, &email.subject, &email.body, &values)?;
            let message_id = outbox::queue(conn, now, message)?;
            queries::attach_email(conn, link, message_id)?;
            audit::record(
                conn,
                now,
                &actor,
                EventKind::LinkEmailQueued,
                subject,
                json!({ "to": email.to, "cc": email.cc.join(", ") }),
            )?;
            email_to.clone_from(&email.to);
            email_cc = email.cc.join(", ");
        }
        Ok(Ok((applicant.name, flow_name, expires_at, email_to, email_cc)))
    })
    .await?;
    let (name, flow_name, expires_at, email_to, email_cc) = match created {
        Ok(done) => done,
        Err(message) => {
            let mut errors = FormErrors::new();
            errors.add("flow_id", message);
            return form_page(&ctx, applicant_id, Some(form), errors).await;
        }
    };
    ctx.state().outbox_wakeup.notify_one();
    render_status(
        StatusCode::OK,
        &CreatedPage {
            chrome: ctx.chrome("Verification session created", Nav::Applicants),
            applicant_id: applicant_id.to_string(),
            applicant_name: name,
            url,
            expires: ctx.member.format_time(expires_at),
            session_minutes: valid.session_minutes,
            flow_name,
            email_status: if email_to.is_empty() {
                String::new()
            } else {
                "queued".into()
            },
            email_to,
            email_cc,
        },
    )
}
