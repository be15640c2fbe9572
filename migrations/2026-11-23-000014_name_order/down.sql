ALTER TABLE applicants ALTER COLUMN name TYPE text COLLATE "default";
