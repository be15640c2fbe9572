-- Searches are shown newest first by default. With the creation time beside
-- the search text, the newest matches are picked from the search table alone
-- and only one page of applicants is read, however many rows a common name
-- matches. Creation times never change, so the copy cannot drift.
ALTER TABLE applicant_search ADD COLUMN created_at timestamptz;

UPDATE applicant_search s SET created_at = a.created_at FROM applicants a WHERE a.id = s.applicant_id;

ALTER TABLE applicant_search ALTER COLUMN created_at SET NOT NULL;
