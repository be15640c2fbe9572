-- Images that flow versions refer to (a flow's logo), stored once per
-- content and addressed by their SHA-256, so published versions can point
-- at them without ever seeing them change.
CREATE TABLE assets (
    sha256        bytea PRIMARY KEY CHECK (length(sha256) = 32),
    content_type  text NOT NULL,
    bytes         bytea NOT NULL,
    created_at    timestamptz NOT NULL
);
