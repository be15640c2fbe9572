-- A cc whose mail server put the link's email off ("451, try later") gets
-- a copy of its own, retried apart, so the applicant's copy is not held
-- back. The copy names the email it was made from: it is cancelled when
-- that email's link is withdrawn, and its failure is noted on that email,
-- which the applicant's profile shows.
--
-- No foreign key: one would make every deleted email (the purge deletes
-- an applicant's emails, copies with them) search the table for copies of
-- it. A copy whose original is gone finds no live link, so it is cancelled.
ALTER TABLE outbox_messages ADD COLUMN cc_copy_of uuid;
