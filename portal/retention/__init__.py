"""Retention: the schedule that purges requests, packages and drop-folder copies after their
days, the legal hold that stops every purge, and the one deletion of a request they share."""
