// @generated layout: mirrors `diesel print-schema` for migrations/ (text[]
// columns are declared with non-null elements, which the CHECK-free arrays
// we write always hold).

diesel::table! {
    applicant_search (applicant_id) {
        applicant_id -> Uuid,
        search_text -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    applicants (id) {
        id -> Uuid,
        kind -> Text,
        external_user_id -> Text,
        name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        language -> Text,
        date_of_birth -> Nullable<Date>,
        country -> Nullable<Text>,
        supplied_info -> Jsonb,
        flow_id -> Nullable<Uuid>,
        status -> Text,
        reviewer_id -> Nullable<Uuid>,
        lock_version -> Int4,
        deletion_scheduled_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        current_verification_id -> Nullable<Uuid>,
        purged_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    assets (sha256) {
        sha256 -> Bytea,
        content_type -> Text,
        bytes -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    company_settings (id) {
        id -> Bool,
        name -> Text,
        address -> Text,
        contact_email -> Text,
        sender_name -> Text,
        brand_colour -> Text,
        logo -> Nullable<Bytea>,
        logo_content_type -> Nullable<Text>,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    email_templates (id) {
        id -> Uuid,
        name -> Text,
        subject -> Text,
        body -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Uuid>,
        lock_version -> Int4,
        language -> Text,
    }
}

diesel::table! {
    events (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        kind -> Text,
        actor_kind -> Text,
        actor_member_id -> Nullable<Uuid>,
        actor_label -> Text,
        subject_type -> Nullable<Text>,
        subject_id -> Nullable<Text>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        details -> Jsonb,
    }
}

diesel::table! {
    flow_versions (id) {
        id -> Uuid,
        flow_id -> Uuid,
        number -> Int4,
        definition -> Jsonb,
        created_at -> Timestamptz,
        created_by -> Nullable<Uuid>,
        updated_at -> Timestamptz,
        published_at -> Nullable<Timestamptz>,
        published_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    flows (id) {
        id -> Uuid,
        name -> Text,
        kind -> Text,
        archived_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    questionnaire_versions (id) {
        id -> Uuid,
        questionnaire_id -> Uuid,
        number -> Int4,
        definition -> Jsonb,
        created_at -> Timestamptz,
        created_by -> Nullable<Uuid>,
        frozen_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    questionnaires (id) {
        id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Uuid,
        member_id -> Uuid,
        token_hash -> Bytea,
        invited_by -> Nullable<Uuid>,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        sent_count -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    members (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        role_id -> Uuid,
        status -> Text,
        time_zone -> Text,
        failed_signins -> Int4,
        failed_window_start -> Nullable<Timestamptz>,
        locked_until -> Nullable<Timestamptz>,
        last_signin_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    outbox_attempts (id) {
        id -> Int8,
        message_id -> Uuid,
        attempted_at -> Timestamptz,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    outbox_messages (id) {
        id -> Uuid,
        kind -> Text,
        to_address -> Text,
        cc_addresses -> Array<Text>,
        from_name -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Int4,
        max_attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        transport -> Nullable<Text>,
        created_at -> Timestamptz,
        applicant_id -> Nullable<Uuid>,
        cc_copy_of -> Nullable<Uuid>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Uuid,
        member_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    reviews (id) {
        id -> Uuid,
        applicant_id -> Uuid,
        verification_id -> Nullable<Uuid>,
        decision -> Text,
        rejection_type -> Nullable<Text>,
        reasons -> Array<Text>,
        comment_applicant -> Nullable<Text>,
        comment_internal -> Nullable<Text>,
        retry_steps -> Array<Text>,
        member_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    roles (id) {
        id -> Uuid,
        builtin_key -> Nullable<Text>,
        name -> Text,
        description -> Text,
        permissions -> Array<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    session_links (id) {
        id -> Uuid,
        verification_id -> Uuid,
        token_hash -> Bytea,
        status -> Text,
        expires_at -> Timestamptz,
        session_minutes -> Int4,
        max_attempts -> Int4,
        failed_attempts -> Int4,
        first_opened_at -> Nullable<Timestamptz>,
        session_ends_at -> Nullable<Timestamptz>,
        last_opened_at -> Nullable<Timestamptz>,
        open_count -> Int4,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        email_message_id -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        applicant_id -> Uuid,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (key_hash) {
        key_hash -> Bytea,
        member_id -> Nullable<Uuid>,
        state -> Jsonb,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::joinable!(applicant_search -> applicants (applicant_id));
diesel::joinable!(applicants -> flows (flow_id));
diesel::joinable!(company_settings -> members (updated_by));
diesel::joinable!(flow_versions -> flows (flow_id));
diesel::joinable!(invitations -> members (member_id));
diesel::joinable!(members -> roles (role_id));
diesel::joinable!(outbox_attempts -> outbox_messages (message_id));
diesel::joinable!(password_resets -> members (member_id));
diesel::joinable!(questionnaire_versions -> questionnaires (questionnaire_id));
diesel::joinable!(sessions -> members (member_id));

diesel::allow_tables_to_appear_in_same_query!(
    applicant_search,
    applicants,
    assets,
    company_settings,
    email_templates,
    events,
    flow_versions,
    flows,
    invitations,
    members,
    outbox_attempts,
    outbox_messages,
    password_resets,
    questionnaire_versions,
    questionnaires,
    reviews,
    roles,
    session_links,
    sessions,
    step_results,
    verifications,
);

diesel::table! {
    step_results (id) {
        id -> Uuid,
        verification_id -> Uuid,
        step_id -> Uuid,
        step_kind -> Text,
        status -> Text,
        active -> Bool,
        data -> Jsonb,
        comment -> Nullable<Text>,
        started_at -> Nullable<Timestamptz>,
        completed_at -> Nullable<Timestamptz>,
        deactivated_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    verifications (id) {
        id -> Uuid,
        applicant_id -> Uuid,
        flow_id -> Uuid,
        flow_version_id -> Uuid,
        kind -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(step_results -> verifications (verification_id));
diesel::joinable!(verifications -> flows (flow_id));
diesel::joinable!(verifications -> flow_versions (flow_version_id));
diesel::joinable!(verifications -> applicants (applicant_id));
