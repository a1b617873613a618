"""The OIA triage workspace: the queue, the package view, the actions (a state machine), USAO
referrals, caseload balance, duplicate detection and the dashboard.

Layout: :mod:`.models` (tables), :mod:`.normalize` and :mod:`.keys` (search and duplicate keys),
:mod:`.intake` (the queue entry, maintained at submission and at each action),
:mod:`.operations` (the state machine and the actions), :mod:`.caseload`, :mod:`.referrals`,
:mod:`.returns`, :mod:`.queue`, :mod:`.diff`, :mod:`.dashboard`, :mod:`.charts` (SVG),
:mod:`.forms` and :mod:`.views` (the ``triage`` blueprint), :mod:`.demo_volume`.
The services take a SQLAlchemy session and plain values; only forms and views use Flask.
"""
