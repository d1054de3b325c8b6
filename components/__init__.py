"""Layout pieces the pages share, as plain functions (no callbacks, no SQL)."""
