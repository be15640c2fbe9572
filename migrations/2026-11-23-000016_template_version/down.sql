ALTER TABLE email_templates DROP COLUMN lock_version;
