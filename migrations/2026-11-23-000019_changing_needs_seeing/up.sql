-- A permission to change something needs the permission to see it
-- (`Permission::needs_seeing`); roles saved before that rule get the
-- second, so what a role shows ticked is what it allows.
UPDATE roles SET permissions = array_append(permissions, 'flows.view')
WHERE permissions && ARRAY['flows.edit', 'flows.publish'] AND NOT 'flows.view' = ANY(permissions);
UPDATE roles SET permissions = array_append(permissions, 'team.view')
WHERE permissions && ARRAY['team.invite', 'team.manage'] AND NOT 'team.view' = ANY(permissions);
UPDATE roles SET permissions = array_append(permissions, 'roles.view')
WHERE permissions && ARRAY['roles.manage'] AND NOT 'roles.view' = ANY(permissions);
UPDATE roles SET permissions = array_append(permissions, 'applicants.view')
WHERE permissions && ARRAY['applicants.create', 'applicants.send_links', 'applicants.review', 'applicants.delete']
  AND NOT 'applicants.view' = ANY(permissions);
