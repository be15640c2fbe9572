DROP INDEX applicants_external_user_id_key;
CREATE UNIQUE INDEX applicants_external_user_id_key ON applicants (external_user_id);
