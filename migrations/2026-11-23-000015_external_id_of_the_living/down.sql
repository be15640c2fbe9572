-- Back to one unique index over every row. A live applicant may have taken
-- a purged one's `deleted-<uuid>` id meanwhile; the purged row then gives it
-- up (it names no one), so the index can be built.
UPDATE applicants AS purged
SET external_user_id = 'purged-' || purged.id
WHERE purged.purged_at IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM applicants AS live
    WHERE live.purged_at IS NULL AND live.external_user_id = purged.external_user_id
  );
DROP INDEX applicants_external_user_id_key;
CREATE UNIQUE INDEX applicants_external_user_id_key ON applicants (external_user_id);
