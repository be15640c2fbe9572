-- Composing names cannot be undone (the decomposed spelling is not kept),
-- and nothing depends on it.
SELECT 1;
