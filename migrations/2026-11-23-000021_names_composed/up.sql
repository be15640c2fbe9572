-- Flow, questionnaire and email template names are stored composed (NFC:
-- "É", not "E" and a combining accent) since the forms learnt it; names
-- saved before are composed here, so every list and the unique indexes on
-- lower(name) see one form. A name whose composed form is taken under
-- those indexes gets the first free number, as the rule that made names
-- unique did; composing never makes a name longer than the forms allow.
-- (The application also compares names case-insensitively in every
-- script; lower() here folds what the database's locale folds, which is
-- what the unique indexes enforce.)
-- normalize() needs a UTF8 database, and IS NORMALIZED PostgreSQL 13; on
-- any other database, names stay as they are.
DO $$
DECLARE
    tbl text;
    r record;
    composed text;
    candidate text;
    k int;
    taken boolean;
BEGIN
    IF current_setting('server_encoding') <> 'UTF8' OR current_setting('server_version_num')::int < 130000 THEN
        RETURN;
    END IF;
    FOREACH tbl IN ARRAY ARRAY['flows', 'questionnaires', 'email_templates'] LOOP
        FOR r IN EXECUTE format(
            'SELECT id, name FROM %I WHERE name IS NOT NFC NORMALIZED ORDER BY created_at, id', tbl)
        LOOP
            composed := left(normalize(r.name, NFC), 120);
            candidate := composed;
            k := 1;
            LOOP
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE lower(name) = lower($1) AND id <> $2)', tbl)
                    INTO taken USING candidate, r.id;
                EXIT WHEN NOT taken;
                k := k + 1;
                candidate := left(composed, 112) || ' (' || k || ')';
            END LOOP;
            EXECUTE format('UPDATE %I SET name = $1 WHERE id = $2', tbl) USING candidate, r.id;
        END LOOP;
    END LOOP;
END;
$$;
