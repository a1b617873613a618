"""Imports every model module so that ``Base.metadata`` knows all tables (used by Alembic)."""

from portal.accounts import idempotency as idempotency_models
from portal.accounts import models as accounts_models
from portal.accounts import pending_input as pending_input_models
from portal.asks import models as asks_models
from portal.attachments import models as attachments_models
from portal.audit import models as audit_models
from portal.db import Base
from portal.jobs import models as jobs_models
from portal.limits import models as limits_models
from portal.mail import models as mail_models
from portal.notify import models as notify_models
from portal.packages import models as packages_models
from portal.reference import models as reference_models
from portal.requests import models as requests_models
from portal.requests.search import FTS_TABLE, TRIGRAM_INDEX
from portal.triage import models as triage_models
from portal.webhooks import models as webhooks_models

__all__ = ["Base", "accounts_models", "asks_models", "attachments_models", "audit_models",
           "idempotency_models", "jobs_models", "limits_models", "mail_models",
           "not_made_by_models", "notify_models", "packages_models", "pending_input_models",
           "reference_models", "requests_models", "triage_models", "webhooks_models"]


def not_made_by_models(name: str | None, kind: str, _parents: object) -> bool:
    """Alembic's ``include_name``: leave out the search's SQLite FTS5 table (and its shadow
    tables) and PostgreSQL trigram index, made by migration 0026, not by the models."""
    if kind == "index":
        return name != TRIGRAM_INDEX
    return not (kind == "table" and name is not None and name.startswith(FTS_TABLE))
