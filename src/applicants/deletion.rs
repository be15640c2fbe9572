//! The purge: after the grace period, an applicant scheduled for deletion
//! loses every piece of personal data (profile, step data, emails, comments,
//! IP addresses); an anonymous record remains that a verification existed
//! and how it was decided.

use super::profile::DELETION_GRACE_DAYS;
use crate::audit::{self, Actor, EventKind};
use crate::db::schema::{
    applicant_search, applicants, events, outbox_messages, reviews, session_links, step_results, verifications,
};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// Purges every applicant whose grace period ended, each in its own
/// transaction, so that one that cannot be purged holds back no other; it
/// is logged and tried again on the next run. Returns how many were purged.
pub fn purge_due(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    let due = || {
        applicants::table
            .filter(applicants::deletion_scheduled_at.le(now - Duration::days(DELETION_GRACE_DAYS)))
            .filter(applicants::purged_at.is_null())
    };
    let ids: Vec<Uuid> = due().select(applicants::id).load(conn)?;
    let mut purged = 0;
    for id in ids {
        let outcome = conn.transaction(|conn| {
            // Still due (not restored meanwhile), and not being purged by
            // another instance.
            let still_due: Option<Uuid> = due()
                .filter(applicants::id.eq(id))
                .select(applicants::id)
                .for_update()
                .skip_locked()
                .first(conn)
                .optional()?;
            match still_due {
                Some(_) => purge(conn, id, now).map(|()| true),
                None => Ok(false),
            }
        });
        match outcome {
            Ok(true) => purged += 1,
            Ok(false) => {}
            Err(error) => tracing::error!(applicant = %id, %error, "could not purge an applicant's personal data"),
        }
    }
    Ok(purged)
}

fn purge(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    let verification_ids: Vec<Uuid> = verifications::table
        .filter(verifications::applicant_id.eq(id))
        .select(verifications::id)
        .load(conn)?;
    // The emails sent to her, by the applicant they name: not by address,
    // which another applicant may share, and whose emails are theirs.
    let messages: Vec<Uuid> = outbox_messages::table
        .filter(outbox_messages::applicant_id.eq(id))
        .select(outbox_messages::id)
        .load(conn)?;
    // A failed delivery's event names the recipient and the subject.
    diesel::update(
        events::table
            .filter(events::subject_type.eq("email"))
            .filter(events::subject_id.eq_any(messages.iter().map(Uuid::to_string).collect::<Vec<_>>())),
    )
    .set(events::details.eq(serde_json::json!({})))
    .execute(conn)?;
    // Its links go too: a dead link opened later would record the
    // visitor's address on a timeline that must keep none.
    diesel::delete(session_links::table.filter(session_links::applicant_id.eq(id))).execute(conn)?;
    diesel::delete(outbox_messages::table.filter(outbox_messages::id.eq_any(&messages))).execute(conn)?;
    diesel::update(step_results::table.filter(step_results::verification_id.eq_any(&verification_ids)))
        .set((
            step_results::data.eq(serde_json::json!({})),
            step_results::comment.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::update(reviews::table.filter(reviews::applicant_id.eq(id)))
        .set((
            reviews::comment_applicant.eq(None::<String>),
            reviews::comment_internal.eq(None::<String>),
        ))
        .execute(conn)?;
    let about_her = || {
        events::table
            .filter(events::subject_type.eq("applicant"))
            .filter(events::subject_id.eq(id.to_string()))
    };
    diesel::update(about_her())
        .set(events::details.eq(serde_json::json!({})))
        .execute(conn)?;
    // Her addresses and browsers go; the officers' stay with their actions,
    // which the record of how she was decided keeps: who, from where.
    diesel::update(about_her().filter(events::actor_kind.ne("member")))
        .set((events::ip.eq(None::<String>), events::user_agent.eq(None::<String>)))
        .execute(conn)?;
    diesel::update(about_her().filter(events::actor_kind.eq("applicant")))
        .set(events::actor_label.eq("applicant"))
        .execute(conn)?;
    diesel::update(applicants::table.find(id))
        .set((
            applicants::name.eq("Deleted applicant"),
            applicants::external_user_id.eq(format!("deleted-{id}")),
            applicants::email.eq(None::<String>),
            applicants::phone.eq(None::<String>),
            applicants::date_of_birth.eq(None::<chrono::NaiveDate>),
            applicants::country.eq(None::<String>),
            applicants::supplied_info.eq(serde_json::json!({})),
            applicants::purged_at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(applicant_search::table.find(id)).execute(conn)?;
    audit::record(
        conn,
        now,
        &Actor::system("retention"),
        EventKind::ApplicantPurged,
        Some(("applicant", id.to_string())),
        serde_json::json!({}),
    )?;
    Ok(())
}
