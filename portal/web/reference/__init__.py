"""The reference-data editor of administrators (portal.reference.store keeps the versions)."""
