ALTER TABLE applicant_search DROP COLUMN created_at;
