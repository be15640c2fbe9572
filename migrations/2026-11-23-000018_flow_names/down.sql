DROP INDEX questionnaires_name_key;
DROP INDEX flows_name_key;
