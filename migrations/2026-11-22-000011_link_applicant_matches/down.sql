ALTER TABLE session_links
    ADD CONSTRAINT session_links_verification_id_fkey
        FOREIGN KEY (verification_id) REFERENCES verifications (id) ON DELETE CASCADE,
    ADD CONSTRAINT session_links_applicant_id_fkey
        FOREIGN KEY (applicant_id) REFERENCES applicants (id) ON DELETE CASCADE,
    DROP CONSTRAINT session_links_verification_applicant_fkey;

ALTER TABLE verifications DROP CONSTRAINT verifications_id_applicant_key;
