-- Applicants: the people and companies being verified.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE applicants (
    id                     uuid PRIMARY KEY,
    kind                   text NOT NULL CHECK (kind IN ('natural_person', 'legal_person')),
    external_user_id       text NOT NULL CHECK (length(external_user_id) BETWEEN 1 AND 200),
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email                  text,
    phone                  text,
    language               text NOT NULL DEFAULT 'en',
    date_of_birth          date,
    country                text,
    supplied_info          jsonb NOT NULL DEFAULT '{}',
    flow_id                uuid REFERENCES flows (id),
    status                 text NOT NULL DEFAULT 'INIT' CHECK (status IN
                             ('INIT', 'INCOMPLETE', 'IN_PROGRESS', 'ON_HOLD', 'COMPLETED', 'IN_REVIEW', 'APPROVED', 'REJECTED')),
    reviewer_id            uuid REFERENCES members (id) ON DELETE SET NULL,
    -- Lower-cased, accent-free name, email and external id: what search matches.
    search_text            text NOT NULL,
    -- Bumped by every change an officer makes, for optimistic locking.
    lock_version           integer NOT NULL DEFAULT 0,
    deletion_scheduled_at  timestamptz,
    created_by             uuid REFERENCES members (id) ON DELETE SET NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
);
CREATE UNIQUE INDEX applicants_external_user_id_key ON applicants (external_user_id);
-- GIN, not GiST: GiST trigram indexes slowed other queries down several times.
CREATE INDEX applicants_search_trgm ON applicants USING gin (search_text gin_trgm_ops);
CREATE INDEX applicants_created_idx ON applicants (created_at DESC, id DESC);
CREATE INDEX applicants_updated_idx ON applicants (updated_at DESC, id DESC);
CREATE INDEX applicants_name_idx ON applicants (name, id);
CREATE INDEX applicants_status_idx ON applicants (status, created_at DESC, id DESC);
CREATE INDEX applicants_flow_idx ON applicants (flow_id, created_at DESC, id DESC);
CREATE INDEX applicants_reviewer_idx ON applicants (reviewer_id, created_at DESC, id DESC);
