"""A version's findings as shown are kept by the version's id and the language
(portal.triage.package.version_findings): the kept ones are those rendered afresh, in each
language, and every caller gets its own list."""

from __future__ import annotations

import json
from types import SimpleNamespace

from flask import Flask

from portal.rules.catalog import RULES
from portal.triage import package


def _version(version_id: int, findings: list[dict[str, str]]) -> SimpleNamespace:
    return SimpleNamespace(id=version_id, findings_json=json.dumps(findings))


def test_kept_findings_are_the_rendered_ones_in_each_language(app: Flask) -> None:
    recorded = [{"code": rule.code, "severity": rule.severity, "path": "facts.summary",
                 "acknowledgement": "Because <b>"} for rule in RULES[:12]]
    version = _version(7, recorded)
    for locale in ("en", "fr", "ar", "en"):
        with app.test_request_context(f"/?lang={locale}"):
            fresh = package._version_findings(version, locale)
            first = package.version_findings(version, locale)
            again = package.version_findings(_version(7, recorded), locale)  # read again
            assert first == fresh == again and len(first) == 12
            again.clear()  # the caller's own list
            assert package.version_findings(version, locale) == fresh
    with app.test_request_context("/?lang=fr"):
        french = package.version_findings(version, "fr")[0].title
    with app.test_request_context("/?lang=en"):
        assert package.version_findings(version, "en")[0].title != french
    assert len(package._FINDINGS) == 3


def test_other_versions_are_not_confused() -> None:
    one = _version(1, [{"code": RULES[0].code, "severity": "blocker", "path": ""}])
    other = _version(2, [{"code": RULES[1].code, "severity": "warning", "path": ""}])
    assert [f.code for f in package.version_findings(one, "en")] == [RULES[0].code]
    assert [f.code for f in package.version_findings(other, "en")] == [RULES[1].code]
    assert package.version_findings(_version(3, []), "en") == []
