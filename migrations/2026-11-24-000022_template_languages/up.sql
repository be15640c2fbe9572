-- The language a saved email template is written in: the email's link
-- expiry date and footer follow it, and the session form marks a template
-- in another language than the applicant's. Templates saved before were
-- written against the English default.
ALTER TABLE email_templates ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
