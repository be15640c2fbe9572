-- Nothing to undo: the permissions added were already needed.
SELECT 1;
