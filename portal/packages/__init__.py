"""Packages: every submitted version becomes a verifiable BagIt package in OIA's queue, handed to
the case system without loss or duplication.

* :mod:`.models` - ``packages`` (one per submitted version, ``pending`` then ``built``),
  ``package_handoffs`` (the outbox row the forwarder works from) and
  ``package_handoff_attempts`` (every attempt: time, target, outcome, error).
* :mod:`.bag` - the bag itself, from a :class:`~.bag.BagSource` (no database): request.json,
  findings.json, request.pdf, the attachments, the reading copy; made and checked with
  ``bagit``; the reproducible zip.
* :mod:`.service` - recording a package in the submission's transaction, building it after the
  commit, repair and sweep, the hand-off state for OIA staff and their retry (the atomicity
  design is documented there).
* :mod:`.verify` - ``portal package verify``.
* :mod:`.forwarder` - ``portal forward``: claiming (``SKIP LOCKED`` / compare-and-set with a
  lease), the drop folder and HTTP targets, retries with backoff and jitter (design there).
* :mod:`.receipt` - the submitter's receipt (submitters never get the package).
* :mod:`.views` - downloads of the package and its reading copy for OIA staff, audited; retry.
* :mod:`.commands` - the CLI.
"""
