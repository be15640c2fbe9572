-- A link's applicant is its verification's applicant. The two references
-- (link to verification, link to applicant) are replaced by one to the pair,
-- so the database refuses a link whose applicant differs from its
-- verification's, with one check per link instead of two.
ALTER TABLE verifications ADD CONSTRAINT verifications_id_applicant_key UNIQUE (id, applicant_id);

ALTER TABLE session_links
    ADD CONSTRAINT session_links_verification_applicant_fkey
        FOREIGN KEY (verification_id, applicant_id) REFERENCES verifications (id, applicant_id) ON DELETE CASCADE,
    DROP CONSTRAINT session_links_verification_id_fkey,
    DROP CONSTRAINT session_links_applicant_id_fkey;
