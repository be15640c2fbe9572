ALTER TABLE session_links DROP COLUMN applicant_id;
