DROP INDEX applicants_deletion_due_idx;
ALTER TABLE applicants DROP COLUMN purged_at;
DROP TABLE reviews;
