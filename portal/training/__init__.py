"""Training mode: the public requirements guide, the sample library with its explain mode, the
practice sandbox, the handouts and the outreach statistics, all made from the rule catalog, the
request contract and the rule engine the portal enforces (the pages are in portal.web.training)."""

# Trainers never see case content: the only requests they reach are their own practice requests
# (TRAINING), and the statistics are aggregates with small counts suppressed.
