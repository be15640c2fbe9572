-- Flows and questionnaires are told apart by name, as roles and email
-- templates are: in the session form, the list's filters, a questionnaire
-- step's choices. Names given twice before this rule get a number.
WITH ranked AS (
    SELECT id, row_number() OVER (PARTITION BY lower(name) ORDER BY created_at, id) AS n FROM flows
)
UPDATE flows SET name = left(flows.name, 112) || ' (' || ranked.n || ')'
FROM ranked WHERE flows.id = ranked.id AND ranked.n > 1;
CREATE UNIQUE INDEX flows_name_key ON flows (lower(name));

WITH ranked AS (
    SELECT id, row_number() OVER (PARTITION BY lower(name) ORDER BY created_at, id) AS n FROM questionnaires
)
UPDATE questionnaires SET name = left(questionnaires.name, 112) || ' (' || ranked.n || ')'
FROM ranked WHERE questionnaires.id = ranked.id AND ranked.n > 1;
CREATE UNIQUE INDEX questionnaires_name_key ON questionnaires (lower(name));
