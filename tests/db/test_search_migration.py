"""Migration 0026 fills the search documents of the requests already stored, and the search
finds them (SQLite: through the FTS5 table its triggers filled)."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal import migrate
from portal.accounts.models import Authority
from portal.db import Database
from portal.requests import search, search_text
from portal.requests.models import MlaRequest, RequestSearch


def test_existing_requests_are_indexed_and_found(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    body = {"requesting_authority": {"case_references": ["DP 1834/2026"]},
            "persons": [{"name": "Jürgen Müller"}]}
    try:
        migrate.upgrade(db.engine, "0025")
        with db.session() as session:
            authority = Authority(name="Fiscalía", country="ES")
            session.add(authority)
            session.flush()
            session.add_all([
                MlaRequest(authority_id=authority.id, reference="MLA-2026-000007",
                           status="submitted", draft_json=json.dumps(body)),
                MlaRequest(authority_id=authority.id, draft_json="{not json"),
            ])
        migrate.upgrade(db.engine)
        with db.session() as session:
            documents = dict(session.execute(select(RequestSearch.request_id,
                                                    RequestSearch.document)).all())
            first, broken = sorted(documents)
            assert documents[first] == " mla 2026 000007 dp 1834 jurgen muller "
            assert documents[broken] == " "  # (an unreadable draft: indexed as empty)
            for q in ("muller 1834/2026", "MLA-2026-000007", "jürg"):
                found = session.scalars(search.matching_ids(search_text.terms(q))).all()
                assert found == [first], q
    finally:
        db.dispose()
