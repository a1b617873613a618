"""The admins' pages of webhook endpoints (portal.webhooks)."""
