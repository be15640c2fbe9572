-- The text applicants are searched by moves out of the applicants row.
-- An applicant's status changes many times during a verification; its name,
-- email and external id rarely. Every status change writes a new row version,
-- and with the trigram index on that row each one also wrote some sixty
-- index entries for text that had not changed. Here the text is written only
-- when it changes.
--
-- Searches are shown newest first by default. With the creation time beside
-- the text, the newest matches are picked from this table alone and only one
-- page of applicants is read, however many rows a common name matches.
-- Creation times never change, so the copy cannot drift.
CREATE TABLE applicant_search (
    applicant_id uuid PRIMARY KEY REFERENCES applicants (id) ON DELETE CASCADE,
    search_text  text NOT NULL,
    created_at   timestamptz NOT NULL
);

INSERT INTO applicant_search (applicant_id, search_text, created_at)
SELECT id, search_text, created_at FROM applicants;

CREATE INDEX applicant_search_trgm ON applicant_search USING gin (search_text gin_trgm_ops);

-- Common names are matched by reading applicants in creation order until a
-- page is full (see src/applicants/search.rs).
CREATE INDEX applicant_search_created_idx ON applicant_search (created_at, applicant_id);

ALTER TABLE applicants DROP COLUMN search_text;
