ALTER TABLE applicants
    ALTER CONSTRAINT applicants_current_verification_id_fkey NOT DEFERRABLE;
