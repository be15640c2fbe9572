ALTER TABLE applicants ADD COLUMN search_text text NOT NULL DEFAULT '';
UPDATE applicants a SET search_text = s.search_text FROM applicant_search s WHERE s.applicant_id = a.id;
ALTER TABLE applicants ALTER COLUMN search_text DROP DEFAULT;
CREATE INDEX applicants_search_trgm ON applicants USING gin (search_text gin_trgm_ops);
DROP TABLE applicant_search;
