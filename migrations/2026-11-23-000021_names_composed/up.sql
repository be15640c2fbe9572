-- Flow, questionnaire and email template names are stored composed (NFC:
-- "É", not "E" and a combining accent) since the forms learnt it; names
-- saved before are composed here, so every list and the unique indexes on
-- lower(name) see one form. A name whose composed form another already
-- has gets the first free number, as the rule that made names unique did.
-- normalize() needs a UTF8 database; on any other, names stay as they are.
CREATE FUNCTION pg_temp.compose_names(tbl regclass) RETURNS void AS $$
DECLARE
    r record;
    composed text;
    candidate text;
    k int;
    taken boolean;
BEGIN
    FOR r IN EXECUTE format(
        'SELECT id, name FROM %s WHERE name IS NOT NFC NORMALIZED ORDER BY created_at, id', tbl)
    LOOP
        composed := normalize(r.name, NFC);
        candidate := composed;
        k := 1;
        LOOP
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE lower(name) = lower($1) AND id <> $2)', tbl)
                INTO taken USING candidate, r.id;
            EXIT WHEN NOT taken;
            k := k + 1;
            candidate := left(composed, 112) || ' (' || k || ')';
        END LOOP;
        EXECUTE format('UPDATE %s SET name = $1 WHERE id = $2', tbl) USING candidate, r.id;
    END LOOP;
END;
$$ LANGUAGE plpgsql;

DO $$
BEGIN
    IF current_setting('server_encoding') = 'UTF8' THEN
        PERFORM pg_temp.compose_names('flows');
        PERFORM pg_temp.compose_names('questionnaires');
        PERFORM pg_temp.compose_names('email_templates');
    END IF;
END;
$$;

DROP FUNCTION pg_temp.compose_names(regclass);
