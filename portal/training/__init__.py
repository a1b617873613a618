"""Training mode: the public requirements guide, the sample library with its explain mode, the
practice sandbox, the handouts and the outreach statistics.

Everything a trainer shows comes from the same code the portal enforces: the guide and the
handouts are rendered from the rule catalog (:mod:`portal.rules.catalog`) and the request
contract (:mod:`portal.contract.model`), and the library's findings are the rule engine's
findings on the sample requests of ``examples/requests/``. Trainers never see case content:
the only requests they reach are their own practice requests (TRAINING), and the statistics
are aggregates with small counts suppressed.

Modules: :mod:`.samples` (the library), :mod:`.fields` (a finding's field and its value),
:mod:`.guide`, :mod:`.explain`, :mod:`.sandbox`, :mod:`.handouts`, :mod:`.statistics`,
:mod:`.commands` (``portal training purge``) and :mod:`.views` (the ``training`` blueprint).
"""
