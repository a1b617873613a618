"""The accounts pages: sign-in, second factor, invitations, the account and administration."""
