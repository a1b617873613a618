"""Every threshold used by the rules, in one place (RULES.md: "named settings, not literals")."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class RuleSettings:
    # GEN-FACTS: minimum length of the summary of facts, in words.
    facts_min_words: int = 60
    # ELEC-NONCONTENT-FACTS: minimum nexus length for non-content records (2703(d) facts).
    noncontent_nexus_min_words: int = 40
    # ELEC-CONTENT-PC: minimum nexus length for stored content (probable cause).
    content_nexus_min_words: int = 80
    # SRCH-PC: minimum nexus length for a search.
    search_nexus_min_words: int = 80
    # ELEC-PERIOD-BROAD: longest period for electronic records, in days.
    period_max_days: int = 365
    # ELEC-PERIOD-BROAD: how far the period may extend beyond the dates in the facts.
    period_beyond_facts_days: int = 90
    # FIN-PERIOD-BROAD: same for financial records.
    fin_period_beyond_facts_days: int = 365
    # ELEC-CONTENT-STALE: most recent relevant use older than this (days) is stale.
    content_stale_days: int = 180
    # ELEC-PRESERVE-EXPIRY: a preservation (or its extension) lasts this many days.
    preservation_expiry_days: int = 90
    # ELEC-PEN-DURATION: longest pen register / trap and trace order, in days.
    pen_register_max_days: int = 60
    # SRCH-THRESHOLD: penalties up to this many months need a U.S.-equivalence explanation.
    search_threshold_months: int = 12
    # GEN-ENGLISH: texts shorter than this (characters, after trimming) are not judged: the
    # detector (lingua, low-accuracy mode) is unreliable below it.
    english_min_chars: int = 60
    # GEN-ENGLISH: a text in Chinese, Japanese or Korean script is judged from this many of its
    # characters (its script tells the language; RULES.md version 2).
    english_min_cjk_chars: int = 20
    # GEN-ENGLISH: only the first characters of a long text are given to the detector.
    english_sample_chars: int = 600

    def as_dict(self) -> dict[str, int]:
        """The settings by name (every setting is an int: nothing to copy deeply)."""
        return {name: getattr(self, name) for name in _NAMES}


_NAMES = tuple(f.name for f in fields(RuleSettings))


DEFAULT_SETTINGS = RuleSettings()
