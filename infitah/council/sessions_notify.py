"""E-mails about council sessions, queued in the outbox through the case engine.

- the members of the council, when the agenda is published (the link to their documents
  page), when a document is added afterwards, and when a convened session is cancelled;
- the petitions bureau, when the secretariat (without the bureau's permission) put an
  accepted petition on an agenda or the council decided on it: the bureau records it on
  the petition, which tells its agent.

Like every staff e-mail, they are written in Arabic (`staff_notify`). Links use the URL
names `council-staff:my-documents` (slug) and `petitions-staff:detail` (slug, pk).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from infitah.accounts.models import Role
from infitah.cases.notify import site_url, staff_emails, staff_notify
from infitah.council.models import AgendaItem, Document, Member, Session
from infitah.petitions.models import Petition


def _key(session: Session, audience: str) -> str:
    return f"council:{session.pk}:{audience}"


def _when(session: Session) -> str:
    return date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT")


def _where(session: Session) -> str:
    return session.place or session.video_url or "—"


def _emails(members: Iterable[Member]) -> list[str]:
    return sorted({m.user.email for m in members if m.user is not None and m.user.email})


def _documents_link(session: Session) -> str:
    return site_url("council-staff:my-documents", slug=session.collectivity.slug)


def members_agenda(session: Session, members: Iterable[Member]) -> int:
    """The agenda is published: each member gets the link to their documents."""

    def compose() -> tuple[str, str]:
        params = {
            "reference": session.reference,
            "title": session.title,
            "collectivity": session.collectivity.name,
            "when": _when(session),
            "where": _where(session),
            "link": _documents_link(session),
        }
        return (
            _("%(reference)s: convocation and documents of the session “%(title)s”") % params,
            _(
                "The agenda of the session “%(title)s” of the council of %(collectivity)s "
                "(%(when)s, %(where)s) is published. The agenda and the documents of the "
                "session are on your page:\n%(link)s\n\n"
                "The platform records when you first open each document."
            )
            % params,
        )

    return staff_notify(
        session,
        key=_key(session, "members"),
        recipients=_emails(members),
        compose=compose,
        stage="agenda",
    )


def members_document(session: Session, document: Document, members: Iterable[Member]) -> int:
    """A document was added after the agenda was published."""

    def compose() -> tuple[str, str]:
        params = {
            "reference": session.reference,
            "title": session.title,
            "document": document.title,
            "link": _documents_link(session),
        }
        return (
            _("%(reference)s: a new document for the session “%(title)s”") % params,
            _(
                "A document was added to the session “%(title)s”: %(document)s.\n"
                "Your documents:\n%(link)s"
            )
            % params,
        )

    return staff_notify(
        session,
        key=_key(session, "members"),
        recipients=_emails(members),
        compose=compose,
        stage=f"document-{document.pk}",
        counted=False,
    )


def members_cancelled(session: Session, members: Iterable[Member], reason: str) -> int:
    """A session whose agenda was published is cancelled."""

    def compose() -> tuple[str, str]:
        params = {
            "reference": session.reference,
            "title": session.title,
            "when": _when(session),
            "reason": reason,
        }
        return (
            _("%(reference)s: the session “%(title)s” is cancelled") % params,
            _("The session “%(title)s” planned for %(when)s is cancelled.\n\n%(reason)s") % params,
        )

    return staff_notify(
        session,
        key=_key(session, "members"),
        recipients=_emails(members),
        compose=compose,
        stage="cancelled",
    )


def bureau_petition(session: Session, petition: Petition, item: AgendaItem, stage: str) -> int:
    """Tell the petitions bureau what the secretariat could not record on the petition
    itself: `scheduled` (the petition is on this session's agenda) or `decided` (the
    council decided on its item)."""

    def compose() -> tuple[str, str]:
        params = {
            "petition": petition.reference or petition.title,
            "title": session.title,
            "when": _when(session),
            "number": item.number,
            "decision": item.decision or item.get_result_display(),
            "link": site_url(
                "petitions-staff:detail", slug=session.collectivity.slug, pk=petition.pk
            ),
        }
        if stage == "decided":
            return (
                _("Petition %(petition)s: the council has decided") % params,
                _(
                    "The council decided on item %(number)s of the session “%(title)s”, "
                    "which comes from the petition %(petition)s:\n\n%(decision)s\n\n"
                    "Publish the decision on the petition's page, so that its agent is "
                    "told:\n%(link)s"
                )
                % params,
            )
        return (
            _("Petition %(petition)s: placed on the agenda of a session") % params,
            _(
                "The council secretariat placed the petition %(petition)s on the agenda of "
                "the session “%(title)s” (%(when)s), item %(number)s.\n\n"
                "Record the scheduling on the petition's page, so that its agent is told:\n"
                "%(link)s"
            )
            % params,
        )

    return staff_notify(
        session,
        key=_key(session, "bureau"),
        recipients=staff_emails(session.collectivity, [Role.PETITIONS_BUREAU]),
        compose=compose,
        stage=f"petition-{petition.pk}-{stage}",
    )
