"""OIA's triage domain: the queue entry kept at submission and at each action (:mod:`.intake`),
the queue, the package view's reads, the actions (:mod:`.operations`, :mod:`.actions`), caseloads,
referrals, duplicates and the dashboard. No Flask here: the pages are in portal.web.triage."""
