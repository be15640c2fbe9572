-- The window of applicants read in creation order to match a name (see
-- src/applicants/search.rs) is read from this index alone: the searched text
-- is carried in it, so no table page is visited for each applicant read.
CREATE INDEX applicant_search_window_idx ON applicant_search (created_at, applicant_id) INCLUDE (search_text);
DROP INDEX applicant_search_created_idx;
