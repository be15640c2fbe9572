-- Bumped by every save, so that two people editing one template do not
-- silently overwrite each other (optimistic locking, as for applicants).
ALTER TABLE email_templates ADD COLUMN lock_version integer NOT NULL DEFAULT 0;
