"""Write docs/RULES_QUALITY.md: precision and recall of the text-reading rules on the corpus.

Run ``python -m tests.rules.corpus.quality`` (``make rules-quality``) after changing a rule, a
word list or the corpus; ``make test`` checks that the committed file is the one the corpus
gives now, and that every code meets the target.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from tests.rules.corpus.harness import LANGUAGES, cases, score

TARGET = 0.95
OUTPUT = Path(__file__).resolve().parents[3] / "docs" / "RULES_QUALITY.md"


def render() -> str:
    all_cases = list(cases())
    scores = score(all_cases)
    per_rule: Counter[tuple[str, str]] = Counter((c.rule, c.label) for c in all_cases)
    languages: dict[str, set[str]] = {}
    for case in all_cases:
        languages.setdefault(case.rule, set()).add(case.lang)
    lines = [
        "# Quality of the rules that read free text",
        "",
        "Written by `python -m tests.rules.corpus.quality` from the corpus in "
        "`tests/rules/corpus/` (realistic texts in eight languages, labelled with the codes "
        "each must and must not produce); do not edit by hand. `make test` fails when this "
        f"file is out of date or a code falls below {TARGET:.2f} in precision or recall.",
        "",
        "Precision: of the findings the rule gave where a case said yes or no, how many were "
        "expected. Recall: of the expected findings, how many it gave.",
        "",
        "| code | precision | recall | expected and found | false alarms | misses | "
        "expected absent and absent |",
        "|---|---|---|---|---|---|---|",
    ]
    for code in sorted(scores):
        s = scores[code]
        lines.append(f"| {code} | {s.precision:.3f} | {s.recall:.3f} | {s.tp} | {s.fp} | "
                     f"{s.fn} | {s.tn} |")
    lines += ["", "## The corpus", "", "| file | good | deficient | languages |",
              "|---|---|---|---|"]
    for rule in sorted(languages):
        langs = " ".join(lang for lang in LANGUAGES if lang in languages[rule])
        lines.append(f"| {rule}.yaml | {per_rule[(rule, 'good')]} | "
                     f"{per_rule[(rule, 'deficient')]} | {langs} |")
    wrong = [(code, s) for code, s in sorted(scores.items()) if s.misses or s.false_alarms]
    if wrong:
        lines += ["", "## Cases the rules get wrong", ""]
        for code, s in wrong:
            if s.false_alarms:
                lines.append(f"- {code}, false alarms: {', '.join(sorted(s.false_alarms))}")
            if s.misses:
                lines.append(f"- {code}, misses: {', '.join(sorted(s.misses))}")
    return "\n".join(lines) + "\n"


def main() -> int:
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
