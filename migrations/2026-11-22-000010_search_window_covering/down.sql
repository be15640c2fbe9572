CREATE INDEX applicant_search_created_idx ON applicant_search (created_at, applicant_id);
DROP INDEX applicant_search_window_idx;
