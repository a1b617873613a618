"""The ``packages`` blueprint (:mod:`.views`): OIA's downloads of packages and the retry of a
failed hand-off."""
