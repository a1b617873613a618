"""Rate limits shared by every process and machine: counts per (key, window) in the database."""
