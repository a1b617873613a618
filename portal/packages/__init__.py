"""Packages: every submitted version becomes a verifiable BagIt package, recorded with the
submission (:mod:`.recording`), built after its commit (:mod:`.building`, :mod:`.bag`), repaired
(:mod:`.repair`) and handed to OIA's case system once (:mod:`.forwarder`)."""

# The bag's contents: .source (what it is made from), .payload (request.json, findings.json,
# request.pdf, the reading copy), .bag (the BagIt bag), .disk (durable files), .archive (its zip).
# The hand-off: .claims (claiming with a lease, recording attempts), .targets (drop folder, HTTP),
# .status (the state OIA staff see, retry). Also .verify (`portal package verify`), .receipt (the
# submitter's receipt; submitters never get the package) and .commands (the CLI).
