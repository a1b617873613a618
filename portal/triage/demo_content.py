"""Random but realistic request contents and statuses for ``portal demo --volume``: countries,
types of assistance, persons, identifiers, and the path of events that leads to a status."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from portal.contract.model import Request
from portal.requests.models import Status

COUNTRIES = (("ES", "es"), ("MX", "es"), ("CO", "es"), ("AR", "es"), ("FR", "fr"),
             ("DE", "de"), ("BR", "pt"), ("GB", "en"), ("NG", "en"), ("EG", "ar"),
             ("PL", "pl"), ("JP", "ja"), ("UA", "uk"), ("PH", "en"), ("TR", "tr"))
TYPES = ("subscriber_info", "non_content", "stored_content", "real_time", "financial_records",
         "witness", "search_seizure", "service_of_documents", "assets", "other")
TYPE_ODDS = (30, 15, 20, 3, 15, 8, 3, 3, 2, 1)
PROVIDERS = ("Google", "Microsoft", "Meta", "Apple", "Amazon", "Yahoo", "Snap", "Dropbox")
STATES = ("CA", "NY", "FL", "TX", "WA", "IL", "NJ", "VA", "GA", "MA")
FIRST = ("María", "José", "Ana", "Jean", "Luis", "Fatima", "Olga", "Kenji", "Chidi", "Anna",
         "Ahmed", "Carlos", "Sofia", "Pedro", "Lucía", "Marek", "Emre", "Aylin", "Ivan", "Grace")
LAST = ("García", "Martínez", "Dubois", "Schmidt", "Silva", "Hassan", "Kowalski", "Tanaka",
        "Okafor", "Smith", "Shevchenko", "Yılmaz", "Santos", "López", "Moreau", "Nowak")
CODES = ("GEN-CONTACT", "ELEC-IP-TIME", "ELEC-NEXUS", "ELEC-CONTENT-PC", "FIN-NEXUS",
         "GEN-LAW-TEXT", "GEN-TRANSLATION", "WIT-QUESTIONS", "GEN-FACTS")
DISTRICTS = ("CAN", "WAW", "NYS", "FLS", "TXS", "ILN", "VAE", "MA", "NJ", "GAN")
#: How the authorities of a country number their cases (e.g. Spain's "DP 1834/2026").
CASE_FORMATS = {"ES": "DP {n}/{y}", "MX": "CI/FED/{n}/{y}", "CO": "SPOA {n}-{y}",
                "AR": "FMI {n}/{y}", "FR": "RG {yy}/{n:05d}", "DE": "{n} Js {m}/{yy}",
                "BR": "IPL {n}/{y}", "GB": "OP {Y}{n}", "PL": "PR 1 Ds {n}.{y}"}
SYLLABLES = ("al", "ber", "ca", "dor", "el", "fa", "gon", "ha", "in", "jo", "ka", "lo", "mar",
             "ne", "or", "pa", "qui", "ro", "sa", "ta", "ur", "va", "we", "xi", "ya", "zo")

#: The events that lead from submission to each status.
PATH = {
    Status.SUBMITTED: [], Status.IN_TRIAGE: ["opened"], Status.RETURNED: ["opened", "returned"],
    Status.ACCEPTED: ["opened", "accepted"], Status.ASSIGNED: ["opened", "accepted", "assigned"],
    Status.REFERRED: ["opened", "accepted", "assigned", "referred"],
    Status.IN_EXECUTION: ["opened", "accepted", "assigned", "in_execution"],
    Status.COMPLETED: ["opened", "accepted", "assigned", "in_execution", "completed"],
    Status.DECLINED: ["opened", "declined"], Status.WITHDRAWN: ["withdrawn"],
}
#: The status after each event.
AFTER = {"opened": "in_triage", "returned": "returned", "accepted": "accepted",
         "assigned": "assigned", "referred": "referred", "in_execution": "in_execution",
         "completed": "completed", "declined": "declined", "withdrawn": "withdrawn"}


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {surname(rng)} {surname(rng)}"


def surname(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(LAST)
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()


def _identifiers(rng: random.Random, shared: list[str]) -> list[dict[str, str]]:
    idents = []
    for _ in range(rng.randint(1, 3)):
        pick = rng.random()
        if pick < 0.02 and shared:
            idents.append({"kind": "email", "value": rng.choice(shared)})
        elif pick < 0.5:
            idents.append({"kind": "email", "value": f"user{rng.getrandbits(40):x}@mail.example"})
        elif pick < 0.75:
            idents.append({"kind": "phone", "value":
                           f"+{rng.randint(1, 99)} {rng.randint(10**8, 10**9 - 1)}"})
        else:
            idents.append({"kind": "ip", "value": f"203.0.{rng.randint(0, 255)}."
                                                  f"{rng.randint(1, 254)}",
                           "datetime": "2025-05-01T10:00:00Z"})
    return idents


def case_number(rng: random.Random, country: str) -> str:
    """A case number of the requesting authority, in its country's usual form."""
    year = rng.randint(2021, 2026)
    form = CASE_FORMATS.get(country, "{n}/{y}")
    return form.format(n=rng.randint(1, 9999), m=rng.randint(1, 999), y=year,
                       yy=f"{year % 100:02d}", Y=rng.choice("ABCDEFGH"))


def request_body(rng: random.Random, country: str, shared: list[str]
                 ) -> tuple[Request, dict[str, Any]]:
    """A request's content (the model, and its canonical form without the reference);
    ``shared``: e-mail addresses some requests have in common (possible duplicates)."""
    types = rng.choices(TYPES, TYPE_ODDS, k=rng.choice((1, 1, 1, 2, 2, 3)))
    persons = [{"name": person_name(rng),
                "role": rng.choice(("suspect", "suspect", "witness", "victim"))}
               for _ in range(rng.randint(1, 3))]
    items: list[dict[str, Any]] = []
    for kind in types:
        item: dict[str, Any] = {"type": kind, "description": {"text": "Records sought."}}
        if kind in ("subscriber_info", "non_content", "stored_content", "real_time"):
            item.update(identifiers=_identifiers(rng, shared), provider=rng.choice(PROVIDERS))
        elif kind == "financial_records":
            item.update(institution="Bank of Example", state=rng.choice(STATES), accounts=[
                {"number": f"{rng.getrandbits(48):014d}"} for _ in range(rng.randint(1, 2))])
        elif kind in ("witness", "search_seizure", "service_of_documents", "assets"):
            item["state"] = rng.choice(STATES)
        items.append(item)
    doc: dict[str, Any] = {"requesting_authority": {"name": "Authority", "country": country,
                                                    "case_references": [
                                                        case_number(rng, country)]},
                           "persons": persons, "assistance": items}
    if rng.random() < 0.15:
        doc["urgency"] = {"urgent": True, "reason": "trial_date",
                          "date": (date.today() + timedelta(days=rng.randint(-60, 240)))
                          .isoformat()}
    content = Request.from_dict(doc)
    return content, content.to_dict(omit_defaults=True)


def request_status(rng: random.Random, age_days: int) -> Status:
    """A status for a request submitted ``age_days`` ago (older ones are more often closed)."""
    closing = min(0.92, age_days / 500)
    if rng.random() < closing:
        return rng.choices((Status.COMPLETED, Status.DECLINED, Status.WITHDRAWN), (80, 12, 8))[0]
    return rng.choices((Status.SUBMITTED, Status.IN_TRIAGE, Status.RETURNED, Status.ACCEPTED,
                        Status.ASSIGNED, Status.REFERRED, Status.IN_EXECUTION),
                       (14, 14, 8, 6, 25, 18, 15))[0]
