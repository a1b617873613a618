"""OIA's triage pages: the ``triage`` blueprint (:mod:`.blueprint`), its views, forms and
labels. The work is done by :mod:`portal.triage`; the views read, call it and render."""
