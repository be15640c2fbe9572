ALTER TABLE outbox_messages DROP COLUMN cc_copy_of;
