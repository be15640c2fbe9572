-- Email templates, verifications (one run of one flow version for one
-- applicant), their step results, and the session links that open them.

CREATE TABLE email_templates (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    subject     text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  uuid REFERENCES members (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX email_templates_name_key ON email_templates (lower(name));

CREATE TABLE verifications (
    id               uuid PRIMARY KEY,
    applicant_id     uuid NOT NULL REFERENCES applicants (id) ON DELETE CASCADE,
    flow_id          uuid NOT NULL REFERENCES flows (id),
    -- The version it started with; later publishes never change it.
    flow_version_id  uuid NOT NULL REFERENCES flow_versions (id),
    kind             text NOT NULL CHECK (kind IN ('regular', 'on_demand')),
    created_by       uuid REFERENCES members (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX verifications_applicant_idx ON verifications (applicant_id, created_at DESC);

ALTER TABLE applicants ADD COLUMN current_verification_id uuid REFERENCES verifications (id) ON DELETE SET NULL;

CREATE TABLE step_results (
    id               uuid PRIMARY KEY,
    verification_id  uuid NOT NULL REFERENCES verifications (id) ON DELETE CASCADE,
    step_id          uuid NOT NULL,
    step_kind        text NOT NULL,
    status           text NOT NULL DEFAULT 'NOT_STARTED'
                       CHECK (status IN ('NOT_STARTED', 'OPEN', 'PASSED', 'FAILED', 'NEEDS_REVIEW', 'RESOLVED')),
    -- Deactivated results move to the step's history.
    active           boolean NOT NULL DEFAULT true,
    data             jsonb NOT NULL DEFAULT '{}',
    comment          text,
    started_at       timestamptz,
    completed_at     timestamptz,
    deactivated_at   timestamptz,
    created_at       timestamptz NOT NULL
);
CREATE INDEX step_results_verification_idx ON step_results (verification_id, step_id);

CREATE TABLE session_links (
    id                uuid PRIMARY KEY,
    verification_id   uuid NOT NULL REFERENCES verifications (id) ON DELETE CASCADE,
    -- SHA-256 of the secret in the URL; the secret itself is never stored.
    token_hash        bytea NOT NULL UNIQUE,
    status            text NOT NULL DEFAULT 'ACTIVE'
                        CHECK (status IN ('ACTIVE', 'OPENED', 'COMPLETED', 'EXPIRED', 'SESSION_EXPIRED', 'BLOCKED', 'REVOKED')),
    expires_at        timestamptz NOT NULL,
    session_minutes   integer NOT NULL CHECK (session_minutes BETWEEN 5 AND 60),
    max_attempts      integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 10),
    failed_attempts   integer NOT NULL DEFAULT 0,
    first_opened_at   timestamptz,
    session_ends_at   timestamptz,
    last_opened_at    timestamptz,
    open_count        integer NOT NULL DEFAULT 0,
    revoked_at        timestamptz,
    revoked_reason    text,
    email_message_id  uuid REFERENCES outbox_messages (id) ON DELETE SET NULL,
    created_by        uuid REFERENCES members (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL
);
CREATE INDEX session_links_verification_idx ON session_links (verification_id, created_at DESC);
