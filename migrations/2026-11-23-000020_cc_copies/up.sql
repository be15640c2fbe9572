-- A cc whose mail server put the link's email off ("451, try later") gets
-- a copy of its own, retried apart, so the applicant's copy is not held
-- back. The copy names the email it was made from: it is cancelled when
-- that email's link is withdrawn, and its failure is noted on that email,
-- which the applicant's profile shows.
ALTER TABLE outbox_messages
    ADD COLUMN cc_copy_of uuid REFERENCES outbox_messages (id) ON DELETE SET NULL;
