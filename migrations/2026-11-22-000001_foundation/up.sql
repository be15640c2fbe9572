-- Foundation: members, roles, sessions, invitations, password resets,
-- company settings, the email outbox and the audit event log.


CREATE TABLE roles (
    id           uuid PRIMARY KEY,
    -- Set for the four built-in roles; their permissions are owned by code
    -- and re-synchronised at every start.
    builtin_key  text UNIQUE CHECK (builtin_key IN ('owner', 'admin', 'compliance_officer', 'viewer')),
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    permissions  text[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX roles_name_key ON roles (lower(name));

CREATE TABLE members (
    id                    uuid PRIMARY KEY,
    email                 text NOT NULL,
    name                  text NOT NULL DEFAULT '',
    password_hash         text,
    role_id               uuid NOT NULL REFERENCES roles (id),
    status                text NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    time_zone             text NOT NULL DEFAULT 'UTC',
    failed_signins        integer NOT NULL DEFAULT 0,
    failed_window_start   timestamptz,
    locked_until          timestamptz,
    last_signin_at        timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (status = 'invited' OR password_hash IS NOT NULL)
);
CREATE UNIQUE INDEX members_email_key ON members (lower(email));
CREATE INDEX members_role_idx ON members (role_id);

-- Server-side sessions for actix-session. The cookie carries a random key;
-- only its SHA-256 is stored, so a database dump cannot hijack sessions.
CREATE TABLE sessions (
    key_hash      bytea PRIMARY KEY,
    member_id     uuid REFERENCES members (id) ON DELETE CASCADE,
    state         jsonb NOT NULL,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_member_idx ON sessions (member_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE invitations (
    id            uuid PRIMARY KEY,
    member_id     uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL UNIQUE,
    invited_by    uuid REFERENCES members (id) ON DELETE SET NULL,
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz,
    revoked_at    timestamptz,
    sent_count    integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitations_member_idx ON invitations (member_id);

CREATE TABLE password_resets (
    id          uuid PRIMARY KEY,
    member_id   uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_resets_member_idx ON password_resets (member_id);

-- Exactly one row: the company's identity and the look shown to applicants.
CREATE TABLE company_settings (
    id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
    name               text NOT NULL DEFAULT 'Veridesk',
    address            text NOT NULL DEFAULT '',
    contact_email      text NOT NULL DEFAULT '',
    sender_name        text NOT NULL DEFAULT 'Veridesk',
    brand_colour       text NOT NULL DEFAULT '#2f5bea' CHECK (brand_colour ~ '^#[0-9a-f]{6}$'),
    logo               bytea,
    logo_content_type  text,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    updated_by         uuid REFERENCES members (id) ON DELETE SET NULL
);
INSERT INTO company_settings (id) VALUES (true);

-- Every email is stored here before it is sent (transactional outbox).
CREATE TABLE outbox_messages (
    id               uuid PRIMARY KEY,
    kind             text NOT NULL,
    to_address       text NOT NULL,
    cc_addresses     text[] NOT NULL DEFAULT '{}',
    from_name        text NOT NULL,
    subject          text NOT NULL,
    body_text        text NOT NULL,
    body_html        text NOT NULL,
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'retrying', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    max_attempts     integer NOT NULL DEFAULT 8,
    next_attempt_at  timestamptz NOT NULL,
    last_error       text,
    sent_at          timestamptz,
    transport        text,
    created_at       timestamptz NOT NULL
);
CREATE INDEX outbox_due_idx ON outbox_messages (next_attempt_at) WHERE status IN ('queued', 'retrying');
CREATE INDEX outbox_created_idx ON outbox_messages (created_at DESC);

CREATE TABLE outbox_attempts (
    id            bigserial PRIMARY KEY,
    message_id    uuid NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
    attempted_at  timestamptz NOT NULL,
    error         text
);
CREATE INDEX outbox_attempts_message_idx ON outbox_attempts (message_id);

-- The audit log and, later, applicant timelines: one row per thing that happened.
CREATE TABLE events (
    id               bigserial PRIMARY KEY,
    occurred_at      timestamptz NOT NULL,
    kind             text NOT NULL,
    actor_kind       text NOT NULL CHECK (actor_kind IN ('member', 'applicant', 'system', 'api', 'visitor')),
    actor_member_id  uuid REFERENCES members (id) ON DELETE SET NULL,
    actor_label      text NOT NULL DEFAULT '',
    subject_type     text,
    subject_id       text,
    ip               text,
    user_agent       text,
    details          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX events_occurred_idx ON events (occurred_at DESC, id DESC);
CREATE INDEX events_actor_idx ON events (actor_member_id, occurred_at DESC);
CREATE INDEX events_kind_idx ON events (kind, occurred_at DESC);
CREATE INDEX events_subject_idx ON events (subject_type, subject_id, occurred_at DESC);
