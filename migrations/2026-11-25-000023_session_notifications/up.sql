-- Each process keeps recently loaded sessions in memory (see
-- src/web/session_cache.rs) and listens on this channel: any change to a
-- member or a role, and any session ended (sign-out, deactivation,
-- password change, expiry), tells every process to drop its copies, so it
-- applies on the member's next request whichever process serves it.
-- Statement-level: a purge of a thousand expired sessions is one message.
CREATE FUNCTION notify_sessions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('veridesk_sessions', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER members_notify_sessions AFTER UPDATE OR DELETE ON members
    FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_changed();
CREATE TRIGGER roles_notify_sessions AFTER UPDATE OR DELETE ON roles
    FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_changed();
CREATE TRIGGER sessions_notify_sessions AFTER DELETE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_changed();
