-- External user ids are unique among applicants whose data is kept. A
-- purged applicant's id is replaced by `deleted-<uuid>`; with a unique index
-- over every row, an integrator who had taken that text as a live id would
-- make the purge fail, and with it the deletion of personal data.
DROP INDEX applicants_external_user_id_key;
CREATE UNIQUE INDEX applicants_external_user_id_key ON applicants (external_user_id) WHERE purged_at IS NULL;
