"""USAO referrals: the districts proposed from where the evidence is (the providers' and
institutions' headquarters, then the items' U.S. states), and the default due date."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from portal.config import Settings
from portal.contract import model as m
from portal.reference import ReferenceData, current_reference


def proposed_districts(content: m.Request, reference: ReferenceData | None = None) -> list[str]:
    """District codes, the most likely first."""
    ref = reference or current_reference()
    votes: Counter[str] = Counter()
    order: list[str] = []

    def vote(code: str, weight: int) -> None:
        if code in ref.districts:
            votes[code] += weight
            if code not in order:
                order.append(code)

    for item in content.assistance:
        allowed = m.item_fields(item.type)
        for name in ("provider", "institution"):
            if name in allowed:
                provider = ref.find_provider(getattr(item, name))
                if provider is not None and provider.hq_district:
                    vote(provider.hq_district, 2)
        if "state" in allowed and item.state:
            state = item.state.upper()
            matches = [code for code in ref.districts
                       if code == state or (len(code) == 3 and code[:2] == state)]
            for code in sorted(matches):
                vote(code, 2 if len(matches) == 1 else 1)
    return sorted(order, key=lambda code: (-votes[code], order.index(code)))


def default_due(settings: Settings, today: date) -> date:
    return today + timedelta(days=settings.triage_referral_due_days)


def district_label(code: str, reference: ReferenceData | None = None) -> str:
    """The district's name with its code, "Northern District of California (CAN)"; an unknown
    code as it is."""
    district = (reference or current_reference()).districts.get(code)
    return f"{district.name} ({district.code})" if district is not None else code


def district_choices(reference: ReferenceData | None = None) -> list[tuple[str, str]]:
    ref = reference or current_reference()
    return sorted(((d.code, district_label(d.code, ref)) for d in ref.districts.values()),
                  key=lambda pair: pair[1])
