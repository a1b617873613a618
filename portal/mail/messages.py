"""E-mail texts, rendered in the recipient's language. References and links only."""

from __future__ import annotations

from dataclasses import dataclass

from portal.i18n_core import N_, get_translations


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def _mail(locale: str, subject: str, body: str, **values: object) -> Mail:
    """The subject and body in ``locale``, with ``values`` filled in."""
    t = get_translations(locale)
    return Mail(t.gettext(subject) % values, t.gettext(body) % values)


def invitation(locale: str, *, name: str, link: str, hours: int) -> Mail:
    return _mail(locale, N_("Your invitation to the MLA request portal"), N_(
        "Hello %(name)s,\n\n"
        "An administrator has invited you to the Mutual Legal Assistance request portal.\n"
        "Open this link to choose your password and set up your account:\n\n"
        "%(link)s\n\n"
        "The link can be used once and expires in %(hours)d hours. If you did not expect this "
        "invitation, ignore this message.\n"
    ), name=name, link=link, hours=hours)


def password_changed(locale: str, *, name: str, link: str) -> Mail:
    return _mail(locale, N_("Your portal password was changed"), N_(
        "Hello %(name)s,\n\n"
        "The password of your account on the MLA request portal was just changed. If you did "
        "not do this, contact your administrator at once.\n\n%(link)s\n"
    ), name=name, link=link)


def request_submitted(locale: str, *, name: str, reference: str, link: str) -> Mail:
    return _mail(locale, N_("Request %(reference)s was submitted"), N_(
        "Hello %(name)s,\n\n"
        "Your request %(reference)s was submitted to the U.S. Office of International Affairs. "
        "You can follow its status, download the receipt and read messages in the portal:\n\n"
        "%(link)s\n\n"
        "For your security, this e-mail does not contain the content of the request.\n"
    ), name=name, reference=reference, link=link)


def practice_submitted(locale: str, *, name: str, reference: str, link: str) -> Mail:
    return _mail(locale, N_("Practice request %(reference)s was checked (not sent to OIA)"), N_(
        "Hello %(name)s,\n\n"
        "Your practice request %(reference)s went through the same checks as a real request. "
        "Nothing was sent to the U.S. Office of International Affairs: practice requests never "
        "leave the portal, and they are deleted automatically after a while. You can read it "
        "and download its receipt in the portal:\n\n"
        "%(link)s\n\n"
        "For your security, this e-mail does not contain the content of the request.\n"
    ), name=name, reference=reference, link=link)


def new_message(locale: str, *, name: str, reference: str, link: str) -> Mail:
    return _mail(locale, N_("New message about request %(reference)s"), N_(
        "Hello %(name)s,\n\n"
        "There is a new message about request %(reference)s. Sign in to the portal to read it:"
        "\n\n%(link)s\n\n"
        "For your security, this e-mail does not contain the message.\n"
    ), name=name, reference=reference, link=link)


def documents_asked(locale: str, *, name: str, reference: str, link: str) -> Mail:
    return _mail(locale, N_("OIA asks for documents for request %(reference)s"), N_(
        "Hello %(name)s,\n\n"
        "OIA asks for documents for request %(reference)s. Sign in to the portal to see which "
        "ones, and to send them as PDF files:\n\n%(link)s\n\n"
        "For your security, this e-mail does not contain the message.\n"
    ), name=name, reference=reference, link=link)


def request_status_changed(locale: str, *, name: str, reference: str, link: str) -> Mail:
    return _mail(locale, N_("The status of request %(reference)s changed"), N_(
        "Hello %(name)s,\n\n"
        "The status of request %(reference)s changed. Sign in to the portal to see what "
        "happened and what you may need to do:\n\n%(link)s\n\n"
        "For your security, this e-mail does not contain the content of the request.\n"
    ), name=name, reference=reference, link=link)


def audit_checkpoint(locale: str, *, position: int, time: str, line: str) -> Mail:
    return _mail(locale, N_("Audit log checkpoint: event %(position)d"), N_(
        "The audit log of the MLA request portal ended at event %(position)d at %(time)s.\n\n"
        "Keep this message where the portal's administrators cannot change it. The line below "
        "is a checkpoint signed with the audit key: saved in a file and given to \"portal audit "
        "verify --checkpoints FILE\", it shows whether events up to this one were later deleted "
        "or rewritten.\n\n"
        "%(line)s\n"
    ), position=position, time=time, line=line)


# Notifications of OIA staff (portal.notify): a reference, a date and a link, nothing else.

STAFF_TEXTS: dict[str, tuple[str, str]] = {
    "submitted": (N_("New request %(reference)s in your portfolio"), N_(
        "Request %(reference)s was submitted by an authority of a country in your portfolio. "
        "Open it in the triage workspace:\n\n%(link)s\n\n"
        "For your security, this e-mail does not contain the content of the request.\n")),
    "message": (N_("New message about request %(reference)s"), N_(
        "The requesting authority sent a new message about request %(reference)s. Sign in to "
        "the portal to read it:\n\n%(link)s\n\n"
        "For your security, this e-mail does not contain the message.\n")),
    "assigned": (N_("Request %(reference)s was assigned to you"), N_(
        "Request %(reference)s was assigned to you. Open it in the triage workspace:\n\n"
        "%(link)s\n\n"
        "For your security, this e-mail does not contain the content of the request.\n")),
    "referral_due": (N_("The referral of request %(reference)s is due on %(date)s"), N_(
        "The referral of request %(reference)s to a U.S. Attorney's Office is due on "
        "%(date)s. Open the request in the triage workspace:\n\n%(link)s\n\n"
        "For your security, this e-mail does not contain the content of the request.\n")),
    "referral_overdue": (N_("The referral of request %(reference)s is overdue"), N_(
        "The referral of request %(reference)s to a U.S. Attorney's Office was due on "
        "%(date)s. Open the request in the triage workspace:\n\n%(link)s\n\n"
        "For your security, this e-mail does not contain the content of the request.\n")),
    "urgency": (N_("Request %(reference)s is needed by %(date)s"), N_(
        "The requesting authority asked for request %(reference)s to be executed by "
        "%(date)s. Open it in the triage workspace:\n\n%(link)s\n\n"
        "For your security, this e-mail does not contain the content of the request.\n")),
    "withdrawn": (N_("Request %(reference)s was withdrawn"), N_(
        "The requesting authority withdrew request %(reference)s and gave its reason in the "
        "portal. Open it in the triage workspace:\n\n%(link)s\n\n"
        "For your security, this e-mail does not contain the content of the request.\n")),
}


def staff_notification(locale: str, kind: str, *, reference: str, link: str,
                       date: str = "") -> Mail:
    """The e-mail of one notification of ``kind`` (a key of :data:`STAFF_TEXTS`)."""
    subject, body = STAFF_TEXTS[kind]
    return _mail(locale, subject, body, reference=reference, link=link, date=date)


def staff_digest(locale: str, *, lines: str, link: str) -> Mail:
    """The daily digest: ``lines`` are the counts and references, already translated."""
    return _mail(locale, N_("Your daily summary of portal notifications"), N_(
        "Your notifications since the last summary:\n\n%(lines)s\n\n"
        "See them all in the portal:\n\n%(link)s\n\n"
        "For your security, this e-mail does not contain the content of any request.\n"
    ), lines=lines, link=link)
