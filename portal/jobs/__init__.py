"""Background work kept in the database: a job is enqueued in the transaction of the change that
causes it, claimed with a lease by a worker (``portal worker``), retried with backoff, and kept
with its error for the admins (:mod:`.queue`, :mod:`.worker`, :mod:`.schedule`)."""
