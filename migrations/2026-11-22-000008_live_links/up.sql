-- Issuing a link first revokes the applicant's links that can still be used.
-- Links carry their applicant, and the links still usable are indexed by it,
-- so that is one index probe however many verifications the applicant had.
ALTER TABLE session_links ADD COLUMN applicant_id uuid REFERENCES applicants (id) ON DELETE CASCADE;

UPDATE session_links l SET applicant_id = v.applicant_id FROM verifications v WHERE v.id = l.verification_id;

ALTER TABLE session_links ALTER COLUMN applicant_id SET NOT NULL;

CREATE INDEX session_links_live_idx ON session_links (applicant_id) WHERE status IN ('ACTIVE', 'OPENED');
