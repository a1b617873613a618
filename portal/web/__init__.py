"""Cross-cutting web plumbing: access control, per-request database session, errors, headers."""
