"""Build the corpus cases into requests, evaluate them, and count precision and recall."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from portal.contract.load import load_request
from portal.rules.base import EvaluationContext, Finding
from portal.rules.engine import evaluate
from tests.rules.conftest import FakeReference

HERE = Path(__file__).resolve().parent
LANGUAGES = ("en", "es", "fr", "pt", "de", "ar", "ru", "zh")
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def templates() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((HERE / "_templates.yaml").read_text("utf-8"))
    return data


def corpus_files() -> list[Path]:
    return sorted(p for p in HERE.glob("*.yaml") if not p.name.startswith("_"))


@dataclass
class Case:
    id: str
    rule: str
    lang: str
    label: str
    document: dict[str, Any]
    must: tuple[str, ...]
    must_not: tuple[str, ...]
    note: str = ""
    source: str = ""


def _assign(document: dict[str, Any], path: str, value: Any) -> None:
    steps = [(name, int(index) if index else None) for name, index in _STEP.findall(path)]
    node: Any = document
    for position, (name, index) in enumerate(steps):
        last = position == len(steps) - 1
        key: Any = name if index is None else index
        if last:
            node[key] = value
            return
        nxt_is_index = steps[position + 1][1] is not None
        if isinstance(node, dict) and key not in node:
            node[key] = [] if nxt_is_index else {}
        if isinstance(node, list):
            while len(node) <= key:
                node.append({})
        node = node[key]


def cases() -> Iterator[Case]:
    tpl = templates()
    seen: set[str] = set()
    for path in corpus_files():
        rule = path.stem
        for raw in yaml.safe_load(path.read_text("utf-8")) or []:
            case_id = str(raw["id"])
            if case_id in seen:
                raise ValueError(f"{path.name}: duplicate id {case_id}")
            seen.add(case_id)
            document = copy.deepcopy(tpl["base"])
            if raw.get("item"):
                document["assistance"] = [copy.deepcopy(tpl["items"][raw["item"]])]
            for key, value in (raw.get("set") or {}).items():
                _assign(document, key, value)
            yield Case(case_id, rule, str(raw.get("lang", "")), str(raw.get("label", "")),
                       document, tuple(raw.get("must") or ()), tuple(raw.get("must_not") or ()),
                       str(raw.get("note", "")), path.name)


def today() -> date:
    return date.fromisoformat(str(templates()["today"]))


def findings_of(case: Case, on: date | None = None) -> list[Finding]:
    loaded = load_request(case.document)
    if loaded.request is None:
        raise ValueError(f"{case.id}: not a valid request: {[e.as_dict() for e in loaded.errors]}")
    context = EvaluationContext(today=on or today(), reference=FakeReference())
    return evaluate(loaded.request, context, strict=True)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def score(all_cases: list[Case] | None = None) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    on = today()
    for case in all_cases if all_cases is not None else list(cases()):
        codes = {f.code for f in findings_of(case, on)}
        for code in case.must:
            s = scores.setdefault(code, Score())
            if code in codes:
                s.tp += 1
            else:
                s.fn += 1
                s.misses.append(case.id)
        for code in case.must_not:
            s = scores.setdefault(code, Score())
            if code in codes:
                s.fp += 1
                s.false_alarms.append(case.id)
            else:
                s.tn += 1
    return scores


def check_only() -> None:
    """Build every case and say how many there are per rule, language and label."""
    counts: dict[tuple[str, str, str], int] = {}
    for case in cases():
        loaded = load_request(case.document)
        if loaded.request is None:
            raise SystemExit(f"{case.id}: {[e.as_dict() for e in loaded.errors]}")
        if case.lang not in LANGUAGES or case.label not in ("good", "deficient"):
            raise SystemExit(f"{case.id}: bad lang or label")
        key = (case.rule, case.lang, case.label)
        counts[key] = counts.get(key, 0) + 1
    for key in sorted(counts):
        print(*key, counts[key])


if __name__ == "__main__":
    check_only()
