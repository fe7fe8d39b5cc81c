"""E-mails about advisory bodies, queued in the outbox through the case engine.

- a referral: the body's secretariat (Role.ADVISORY_SECRETARY, a link to the staff page)
  and the body's members who have an account (a link to the public page);
- a transmitted opinion: the council secretariat (Role.COUNCIL_SECRETARY), who must
  answer it within the answer clock;
- the council's answer, a withdrawal: the body's secretariat and members;
- a coming meeting: the body's members.

Texts are in Arabic (`staff_notify`); each e-mail's idempotency key names the case, the
stage, the number of events and the address, so a re-run queues nothing new.

Links use `advisory:referral` (slug, pk), `advisory:body` (slug, pk) and
`advisory-staff:referral` (slug, pk).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from infitah.accounts.models import Role
from infitah.advisory.models import Body, BodyMeeting, Referral
from infitah.cases.notify import day, site_url, staff_emails, staff_notify


def member_emails(body: Body) -> list[str]:
    """The addresses of the body's sitting members who have an active account."""
    today = timezone.localdate()
    return sorted(
        set(
            body.members.filter(deleted=False, user__is_active=True)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
            .values_list("user__email", flat=True)
        )
    )


def _key(referral: Referral) -> str:
    return f"advisory:{referral.pk}"


def _params(referral: Referral) -> dict[str, str]:
    slug = referral.collectivity.slug
    return {
        "reference": referral.reference,
        "subject": referral.subject,
        "body": referral.body.name,
        "collectivity": str(referral.collectivity),
        "opinion_due": day(referral.opinion_due),
        "answer_due": day(referral.answer_due),
        "answer": referral.get_answer_display(),
        "reasons": referral.answer_reasons,
        "public": site_url("advisory:referral", slug=slug, pk=referral.pk),
        "staff": site_url("advisory-staff:referral", slug=slug, pk=referral.pk),
    }


def _body_side(referral: Referral, stage: str, subject: str, text: str, **extra: str) -> int:
    """Queue `text` to the body's secretariat (with the staff link) and to its members
    (with the public link); `subject` and `text` are msgids (marked with gettext_noop),
    translated when composed and formatted with the referral's params and `extra`."""
    secretaries = staff_emails(referral.collectivity, [Role.ADVISORY_SECRETARY])
    members = [e for e in member_emails(referral.body) if e not in secretaries]

    def compose(link: str) -> tuple[str, str]:
        params = {**_params(referral), **extra}
        return _(subject) % params, _(text) % params + "\n\n" + params[link]

    queued = staff_notify(
        referral,
        key=_key(referral),
        recipients=secretaries,
        compose=lambda: compose("staff"),
        stage=stage,
    )
    return queued + staff_notify(
        referral,
        key=_key(referral),
        recipients=members,
        compose=lambda: compose("public"),
        stage=f"{stage}:member",
    )


# The texts, marked for translation here and translated in `compose`.
REFERRED_SUBJECT = gettext_noop("%(reference)s: a matter is referred to %(body)s")
REFERRED_TEXT = gettext_noop(
    "The council of %(collectivity)s refers a matter to %(body)s for its opinion:\n\n"
    "%(subject)s\n\nThe opinion is due by %(opinion_due)s."
)
ANSWERED_SUBJECT = gettext_noop("%(reference)s: the council answered the opinion")
ANSWERED_TEXT = gettext_noop(
    "The council of %(collectivity)s answered the opinion of %(body)s on “%(subject)s”: "
    "%(answer)s.\n\nIts reasons:\n%(reasons)s"
)
WITHDRAWN_SUBJECT = gettext_noop("%(reference)s: referral withdrawn")
WITHDRAWN_TEXT = gettext_noop(
    "The referral “%(subject)s” to %(body)s was withdrawn. The reason given:\n%(reason)s"
)


def referred(referral: Referral) -> int:
    return _body_side(referral, "referred", REFERRED_SUBJECT, REFERRED_TEXT)


def answered(referral: Referral) -> int:
    return _body_side(referral, "answered", ANSWERED_SUBJECT, ANSWERED_TEXT)


def withdrawn(referral: Referral, reason: str) -> int:
    return _body_side(referral, "withdrawn", WITHDRAWN_SUBJECT, WITHDRAWN_TEXT, reason=reason)


def transmitted(referral: Referral) -> int:
    """The council secretariat is told it must answer the opinion, by its due date."""

    def compose() -> tuple[str, str]:
        params = _params(referral)
        return (
            _("%(reference)s: an opinion of %(body)s awaits the council's answer") % params,
            _(
                "%(body)s transmitted its opinion on “%(subject)s” to the council. The "
                "council answers it (adopted, partly adopted or not adopted, with its "
                "reasons) by %(answer_due)s."
            )
            % params
            + "\n\n"
            + params["staff"],
        )

    return staff_notify(
        referral,
        key=_key(referral),
        recipients=staff_emails(referral.collectivity, [Role.COUNCIL_SECRETARY]),
        compose=compose,
        stage="transmitted",
    )


def meeting_announced(meeting: BodyMeeting) -> int:
    """The members with an account are told of a coming meeting of their body."""
    body = meeting.body

    def compose() -> tuple[str, str]:
        params = {
            "body": body.name,
            "when": date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT"),
            "place": meeting.place or "—",
            "link": site_url("advisory:body", slug=body.collectivity.slug, pk=body.pk),
        }
        return (
            _("Meeting of %(body)s on %(when)s") % params,
            _("%(body)s meets on %(when)s. Place: %(place)s.") % params + "\n\n" + params["link"],
        )

    return staff_notify(
        meeting,
        key=f"advisory-meeting:{meeting.pk}",
        recipients=member_emails(body),
        compose=compose,
        stage="announced",
    )
