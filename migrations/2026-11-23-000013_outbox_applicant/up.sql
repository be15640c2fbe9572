-- The applicant an email is about, when it goes to an applicant: the purge
-- deletes their emails by it, whatever the email carries.
ALTER TABLE outbox_messages ADD COLUMN applicant_id uuid REFERENCES applicants (id);
UPDATE outbox_messages m SET applicant_id = l.applicant_id
    FROM session_links l WHERE l.email_message_id = m.id;
CREATE INDEX outbox_applicant_idx ON outbox_messages (applicant_id) WHERE applicant_id IS NOT NULL;
