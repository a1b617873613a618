"""Requests: drafts owned by an authority, frozen versions, the timeline, references."""
