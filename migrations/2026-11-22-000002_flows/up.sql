-- Flows and questionnaires, each with versions. A published flow version
-- and a frozen questionnaire version never change: triggers refuse any
-- UPDATE or DELETE of them, whatever the client.

CREATE TABLE questionnaires (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  uuid REFERENCES members (id) ON DELETE SET NULL
);
CREATE INDEX questionnaires_name_idx ON questionnaires (lower(name));

CREATE TABLE questionnaire_versions (
    id                uuid PRIMARY KEY,
    questionnaire_id  uuid NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    number            integer NOT NULL CHECK (number > 0),
    definition        jsonb NOT NULL,
    created_at        timestamptz NOT NULL,
    created_by        uuid REFERENCES members (id) ON DELETE SET NULL,
    -- Set when a published flow version starts using this version.
    frozen_at         timestamptz,
    UNIQUE (questionnaire_id, number)
);

CREATE TABLE flows (
    id           uuid PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    kind         text NOT NULL CHECK (kind IN ('regular', 'on_demand')),
    archived_at  timestamptz,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    updated_by   uuid REFERENCES members (id) ON DELETE SET NULL
);
CREATE INDEX flows_name_idx ON flows (lower(name));

CREATE TABLE flow_versions (
    id            uuid PRIMARY KEY,
    flow_id       uuid NOT NULL REFERENCES flows (id),
    number        integer NOT NULL CHECK (number > 0),
    definition    jsonb NOT NULL,
    created_at    timestamptz NOT NULL,
    created_by    uuid REFERENCES members (id) ON DELETE SET NULL,
    updated_at    timestamptz NOT NULL,
    published_at  timestamptz,
    published_by  uuid REFERENCES members (id) ON DELETE SET NULL,
    UNIQUE (flow_id, number)
);
-- At most one draft per flow.
CREATE UNIQUE INDEX flow_versions_one_draft ON flow_versions (flow_id) WHERE published_at IS NULL;

CREATE FUNCTION refuse_change_to_published_flow_version() RETURNS trigger AS $$
BEGIN
    IF OLD.published_at IS NOT NULL THEN
        RAISE EXCEPTION 'flow version % (number %) is published and cannot be changed', OLD.id, OLD.number
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER flow_versions_published_are_immutable
    BEFORE UPDATE OR DELETE ON flow_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_published_flow_version();

CREATE FUNCTION refuse_change_to_frozen_questionnaire_version() RETURNS trigger AS $$
BEGIN
    IF OLD.frozen_at IS NOT NULL THEN
        RAISE EXCEPTION 'questionnaire version % (number %) is used by a published flow and cannot be changed', OLD.id, OLD.number
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER questionnaire_versions_frozen_are_immutable
    BEFORE UPDATE OR DELETE ON questionnaire_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_frozen_questionnaire_version();
