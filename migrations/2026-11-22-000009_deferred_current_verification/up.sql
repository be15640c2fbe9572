-- Starting a verification points the applicant at it in the same statement
-- that locks the applicant row, before the verification row is written; the
-- reference is checked when the transaction commits.
ALTER TABLE applicants
    ALTER CONSTRAINT applicants_current_verification_id_fkey DEFERRABLE INITIALLY DEFERRED;
