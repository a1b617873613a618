"""The submitter's pages of a request (the blueprint "requests"): the wizard, its checks,
submission, documents and submitted versions."""
