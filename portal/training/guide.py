"""The public requirements guide: one page per type of assistance, generated from the rule
catalog and the request contract in the interface language, with a short, translatable
introduction to the U.S. standard of each type."""

# Nothing here is written per rule: a rule added to the catalog appears in the guide of every type
# it applies to (a test proves that every rule of the catalog appears, in every language).

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.contract.model import ASSISTANCE_TYPES, ITEM_FIELDS
from portal.i18n_core import N_, get_translations
from portal.requests.labels import FIELD_LABELS, choice_label
from portal.requests.path_labels import SEPARATOR, path_label
from portal.rules.catalog import RULES, Rule
from portal.rules.render import render_finding, render_rule
from portal.rules.required import REQUIRED
from portal.training import samples
from portal.training.fields import FieldView, describe, pattern_label
from portal.translation import gettext as _

#: The U.S. standard for each type of assistance, in plain words (translated at render time).
INTRODUCTIONS: dict[str, str] = {
    "subscriber_info": N_(
        "Basic subscriber information (name, address, connection records, length of service, "
        "means of payment) is obtained from a U.S. provider with a subpoena or a court order "
        "under 18 U.S.C. 2703(c)(2). The request must identify each account precisely and "
        "show that the information is relevant to the criminal investigation."
    ),
    "non_content": N_(
        "Records other than content (logs, IP addresses, e-mail headers, correspondents) need a "
        "court order under 18 U.S.C. 2703(d): specific and articulable facts showing reasonable "
        "grounds to believe that the records are relevant and material to an ongoing criminal "
        "investigation. Historical cell-site location needs a warrant (Carpenter v. United "
        "States)."
    ),
    "stored_content": N_(
        "The content of stored communications (e-mails, messages, files) is disclosed only "
        "under a search warrant, 18 U.S.C. 2703(a) and (b): probable cause, that is specific "
        "facts showing a fair probability that evidence of the offence is in the account "
        "(Illinois v. Gates), and that this is still so when the warrant is sought (the "
        "information must not be stale)."
    ),
    "real_time": N_(
        "Real-time interception of the content of communications is not available to foreign "
        "authorities through mutual legal assistance. Real-time collection of non-content data "
        "(pen register / trap and trace) needs a court order under 18 U.S.C. 3123, for at most "
        "60 days at a time."
    ),
    "financial_records": N_(
        "Bank and business records are obtained with a subpoena or a court order under 18 "
        "U.S.C. 3512. The request must name the bank or business, the accounts or account "
        "holders and the period, and show why the records are relevant. Records certified "
        "under 18 U.S.C. 3505 are admissible abroad without a live witness."
    ),
    "witness": N_(
        "A witness in the United States may give a statement voluntarily, or be compelled to "
        "testify before a commissioner or a court (28 U.S.C. 1782, 18 U.S.C. 3512); the "
        "witness keeps the privileges of U.S. law, including the privilege against "
        "self-incrimination. The request must identify the witness, give the city and state "
        "where the witness is and list the questions."
    ),
    "search_seizure": N_(
        "A search of a place in the United States needs a warrant (Fourth Amendment; Federal "
        "Rule of Criminal Procedure 41; 18 U.S.C. 3512(e)): probable cause that evidence of "
        "the offence is at a particular place, the place and the items to seize described "
        "specifically, and conduct punishable by more than one year of imprisonment."
    ),
    "service_of_documents": N_(
        "The United States can serve judicial documents on a person in the United States, but "
        "cannot compel anyone to appear abroad. The request must attach the documents to serve "
        "and give the recipient's name and U.S. address."
    ),
    "assets": N_(
        "Property in the United States can be restrained, seized or forfeited on behalf of "
        "another state under 28 U.S.C. 2467. The property must be identified, with its location "
        "and estimated value; enforcing a judgment needs a certified copy of it and a "
        "statement that the defendant had notice and an opportunity to be heard."
    ),
    "other": N_(
        "Other kinds of assistance (for example certified public records) follow the general "
        "requirements of every request: a competent authority, a legal basis, each offence "
        "with its law and penalty, a summary of the facts, and how what is sought relates to "
        "the offence."
    ),
}

#: The sources of each introduction (never translated).
SOURCES: dict[str, tuple[str, ...]] = {
    "subscriber_info": ("18 U.S.C. 2703(c)(2)", "18 U.S.C. 3512"),
    "non_content": ("18 U.S.C. 2703(c), (d)", "Carpenter v. United States, 585 U.S. 296 (2018)"),
    "stored_content": ("18 U.S.C. 2703(a), (b)", "Illinois v. Gates, 462 U.S. 213 (1983)",
                       "United States v. Seiver, 692 F.3d 774 (7th Cir. 2012)"),
    "real_time": ("18 U.S.C. 2516, 2518", "18 U.S.C. 3123"),
    "financial_records": ("18 U.S.C. 3512", "18 U.S.C. 3505"),
    "witness": ("28 U.S.C. 1782", "18 U.S.C. 3512"),
    "search_seizure": ("U.S. Const. amend. IV", "Fed. R. Crim. P. 41", "18 U.S.C. 3512(e)"),
    "service_of_documents": ("CRM 276",),
    "assets": ("28 U.S.C. 2467", "18 U.S.C. 983(j)"),
    "other": ("CRM 276", "CRM 281"),
}


@dataclass(frozen=True)
class GuideRule:
    code: str
    severity: str
    title: str
    explanation: str
    fix: str
    citations: tuple[str, ...]
    fields: tuple[str, ...]
    after_submission: bool


@dataclass(frozen=True)
class GuideField:
    name: str
    label: str
    hint: str
    rules: tuple[str, ...]  # codes of the rules that check this field


@dataclass(frozen=True)
class Mistake:
    sample: str
    rule: GuideRule
    field: FieldView


@dataclass(frozen=True)
class GuidePage:
    type: str
    title: str
    introduction: str
    sources: tuple[str, ...]
    fields: tuple[GuideField, ...]
    specific_rules: tuple[GuideRule, ...]
    general_rules: tuple[GuideRule, ...]
    example: str  # slug of the good sample ("" when there is none)
    example_fields: tuple[FieldView, ...]
    mistakes: tuple[Mistake, ...]
    mistake_samples: tuple[str, ...]


def type_title(item_type: str) -> str:
    return str(choice_label(item_type, "type"))


def applies(rule: Rule, item_type: str) -> bool:
    return "all" in rule.applies_to or item_type in rule.applies_to


def _guide_rule(rule: Rule, locale: str) -> GuideRule:
    rendered = render_rule(rule, locale, translations=get_translations(locale))
    return GuideRule(
        code=rule.code, severity=rule.severity, title=rendered["title"],
        explanation=rendered["explanation"], fix=rendered["fix"],
        citations=tuple(rule.citations),
        fields=tuple(pattern_label(p) for p in rule.fields),
        after_submission=rule.computed_by == "triage")


def rules_for(item_type: str, locale: str) -> tuple[tuple[GuideRule, ...], tuple[GuideRule, ...]]:
    """(rules specific to the type, general rules that apply to every request)."""
    specific = [_guide_rule(r, locale) for r in RULES
                if item_type in r.applies_to and "all" not in r.applies_to]
    general = [_guide_rule(r, locale) for r in RULES if "all" in r.applies_to]
    return tuple(specific), tuple(general)


def _fields(item_type: str) -> tuple[GuideField, ...]:
    out = []
    for name in ITEM_FIELDS.get(item_type, ()):
        if name == "type":
            continue
        label, hint = FIELD_LABELS[f"AssistanceItem.{name}"]
        pattern = f"assistance[].{name}"
        checked_by = tuple(r.code for r in RULES if applies(r, item_type) and any(
            f == pattern or f.startswith(pattern + ".") for f in r.fields))
        out.append(GuideField(name, str(label), str(hint) if hint else "", checked_by))
    return tuple(out)


def _item_index(sample: samples.Sample, item_type: str) -> int:
    return next(i for i, item in enumerate(sample.request.assistance) if item.type == item_type)


def _example(item_type: str) -> tuple[str, tuple[FieldView, ...]]:
    good = samples.samples_of_type(item_type, good=True)
    if not good:
        return "", ()
    sample = good[0]
    index = _item_index(sample, item_type)
    views = [describe(sample.request, f"assistance[{index}].{name}")
             for name in ITEM_FIELDS.get(item_type, ()) if name != "type"]
    return sample.slug, tuple(v for v in views if v.value or v.english)


def _mistakes(item_type: str, locale: str) -> tuple[tuple[Mistake, ...], tuple[str, ...]]:
    deficient = samples.samples_of_type(item_type, good=False)
    seen: set[str] = set()
    out: list[Mistake] = []
    translations = get_translations(locale)
    context = samples.library_context()
    for sample in deficient:
        for finding in sample.findings:
            if finding.severity == "advice" or finding.code in seen:
                continue
            seen.add(finding.code)
            rendered = render_finding(finding, locale, context.settings, translations)
            rule = GuideRule(
                code=finding.code, severity=finding.severity, title=rendered["title"],
                explanation=rendered["explanation"], fix=rendered["fix"],
                citations=tuple(rendered["citations"]), fields=(), after_submission=False)
            out.append(Mistake(sample.slug, rule, describe(sample.request, finding.path)))
    return tuple(out), tuple(s.slug for s in deficient)


def guide_page(item_type: str, locale: str) -> GuidePage:
    """The guide of one type of assistance in ``locale`` (needs a request context: field labels
    are the wizard's lazy translations)."""
    if item_type not in ASSISTANCE_TYPES:
        raise KeyError(item_type)
    specific, general = rules_for(item_type, locale)
    example, example_fields = _example(item_type)
    mistakes, mistake_samples = _mistakes(item_type, locale)
    return GuidePage(
        type=item_type, title=type_title(item_type),
        introduction=get_translations(locale).gettext(INTRODUCTIONS[item_type]),
        sources=SOURCES[item_type], fields=_fields(item_type), specific_rules=specific,
        general_rules=general, example=example, example_fields=example_fields,
        mistakes=mistakes, mistake_samples=mistake_samples)


def guide_index() -> list[dict[str, Any]]:
    """The types of assistance with their title and how many rules apply to each."""
    return [{"type": t, "title": type_title(t),
             "rules": sum(1 for r in RULES if applies(r, t)),
             "summary": _(INTRODUCTIONS[t]).split(". ")[0].rstrip(".") + "."}
            for t in ASSISTANCE_TYPES]


def required_answers(item_type: str | None = None) -> list[str]:
    """The answers a request needs (``portal.rules.required``, the data GEN-REQUIRED checks),
    in words: those of every request, or those an item of ``item_type`` adds."""
    out: list[str] = []
    for spec in REQUIRED:
        on_item = spec.path.startswith("assistance[].")
        if item_type is None and not on_item:
            out.append(path_label(spec.path))
        elif item_type is not None and on_item and (not spec.types or item_type in spec.types):
            out.append(path_label(spec.path).split(SEPARATOR, 1)[-1])
    return list(dict.fromkeys(out))
