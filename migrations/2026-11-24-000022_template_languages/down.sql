ALTER TABLE email_templates DROP COLUMN language;
