"""Agreement statistics as pure functions: arrays in, numbers out (no project, no SQL)."""
