"""Accounts: foreign authorities, users and roles, invitations, login, second factor."""
