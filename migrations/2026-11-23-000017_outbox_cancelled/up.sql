-- An email whose link is withdrawn before it could be sent (a new link
-- replaced it, the applicant was decided or is being deleted) is cancelled:
-- sent later, it would reach the applicant after the link that works.
ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_status_check;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_status_check
    CHECK (status IN ('queued', 'retrying', 'sent', 'failed', 'cancelled'));
