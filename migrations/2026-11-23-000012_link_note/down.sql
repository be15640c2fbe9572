ALTER TABLE session_links DROP COLUMN note;
