-- Names sort as people read them: "Émile" between "Bob" and "Zofia", and
-- "de Vries" next to "De Vries", not after every capital. The private
-- cluster has no locale (byte order), so the column names its collation:
-- the Unicode root order from ICU, the same whatever the server's locale.
-- Deterministic, so equal still means the same characters and the list's
-- keyset cursor (name, id) stays exact. Rebuilds applicants_name_idx.
ALTER TABLE applicants ALTER COLUMN name TYPE text COLLATE "und-x-icu";
