UPDATE outbox_messages SET status = 'failed' WHERE status = 'cancelled';
ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_status_check;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_status_check
    CHECK (status IN ('queued', 'retrying', 'sent', 'failed'));
