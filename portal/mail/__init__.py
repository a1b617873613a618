"""Outgoing e-mail: an outbox table and a sender (SMTP, or .eml files in development)."""
