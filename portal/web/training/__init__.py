"""The training pages: guide, samples, practice requests, outreach statistics."""
