DROP TABLE applicants;
