"""Imported by the crash test's fork server (multiprocessing's ``forkserver``, preloaded): the
domains' events and jobs wired as in the app, and the language detector, loaded once in a fresh
process so that each child forked from it starts work at once. The children are not forked
from the pytest process: after hundreds of tests it has threads (servers', pools', native
libraries') whose locks a fork copies while held; in one CI run every child hung."""

from __future__ import annotations

from portal import wiring  # noqa: F401 - the events and jobs, as the app and the CLI have them
from portal.rules import language
from tests.packages import workers  # noqa: F401 - what the children run

language.warm_up()
