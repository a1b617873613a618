"""Benchmark of the rule engine: ``python -m bench.bench_rules``.

Measures the median time of ``evaluate`` on a complete 10-item request (language detection and
the reading of the free text included, the detector already loaded), with the detector's
per-text memo cleared before every run (the honest figure), with the text reader's per-word
look-ups cleared too, and with the memo warm (what the wizard sees when it re-checks unchanged
texts); the cold start of the detector; and the median per example in ``examples/requests/``.
"""

from __future__ import annotations

import copy
import json
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from portal.contract.load import load_request
from portal.contract.model import Request
from portal.rules import language
from portal.rules.engine import default_context, evaluate
from portal.rules.reading import texts

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "rules" / "base_request.json"
EXAMPLES = ROOT / "examples" / "requests"
TARGET_MS = 2.0
REPEAT = 200
WARMUP = 20

NEXUS = (
    "The e-mail account roe.fraud@example.com was used by the suspect to send the fraudulent "
    "messages to the victims. Three victims forwarded to the police the messages they received "
    "from this account between 3 January and 28 February 2024, in which the sender pretended to "
    "be an employee of their bank and asked for their online banking credentials. The bank's "
    "records show that the credentials obtained in this way were used within hours to transfer "
    "the savings of the victims to accounts controlled by the suspect at 1200 Ocean Drive in "
    "Miami. The account is therefore likely to contain the messages sent to the victims."
)
NEXUS_ES = (
    "La cuenta de correo roe.fraud@example.com fue utilizada por el sospechoso para enviar los "
    "mensajes fraudulentos a las víctimas entre el 3 de enero y el 28 de febrero de 2024."
)


def _n(text: str, english: str = "", lang: str = "en") -> dict[str, str]:
    return {"text": text, "english": english, "language": lang}


def ten_item_request() -> dict[str, Any]:
    """A complete request with ten items of every kind (some narratives translated)."""
    doc: dict[str, Any] = json.loads(BASE.read_text(encoding="utf-8"))
    email = {"kind": "email", "value": "roe.fraud@example.com"}
    ip = {
        "kind": "ip",
        "value": "203.0.113.7",
        "datetime": "2024-02-01T10:00:00+01:00",
        "port": 51234,
    }
    period = {"start": "2024-01-01", "end": "2024-03-31"}
    electronic = {"identifiers": [email, ip], "provider": "Google", "period": period}
    doc["facts"]["summary"] = _n(doc["facts"]["summary"]["text"])
    doc["assistance"] = [
        {"type": "subscriber_info", **electronic, "nexus": _n(NEXUS)},
        {"type": "non_content", **electronic, "nexus": _n(NEXUS_ES, NEXUS, "es")},
        {
            "type": "stored_content",
            **electronic,
            "most_recent_use": "2024-03-10",
            "expected_evidence": _n("The messages sent to the victims and their replies."),
            "nexus": _n(NEXUS),
        },
        {
            "type": "real_time",
            "identifiers": [{"kind": "phone", "value": "+34 600 123 456"}],
            "provider": "Google",
            "real_time_mode": "pen_register",
            "duration_days": 30,
            "nexus": _n(NEXUS),
        },
        {
            "type": "financial_records",
            "institution": "Example National Bank",
            "city": "New York",
            "state": "NY",
            "accounts": [{"number": "000123456789", "holder": "John Roe"}],
            "document_kinds": ["account_statements", "wire_transfers"],
            "period": period,
            "certificate_requested": True,
            "nexus": _n(NEXUS),
        },
        {
            "type": "witness",
            "witness_name": "Mary Example",
            "city": "Miami",
            "state": "FL",
            "questions": _n("1. Did you open the account for John Roe?\n2. Who gave orders?"),
            "nexus": _n(NEXUS),
        },
        {
            "type": "search_seizure",
            "place": _n("Storage unit 14 at 1200 Ocean Drive, Miami, Florida."),
            "items": _n("Laptops, phones and paper lists of credentials."),
            "address": "1200 Ocean Drive, Unit 14",
            "city": "Miami",
            "state": "FL",
            "nexus": _n(NEXUS),
        },
        {
            "type": "service_of_documents",
            "documents_to_serve": ["request-letter.pdf"],
            "recipient": "John Roe",
            "address": "55 Main Street",
            "city": "Houston",
            "state": "TX",
            "nexus": _n(NEXUS),
        },
        {
            "type": "assets",
            "property": _n("Condominium unit 5B at 1200 Ocean Drive, Miami."),
            "location": "Miami-Dade County",
            "city": "Miami",
            "state": "FL",
            "estimated_value": {"amount": 250000, "currency": "USD"},
            "action": "restraint",
            "restraint_facts": _n("Bought on 2 April 2024 with 240,000 euros of the victims."),
            "nexus": _n(NEXUS_ES, NEXUS, "es"),
        },
        {"type": "other", "description": _n("Company registration record."), "nexus": _n(NEXUS)},
    ]
    doc["preservation"] = [
        {"date": "2024-04-01", "channel": "provider_direct", "identifier": "roe.fraud@example.com"}
    ]
    return doc


def _median_ms(fn: Callable[[], object], repeat: int = REPEAT, warmup: int = WARMUP) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def run() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    language.warm_up()
    cold = (time.perf_counter() - started) * 1000
    rows.append(
        {
            "what": "language detector cold start (lingua, 23 languages, low accuracy)",
            "how": "first build of the shared detector, once per process",
            "result": f"{cold:.0f} ms",
            "target": "once per process",
            "ok": True,
        }
    )
    context = default_context(today=date(2024, 6, 1))
    loaded = load_request(ten_item_request())
    assert loaded.request is not None, loaded.errors
    request: Request = loaded.request

    def uncached() -> None:
        language.clear_cache()
        evaluate(request, context)

    no_memo = _median_ms(uncached)
    rows.append(
        {
            "what": "evaluate(): complete 10-item request, detection memo cleared each run",
            "how": f"median of {REPEAT} runs after {WARMUP} warm-up runs, detector warm",
            "result": f"{no_memo:.3f} ms",
            "target": f"< {TARGET_MS} ms",
            "ok": no_memo < TARGET_MS,
        }
    )
    def cold_words() -> None:
        language.clear_cache()
        texts.clear_word_cache()
        evaluate(request, context)

    cold = _median_ms(cold_words)
    rows.append(
        {
            "what": "evaluate(): same request, also the text reader's word look-ups cleared",
            "how": f"median of {REPEAT} runs (as for a worker's first request with new words)",
            "result": f"{cold:.3f} ms",
            "target": "informative",
            "ok": True,
        }
    )
    memo = _median_ms(lambda: evaluate(request, context))
    rows.append(
        {
            "what": "evaluate(): same request, detection memo warm (re-check of unchanged texts)",
            "how": f"median of {REPEAT} runs",
            "result": f"{memo:.3f} ms",
            "target": f"< {TARGET_MS} ms",
            "ok": memo < TARGET_MS,
        }
    )
    spanish = copy.deepcopy(ten_item_request())
    for item in spanish["assistance"]:
        item["nexus"] = _n(NEXUS_ES * 3, "", "es")
    loaded_es = load_request(spanish)
    if loaded_es.request is not None:
        request_es = loaded_es.request

        def untranslated() -> None:
            language.clear_cache()
            evaluate(request_es, context)

        worst = _median_ms(untranslated)
        rows.append(
            {
                "what": "evaluate(): 10 items whose nexus is untranslated Spanish (worst case)",
                "how": f"median of {REPEAT} runs, memo cleared, lingua runs on every text",
                "result": f"{worst:.3f} ms",
                "target": "informative",
                "ok": True,
            }
        )
    files = sorted(EXAMPLES.glob("*.json")) if EXAMPLES.is_dir() else []
    per_file: list[float] = []
    for path in files:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        example = load_request(document)
        if example.request is None:
            continue
        example_request = example.request

        def one(r: Request = example_request) -> None:
            language.clear_cache()
            evaluate(r, context)

        per_file.append(_median_ms(one, repeat=50, warmup=5))
    if per_file:
        median = statistics.median(per_file)
        rows.append(
            {
                "what": f"evaluate(): examples/requests ({len(per_file)} files)",
                "how": "median over files of each file's median of 50 runs, memo cleared",
                "result": f"{median:.3f} ms (max {max(per_file):.3f} ms)",
                "target": f"< {TARGET_MS} ms",
                "ok": median < TARGET_MS,
            }
        )
    return rows


def main() -> None:
    for row in run():
        mark = "ok " if row["ok"] else "FAIL"
        print(f"[{mark}] {row['what']}: {row['result']} (target {row['target']}; {row['how']})")


if __name__ == "__main__":
    main()
