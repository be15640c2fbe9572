DROP TABLE session_links;
DROP TABLE step_results;
ALTER TABLE applicants DROP COLUMN current_verification_id;
DROP TABLE verifications;
DROP TABLE email_templates;
