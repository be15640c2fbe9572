//! The background worker that delivers outbox messages.

use super::queries::{OutboxMessage, add_to_note, claim_due, mark_failed, mark_sent, note_sent};
use crate::audit::{self, Actor, EventKind};
use crate::web::AppState;
use lettre::address::Envelope;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::{Duration, Instant};

/// Where messages go.
pub enum Transport {
    /// A real SMTP server. One connection per message: lettre's connection
    /// pool spawns a task when dropped, which panics once the runtime is
    /// shutting down, and our volume does not need pooling.
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
    /// The development mailbox: messages stay in the outbox, shown in the back-office.
    Mailbox,
}

impl Transport {
    /// Builds the transport from the settings.
    pub fn from_settings(smtp_url: Option<&str>) -> anyhow::Result<Self> {
        match smtp_url {
            None => Ok(Self::Mailbox),
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("invalid SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(15)))
                    .build();
                Ok(Self::Smtp(Box::new(transport)))
            }
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Smtp(_) => "smtp",
            Self::Mailbox => "mailbox",
        }
    }
}

fn build_message(message: &OutboxMessage, from_address: &str) -> Result<Message, String> {
    let from = Mailbox::new(
        Some(message.from_name.clone()),
        from_address.parse().map_err(|e| format!("sender address: {e}"))?,
    );
    let mut builder = Message::builder()
        .from(from)
        .to(message
            .to_address
            .parse()
            .map_err(|e| format!("recipient {}: {e}", message.to_address))?)
        .subject(message.subject.clone())
        .message_id(None);
    for cc in &message.cc_addresses {
        builder = builder.cc(cc.parse().map_err(|e| format!("cc {cc}: {e}"))?);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            message.body_text.clone(),
            message.body_html.clone(),
        ))
        .map_err(|e| format!("building the message: {e}"))
}

/// Why a delivery failed, and whether trying again could help.
#[derive(Default)]
struct Failure {
    error: String,
    /// A message that cannot be built, or a server's refusal of this
    /// message's mailbox (550–553, such as "no such user"): retrying would
    /// only delay the "failed" the officer needs to see.
    permanent: bool,
    /// Cc addresses put off by their server ("try later") when the
    /// recipient's was refused for good: they get a copy of their own.
    retry_cc: Vec<String>,
}

/// Whether an SMTP error refuses this message's mailbox for good. Other
/// permanent replies concern the server or its settings (530 and 535:
/// authentication; 554 at the greeting: no service): every email would
/// meet them, and they end once the settings are fixed, so those emails
/// keep being retried.
fn refuses_mailbox(error: &lettre::transport::smtp::Error) -> bool {
    error.is_permanent()
        && error
            .status()
            .is_some_and(|code| matches!(code.to_string().as_str(), "550" | "551" | "552" | "553"))
}

/// A message that reached its recipient.
#[derive(Default)]
struct Delivered {
    /// What did not go as sent, for the officer: the cc addresses refused
    /// for good, or put off by their server.
    note: Option<String>,
    /// Cc addresses whose server asked to try later: they get a copy of
    /// their own, retried like any message.
    retry_cc: Vec<String>,
}

/// Sends the message: to its recipient and every cc, or, when the server
/// refuses a cc, to the recipient and each cc it takes.
async fn deliver(transport: &Transport, message: &OutboxMessage, from_address: &str) -> Result<Delivered, Failure> {
    let smtp = match transport {
        Transport::Mailbox => return Ok(Delivered::default()),
        Transport::Smtp(smtp) => smtp,
    };
    let email = build_message(message, from_address).map_err(|error| Failure {
        error,
        permanent: true,
        ..Failure::default()
    })?;
    let failure = |e: lettre::transport::smtp::Error| Failure {
        permanent: refuses_mailbox(&e),
        error: e.to_string(),
        ..Failure::default()
    };
    match smtp.send(email.clone()).await {
        Ok(_) => Ok(Delivered::default()),
        // One refused address ends the whole SMTP transaction: a mistyped
        // cc, or a colleague's server that greylists (451, try later),
        // would keep the link from the applicant. Send each copy on its own
        // instead: the recipient's first, whose failure is the message's.
        Err(e) if (refuses_mailbox(&e) || e.is_transient()) && !message.cc_addresses.is_empty() => {
            let raw = email.formatted();
            let from = email.envelope().from().cloned();
            let alone = |to: &str| -> Result<Envelope, Failure> {
                let address = to.parse().map_err(|e| Failure {
                    error: format!("{to}: {e}"),
                    permanent: true,
                    ..Failure::default()
                })?;
                Envelope::new(from.clone(), vec![address]).map_err(|e| Failure {
                    error: e.to_string(),
                    permanent: true,
                    ..Failure::default()
                })
            };
            if let Err(e) = smtp.send_raw(&alone(&message.to_address)?, &raw).await {
                let refused = failure(e);
                if !refused.permanent {
                    // Retried whole later: copies sent now would go twice.
                    return Err(refused);
                }
                // The recipient's address is refused for good, but the cc's
                // follow the case and may reach the applicant another way:
                // they still get their copy, and the failure says so. A cc
                // put off by its server gets a copy of its own, as below.
                let (mut got, mut lost, mut retry_cc) = (Vec::new(), Vec::new(), Vec::new());
                for cc in &message.cc_addresses {
                    match smtp.send_raw(&alone(cc)?, &raw).await {
                        Ok(_) => got.push(cc.as_str()),
                        Err(e) if refuses_mailbox(&e) => lost.push(format!("{cc} ({e})")),
                        Err(_) => retry_cc.push(cc.clone()),
                    }
                }
                let mut error = refused.error;
                if !got.is_empty() {
                    error = format!("{error}; {} {} all the same", super::CC_GOT_THEIR_COPY, got.join(", "));
                }
                if !lost.is_empty() {
                    error = format!("{error}; not delivered to cc {}", lost.join(", "));
                }
                if !retry_cc.is_empty() {
                    error = format!(
                        "{error}; cc {} put off by their server; retried on its own",
                        retry_cc.join(", ")
                    );
                }
                return Err(Failure {
                    error,
                    permanent: true,
                    retry_cc,
                });
            }
            let (mut refused, mut retry_cc) = (Vec::new(), Vec::new());
            for cc in &message.cc_addresses {
                match smtp.send_raw(&alone(cc)?, &raw).await {
                    Ok(_) => {}
                    Err(e) if refuses_mailbox(&e) => refused.push(format!("{cc} ({e})")),
                    Err(_) => retry_cc.push(cc.clone()),
                }
            }
            let mut notes = Vec::new();
            if !refused.is_empty() {
                notes.push(format!("not delivered to cc {}", refused.join(", ")));
            }
            if !retry_cc.is_empty() {
                notes.push(format!(
                    "cc {} put off by their server; retried on its own",
                    retry_cc.join(", ")
                ));
            }
            Ok(Delivered {
                note: (!notes.is_empty()).then(|| notes.join("; ")),
                retry_cc,
            })
        }
        Err(e) => Err(failure(e)),
    }
}

/// Stores delivery outcomes; a message that used up its attempts is audited.
async fn record(
    state: &AppState,
    transport: &Transport,
    sent: Vec<(uuid::Uuid, Delivered)>,
    failed: Vec<(OutboxMessage, Failure)>,
) -> anyhow::Result<()> {
    if sent.is_empty() && failed.is_empty() {
        return Ok(());
    }
    let pool = state.pool.clone();
    let now = state.clock.now();
    let transport_name = transport.name();
    let forget_links = matches!(transport, Transport::Smtp(_));
    actix_web::web::block(move || -> anyhow::Result<()> {
        use diesel::Connection;
        let mut conn = pool.get()?;
        // One transaction: a message marked failed always has its audit event.
        conn.transaction(|conn| -> anyhow::Result<()> {
            // An email purged with its applicant while it was being sent
            // has nothing left to record.
            let all: Vec<uuid::Uuid> = sent
                .iter()
                .map(|(id, _)| *id)
                .chain(failed.iter().map(|(m, _)| m.id))
                .collect();
            let kept = super::queries::still_stored(conn, &all)?;
            let sent: Vec<_> = sent.into_iter().filter(|(id, _)| kept.contains(id)).collect();
            let failed: Vec<_> = failed.into_iter().filter(|(m, _)| kept.contains(&m.id)).collect();
            // Copies for the cc's put off go first: they copy the body
            // before marking it sent takes the links' tokens out of it.
            for (id, delivered) in &sent {
                crate::outbox::queue_cc_copy(conn, *id, &delivered.retry_cc, now)?;
            }
            let ids: Vec<uuid::Uuid> = sent.iter().map(|(id, _)| *id).collect();
            mark_sent(conn, &ids, now, transport_name, forget_links)?;
            // The log names no address and quotes no server reply (which
            // often repeats the address): the purge cannot reach the log.
            // The outbox page shows both, until the purge.
            for (id, delivered) in &sent {
                if let Some(note) = &delivered.note {
                    tracing::warn!(%id, "email sent, but not to every cc");
                    note_sent(conn, *id, note)?;
                }
            }
            for (
                message,
                Failure {
                    error,
                    permanent,
                    retry_cc,
                },
            ) in failed
            {
                tracing::warn!(id = %message.id, permanent, "email delivery failed; the reason is on the outbox page");
                if mark_failed(conn, &message, now, &error, permanent)? {
                    crate::outbox::queue_cc_copy(conn, message.id, &retry_cc, now)?;
                    super::queries::forget_if_never_sent_again(conn, &message)?;
                    // A cc's own copy failing for good is said on the email
                    // it was made from, which the applicant's profile shows.
                    if let Some(original) = message.cc_copy_of {
                        add_to_note(
                            conn,
                            original,
                            &format!("the copy to cc {} failed: {error}", message.to_address),
                        )?;
                    }
                    // An applicant's email fails on their timeline, beside
                    // the event that queued it; the purge clears it with them.
                    let subject = match message.applicant_id {
                        Some(applicant) => ("applicant", applicant.to_string()),
                        None => ("email", message.id.to_string()),
                    };
                    audit::record(
                        conn,
                        now,
                        &Actor::system("outbox"),
                        EventKind::EmailFailed,
                        Some(subject),
                        serde_json::json!({
                            "email": message.id,
                            "to": message.to_address,
                            "subject": message.subject,
                            "error": error,
                        }),
                    )?;
                }
            }
            Ok(())
        })
    })
    .await??;
    Ok(())
}

/// Delivers every due message once; returns how many were handled.
pub async fn run_once(state: &AppState, transport: &Transport) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let pool = state.pool.clone();
    let due = actix_web::web::block(move || -> anyhow::Result<_> {
        let mut conn = pool.get()?;
        let mut due = claim_due(&mut conn, now, 20)?;
        // A cc's own copy of a link's email goes only while the link can be
        // used: withdrawn, it would hand a dead link, and the applicant's
        // name, to the cc.
        let mut dead = Vec::new();
        for m in &due {
            if let (Some(original), Some(applicant)) = (m.cc_copy_of, m.applicant_id)
                && !crate::verifications::queries::emailed_link_live(&mut conn, applicant, original, now)?
            {
                dead.push(m.id);
                super::queries::add_to_note(
                    &mut conn,
                    original,
                    &format!(
                        "the copy to cc {} was not sent: its link was withdrawn or expired",
                        m.to_address
                    ),
                )?;
            }
        }
        if !dead.is_empty() {
            super::queries::cancel_waiting(&mut conn, &dead, "its link was withdrawn or expired")?;
            super::queries::forget_links(&mut conn, &dead)?;
            due.retain(|m| !dead.contains(&m.id));
        }
        Ok(due)
    })
    .await??;
    let count = due.len();
    // Outcomes are recorded together, once a second and at the end: one
    // update for a run of instant deliveries, yet a slow SMTP server never
    // leaves many sent emails unrecorded, where a crash or an expired lease
    // would send them again.
    let mut sent = Vec::new();
    let mut failed = Vec::new();
    let mut since = Instant::now();
    for message in due {
        match deliver(transport, &message, &state.settings.mail_from).await {
            Ok(delivered) => sent.push((message.id, delivered)),
            Err(error) => failed.push((message, error)),
        }
        if since.elapsed() >= Duration::from_secs(1) {
            record(state, transport, std::mem::take(&mut sent), std::mem::take(&mut failed)).await?;
            since = Instant::now();
        }
    }
    record(state, transport, sent, failed).await?;
    Ok(count)
}

/// Runs forever: delivers due messages, then sleeps until woken or the
/// poll interval passes.
pub async fn run(state: AppState, transport: Transport) {
    let poll = Duration::from_millis(state.settings.outbox_poll_ms);
    loop {
        match run_once(&state, &transport).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "outbox worker"),
        }
        let _ = tokio::time::timeout(poll, state.outbox_wakeup.notified()).await;
    }
}
