"""Attachments of a request: PDF checks, encryption at rest, storage and the services around
them. Framework-free; the web layer calls :mod:`portal.attachments.service`."""
