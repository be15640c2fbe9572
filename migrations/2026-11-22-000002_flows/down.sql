DROP TABLE flow_versions;
DROP TABLE flows;
DROP TABLE questionnaire_versions;
DROP TABLE questionnaires;
DROP FUNCTION refuse_change_to_published_flow_version();
DROP FUNCTION refuse_change_to_frozen_questionnaire_version();
