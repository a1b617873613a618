"""The contacts named by the public accessibility statement and privacy notice
(``PORTAL_ACCESSIBILITY_CONTACT``, ``PORTAL_PRIVACY_CONTACT``) and the system of records
notice that covers the portal (``PORTAL_PRIVACY_SORN``), shown by portal.web.notices."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


@dataclass(frozen=True)
class NoticeSettings:
    #: Where people report an accessibility problem (an e-mail address).
    accessibility_contact: str = "accessibility@mla-portal.invalid"
    #: Where people ask about their data, its access or correction (an e-mail address).
    privacy_contact: str = "privacy@mla-portal.invalid"
    #: The Federal Register citation of the system of records notice that covers the portal's
    #: records, as the Department publishes it; empty: the notice says to ask the contact.
    privacy_sorn: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str]) -> NoticeSettings:
        return cls(
            accessibility_contact=env.get("PORTAL_ACCESSIBILITY_CONTACT", "").strip()
            or cls.accessibility_contact,
            privacy_contact=env.get("PORTAL_PRIVACY_CONTACT", "").strip() or cls.privacy_contact,
            privacy_sorn=" ".join(env.get("PORTAL_PRIVACY_SORN", "").split()),
        )

    def problems(self) -> list[str]:
        found = []
        for name, value in (("PORTAL_ACCESSIBILITY_CONTACT", self.accessibility_contact),
                            ("PORTAL_PRIVACY_CONTACT", self.privacy_contact)):
            if not _EMAIL.fullmatch(value):
                found.append(f"{name} must be an e-mail address, got {value!r}")
        if len(self.privacy_sorn) > 200:
            found.append("PORTAL_PRIVACY_SORN must be a citation of at most 200 characters")
        return found
