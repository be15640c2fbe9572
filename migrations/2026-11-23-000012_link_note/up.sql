-- What the officer says to the applicant with a link (a retry's comment, an
-- information request's message), shown on the page behind it.
ALTER TABLE session_links ADD COLUMN note text;
