"""Webhooks: the portal's admins register HTTPS endpoints for an authority; a request's status
changes and OIA's new messages are delivered to them as Standard Webhooks (signed, retried with
backoff by the background jobs, every attempt recorded), carrying no case content beyond the
request's reference and status (:mod:`.endpoints`, :mod:`.events`, :mod:`.delivery`)."""
