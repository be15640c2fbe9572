ALTER TABLE outbox_messages DROP COLUMN applicant_id;
