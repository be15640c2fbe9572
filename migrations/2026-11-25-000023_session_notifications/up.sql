-- Each process keeps recently loaded sessions in memory (see
-- src/web/session_cache.rs) and listens on this channel: a change to what
-- a session loads of its member or role (auth::queries::SessionMember and
-- SessionRole), and a session ended or cut short, tell every process to
-- drop its copies, so it applies on the member's next request whichever
-- process serves it. Statement-level: a purge of a thousand expired
-- sessions is one message. Sign-in counters and state writes do not
-- notify: copies hold neither counters nor, past their tag, old state.
CREATE FUNCTION notify_sessions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('veridesk_sessions', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER members_notify_sessions
    AFTER UPDATE OF email, name, status, time_zone, role_id OR DELETE OR TRUNCATE ON members
    FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_changed();
CREATE TRIGGER roles_notify_sessions
    AFTER UPDATE OF name, builtin_key, permissions OR DELETE OR TRUNCATE ON roles
    FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_changed();
CREATE TRIGGER sessions_notify_sessions
    AFTER UPDATE OF created_at, expires_at OR DELETE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_changed();
