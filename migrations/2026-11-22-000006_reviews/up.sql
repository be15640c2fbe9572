-- Decisions on verifications, and what is left of an applicant after purge.
CREATE TABLE reviews (
    id                 uuid PRIMARY KEY,
    applicant_id       uuid NOT NULL REFERENCES applicants (id) ON DELETE CASCADE,
    verification_id    uuid REFERENCES verifications (id) ON DELETE SET NULL,
    decision           text NOT NULL CHECK (decision IN ('approved', 'rejected')),
    rejection_type     text CHECK (rejection_type IN ('final', 'retry')),
    reasons            text[] NOT NULL DEFAULT '{}',
    comment_applicant  text,
    comment_internal   text,
    retry_steps        text[] NOT NULL DEFAULT '{}',
    member_id          uuid REFERENCES members (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL
);
CREATE INDEX reviews_applicant_idx ON reviews (applicant_id, created_at DESC);

-- Set when the background purge removed the applicant's personal data.
ALTER TABLE applicants ADD COLUMN purged_at timestamptz;
CREATE INDEX applicants_deletion_due_idx ON applicants (deletion_scheduled_at) WHERE deletion_scheduled_at IS NOT NULL AND purged_at IS NULL;
