DROP TRIGGER sessions_notify_sessions ON sessions;
DROP TRIGGER roles_notify_sessions ON roles;
DROP TRIGGER members_notify_sessions ON members;
DROP FUNCTION notify_sessions_changed();
