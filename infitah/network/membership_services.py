"""Writes of the network's membership: the charter, applications (submitted on the public
form, accepted or rejected by a network administrator), the invitation to apply, and a
member's life (suspended, reinstated, left) with its focal point's public contact.

The flags every public page reads stay in step with the records, in the same
transaction: `Collectivity.is_network_member` is True while a member is active **or
suspended** (a suspended member's published registers stay public, marked suspended;
nothing published disappears because of a dispute), False once it has left;
`joined_network_on` is the date of its current membership (cleared when it leaves; the
history keeps every period). Each change is a `MemberChange` row and an event in the
ledger; the public pages built from the flags are made stale after the commit.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from infitah.accounts.models import Role, User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.accounts.services import invitation_create
from infitah.ledger.services import event_record
from infitah.lib import pagecache
from infitah.lib.casework import site_language
from infitah.lib.uploads import check_upload
from infitah.network.membership_selectors import (
    APPLY_INVITATION_MAX_AGE,
    APPLY_INVITATION_SALT,
    NETWORK_START,
    application_consents,
)
from infitah.network.models import (
    Application,
    ApplicationStatus,
    ChangeKind,
    Charter,
    Member,
    MemberChange,
    MemberStatus,
)
from infitah.notifications.services import email_queue
from infitah.territories.models import Collectivity, Kind

# The deliberation: a PDF, at most this size.
DELIBERATION_MAX_BYTES = 10 * 1024 * 1024

# The page caches built from the membership flags: the tree and the collectivities'
# pages, the members' public modules (a member that leaves must vanish from them), and
# the network's own membership pages.
PAGES = "network-members"
MEMBER_PAGE_NAMESPACES = (
    "territories",
    PAGES,
    "publication",
    "information",
    "complaints",
    "petitions",
    "advisory",
    "openplan",
    "opendata",
    "finance",
    "council",
    "calendar",
)

# Which status each change leads from and to (a former member comes back only through
# an accepted application).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    ChangeKind.SUSPENDED: (frozenset({MemberStatus.ACTIVE}), MemberStatus.SUSPENDED),
    ChangeKind.REINSTATED: (frozenset({MemberStatus.SUSPENDED}), MemberStatus.ACTIVE),
    ChangeKind.LEFT: (frozenset({MemberStatus.ACTIVE, MemberStatus.SUSPENDED}), MemberStatus.LEFT),
}

NOTE_MAX = 2_000
SIGNATURE = "\n\n— Infitah"


def _pages_bump() -> None:
    for namespace in MEMBER_PAGE_NAMESPACES:
        pagecache.bump(namespace)


def _site_link(name: str, language: str, **kwargs: int | str) -> str:
    with translation.override(language):
        return settings.INFITAH_SITE_URL + reverse(name, kwargs=kwargs or None)


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _clean_note(note: str, *, required: str = "") -> str:
    note = (note or "").strip()
    if "\x00" in note:
        raise ValidationError({"note": _("This text contains a forbidden character.")})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("At most %(max)d characters.") % {"max": NOTE_MAX}})
    if required and not note:
        raise ValidationError({"note": required})
    return note


def _collectivity_locked(collectivity: Collectivity) -> Collectivity:
    """The collectivity's row, locked: two decisions on one collectivity queue up."""
    return Collectivity.objects.select_for_update().get(pk=collectivity.pk)


def _flags_set(collectivity: Collectivity, *, member: bool, joined_on: dt.date | None) -> None:
    collectivity.is_network_member = member
    collectivity.joined_network_on = joined_on
    collectivity.save(update_fields=["is_network_member", "joined_network_on", "updated_at"])


# --- The charter ------------------------------------------------------------------------


@transaction.atomic
def charter_publish(
    *, actor: User, title_ar: str, title_fr: str, body_ar: str, body_fr: str
) -> Charter:
    """Publish a new version of the charter (the next number); earlier versions stay as
    they were, and applications keep the version they accepted. Both languages are
    required (ValidationError, nothing stored). Records "network.charter.published"."""
    errors: dict[str, str] = {}
    values = {"title_ar": title_ar, "title_fr": title_fr, "body_ar": body_ar, "body_fr": body_fr}
    clean: dict[str, str] = {}
    for name, value in values.items():
        text = (value or "").strip()
        limit = getattr(Charter._meta.get_field(name), "max_length", None)
        if not text:
            errors[name] = _("This field is required.")
        elif "\x00" in text:
            errors[name] = _("This text contains a forbidden character.")
        elif limit is not None and len(text) > limit:
            errors[name] = _("At most %(max)d characters.") % {"max": limit}
        clean[name] = text
    if errors:
        raise ValidationError(errors)
    # Locks the latest version: two administrators publishing at once get 1 and 2.
    latest = Charter.objects.select_for_update().order_by("-version").first()
    version = (latest.version if latest is not None else 0) + 1
    charter = Charter.objects.create(version=version, created_by=actor, **clean)
    event_record(
        obj=charter,
        action="network.charter.published",
        actor=actor,
        to_state=str(version),
    )
    transaction.on_commit(lambda: pagecache.bump(PAGES))
    return charter


# --- Applications ---------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationInput:
    """What the public form collects (already cleaned by the form)."""

    decision_date: dt.date
    decision_reference: str
    charter_version: int
    focal_point_name: str
    focal_point_email: str
    focal_point_phone: str
    publish_email: bool
    publish_phone: bool
    applicant_name: str
    applicant_email: str
    applicant_function: str
    admin_name: str = ""
    admin_email: str = ""
    motivation: str = ""


def deliberation_check(file: IO[bytes], *, name: str) -> None:
    """Refuse anything but a PDF of at most DELIBERATION_MAX_BYTES, judged by its bytes
    (its header), not its name (ValidationError on "deliberation")."""
    if not name.lower().endswith(".pdf"):
        raise ValidationError(
            {"deliberation": _("Attach the council's deliberation as a PDF file (.pdf).")}
        )
    try:
        checked = check_upload(file, name=name, max_bytes=DELIBERATION_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"deliberation": exc.messages}) from exc
    if checked.file_type != "pdf":
        raise ValidationError(
            {"deliberation": _("Attach the council's deliberation as a PDF file (.pdf).")}
        )


def membership_refusal(collectivity: Collectivity) -> str:
    """Why `collectivity` may not apply now ("" if it may)."""
    if collectivity.kind not in (Kind.REGION, Kind.PREFECTURE, Kind.PROVINCE, Kind.COMMUNE):
        return _("Only a region, a prefecture, a province or a commune may join the network.")
    if collectivity.is_network_member:
        return _("%(name)s is already a member of the network.") % {"name": collectivity.name}
    if Application.objects.filter(
        collectivity=collectivity, status=ApplicationStatus.PENDING
    ).exists():
        return _(
            "An application of %(name)s is already being examined: the network will answer "
            "it before another can be made."
        ) % {"name": collectivity.name}
    return ""


@transaction.atomic
def application_submit(
    *,
    actor: User | None,
    collectivity: Collectivity,
    data: ApplicationInput,
    deliberation: IO[bytes],
    deliberation_name: str,
    language: str,
) -> Application:
    """Record a collectivity's application to join the network, from the public form.

    Preconditions (ValidationError otherwise, nothing stored): the collectivity is a
    territorial one, not a member, with no application being examined; the charter
    version accepted is the one in force (there is one); the council's decision is not
    dated in the future; the deliberation is a PDF of at most 10 MB (checked by its
    bytes). Side effects: the deliberation is stored under a random name (outside any
    public URL: served only to network administrators); "network.application.submitted"
    in the ledger, with the focal point's consent to publish their e-mail and phone; a
    receipt e-mail to the applicant in `language`.
    """
    locked = _collectivity_locked(collectivity)
    refusal = membership_refusal(locked)
    if refusal:
        raise ValidationError({"collectivity": refusal})
    charter = Charter.objects.order_by("-version").first()
    if charter is None:
        raise ValidationError(
            _("The network's charter is not published yet: applications open with it.")
        )
    if data.charter_version != charter.version:
        raise ValidationError(
            {
                "charter_accepted": _(
                    "The charter changed while you filled in the form: read version "
                    "%(version)s and accept it again."
                )
                % {"version": charter.version}
            }
        )
    if data.decision_date > timezone.localdate():
        raise ValidationError(
            {"decision_date": _("The council's decision cannot be dated in the future.")}
        )
    if data.admin_name and not data.admin_email:
        raise ValidationError(
            {"admin_email": _("Give the administrator's e-mail address, or leave both empty.")}
        )
    deliberation_check(deliberation, name=deliberation_name)
    language = site_language(language)
    now = timezone.now()
    application = Application(
        collectivity=locked,
        decision_date=data.decision_date,
        decision_reference=data.decision_reference,
        charter=charter,
        charter_accepted_at=now,
        applicant=actor if actor is not None and actor.is_authenticated else None,
        applicant_name=data.applicant_name,
        applicant_email=data.applicant_email,
        applicant_function=data.applicant_function,
        focal_point_name=data.focal_point_name,
        focal_point_email=data.focal_point_email,
        focal_point_phone=data.focal_point_phone,
        focal_point_publish_email=data.publish_email,
        focal_point_publish_phone=data.publish_phone,
        admin_name=data.admin_name,
        admin_email=data.admin_email,
        motivation=data.motivation,
        language=language,
        submitted_at=now,
    )
    # A random name: the applicant's file name says nothing to anyone, and cannot be
    # guessed.
    deliberation.seek(0)
    application.deliberation.save(f"{secrets.token_hex(16)}.pdf", File(deliberation), save=False)
    stored = application.deliberation.name
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        if stored:
            application.deliberation.storage.delete(stored)
        # The one-pending constraint: another submission of the same collectivity won.
        raise ValidationError({"collectivity": membership_refusal(locked) or str(exc)}) from exc
    event_record(
        obj=application,
        action="network.application.submitted",
        actor=application.applicant,
        process="" if application.applicant else "public-form",
        collectivity=locked,
        to_state=ApplicationStatus.PENDING,
        data={
            "charter_version": charter.version,
            "publish_email": data.publish_email,
            "publish_phone": data.publish_phone,
        },
    )
    with translation.override(language):
        subject = _("Your application to join the network is received")
        body = _(
            "Hello %(name)s,\n\n"
            "The application of %(collectivity)s to join the Moroccan network of open "
            "territorial collectivities is received (council's decision %(reference)s of "
            "%(date)s; charter version %(version)s accepted).\n\n"
            "The network's administrators examine it and will write to you at this "
            "address. Nothing more is needed from you meanwhile."
        ) % {
            "name": data.applicant_name,
            "collectivity": locked.name,
            "reference": data.decision_reference,
            "date": _day(data.decision_date),
            "version": charter.version,
        }
    email_queue(
        key=f"network:application:{application.pk}:received",
        to=data.applicant_email,
        subject=subject,
        body=body + SIGNATURE,
    )
    return application


def _application_locked(application: Application) -> Application:
    locked = (
        Application.objects.select_for_update()
        .select_related("collectivity")
        .get(pk=application.pk)
    )
    if locked.status != ApplicationStatus.PENDING:
        raise ValidationError(
            _("This application was already decided (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _team_invite(*, actor: User, application: Application) -> list[str]:
    """Invite the focal point (focal point role) and the administrator (admin role) to
    the collectivity's space; one invitation when they share an address."""
    invitees: dict[str, tuple[str, list[str]]] = {}
    focal = application.focal_point_email.strip().lower()
    invitees[focal] = (application.focal_point_name, [Role.FOCAL_POINT])
    admin = application.admin_email.strip().lower()
    if admin:
        if admin in invitees:
            invitees[admin][1].append(Role.ADMIN)
        else:
            invitees[admin] = (application.admin_name, [Role.ADMIN])
    # The decision authorises the invitations: an administrator who may decide
    # membership but not manage accounts still gets the team invited (by the process).
    inviter = actor if has_network_perm(actor, NetworkPerm.ACCOUNTS_MANAGE) else None
    for email, (name, roles) in invitees.items():
        invitation_create(
            actor=inviter,
            process="" if inviter is not None else "network-membership",
            email=email,
            collectivity=application.collectivity,
            roles=roles,
            full_name=name,
            language=application.language,
        )
    return list(invitees)


@transaction.atomic
def application_accept(*, actor: User, application: Application) -> Member:
    """Accept a pending application: the collectivity becomes a member today.

    Preconditions (ValidationError otherwise, nothing changed): the application is
    pending; the collectivity is not a member. In one transaction: the application is
    accepted; its `Member` row is created, or reactivated for a former member (joined
    today: the history keeps the earlier period), with the focal point's name and the
    contact they agreed to publish; a "joined" change linked to the application; the
    flags (`is_network_member`, `joined_network_on`); "network.application.accepted"
    and "network.member.joined" in the ledger; invitations to the focal point and the
    administrator; an e-mail to the applicant. The public pages are made stale.
    """
    locked = _application_locked(application)
    collectivity = _collectivity_locked(locked.collectivity)
    if collectivity.is_network_member:
        raise ValidationError(
            _("%(name)s is already a member of the network.") % {"name": collectivity.name}
        )
    today = timezone.localdate()
    now = timezone.now()
    consents = application_consents(locked)
    locked.status = ApplicationStatus.ACCEPTED
    locked.decided_at = now
    locked.decided_by = actor
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    member = Member.objects.select_for_update().filter(collectivity=collectivity).first()
    if member is None:
        member = Member(collectivity=collectivity)
    previous = member.status if member.pk else ""
    member.status = MemberStatus.ACTIVE
    member.joined_on = today
    member.focal_point_name = locked.focal_point_name
    member.focal_point_public_email = locked.focal_point_email if consents["publish_email"] else ""
    member.focal_point_public_phone = locked.focal_point_phone if consents["publish_phone"] else ""
    member.save()
    MemberChange.objects.create(
        collectivity=collectivity,
        kind=ChangeKind.JOINED,
        on=today,
        application=locked,
        actor=actor,
        recorded_at=now,
    )
    _flags_set(collectivity, member=True, joined_on=today)
    event_record(
        obj=locked,
        action="network.application.accepted",
        actor=actor,
        collectivity=collectivity,
        from_state=ApplicationStatus.PENDING,
        to_state=ApplicationStatus.ACCEPTED,
    )
    event_record(
        obj=member,
        action="network.member.joined",
        actor=actor,
        collectivity=collectivity,
        from_state=previous,
        to_state=MemberStatus.ACTIVE,
        data={"on": today.isoformat(), "application": locked.pk},
    )
    _team_invite(actor=actor, application=locked)
    with translation.override(site_language(locked.language)):
        subject = _("%(collectivity)s joins the network") % {"collectivity": collectivity.name}
        body = _(
            "Hello %(name)s,\n\n"
            "The network accepted the application of %(collectivity)s: it is a member from "
            "%(date)s, and its public pages are open on Infitah:\n%(link)s\n\n"
            "The focal point and the administrator named in the application receive an "
            "invitation to the collectivity's space by e-mail."
        ) % {
            "name": locked.applicant_name,
            "collectivity": collectivity.name,
            "date": _day(today),
            "link": _site_link(
                "territories:collectivity", site_language(locked.language), slug=collectivity.slug
            ),
        }
    email_queue(
        key=f"network:application:{locked.pk}:accepted",
        to=locked.applicant_email,
        subject=subject,
        body=body + SIGNATURE,
    )
    transaction.on_commit(_pages_bump)
    return member


@transaction.atomic
def application_reject(*, actor: User, application: Application, note: str) -> Application:
    """Reject a pending application with a note (required: the applicant is told why).

    Nothing changes for the collectivity, which may apply again. Records
    "network.application.rejected"; e-mails the applicant in their language.
    """
    note = _clean_note(note, required=_("Say why the application is rejected."))
    locked = _application_locked(application)
    locked.status = ApplicationStatus.REJECTED
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.decision_note = note
    locked.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    event_record(
        obj=locked,
        action="network.application.rejected",
        actor=actor,
        collectivity=locked.collectivity,
        from_state=ApplicationStatus.PENDING,
        to_state=ApplicationStatus.REJECTED,
        note=note,
    )
    with translation.override(site_language(locked.language)):
        subject = _("Your application to join the network")
        body = _(
            "Hello %(name)s,\n\n"
            "The network examined the application of %(collectivity)s and cannot accept "
            "it as it stands:\n\n%(note)s\n\n"
            "The collectivity may apply again once this is settled."
        ) % {"name": locked.applicant_name, "collectivity": locked.collectivity.name, "note": note}
    email_queue(
        key=f"network:application:{locked.pk}:rejected",
        to=locked.applicant_email,
        subject=subject,
        body=body + SIGNATURE,
    )
    transaction.on_commit(lambda: pagecache.bump(PAGES))
    return locked


def apply_invitation_make(*, collectivity: Collectivity, email: str) -> str:
    """The signed token of an invitation to apply (valid APPLY_INVITATION_MAX_AGE)."""
    return signing.dumps({"c": collectivity.pk, "e": email}, salt=APPLY_INVITATION_SALT)


@transaction.atomic
def application_invite(
    *, actor: User, collectivity: Collectivity, email: str, language: str
) -> str:
    """Invite a collectivity to apply: an e-mail to `email` with a signed link to the
    application form, the collectivity filled in (valid 30 days). Returns the link.

    Preconditions (ValidationError): the collectivity may apply (not a member, nothing
    pending). Records "network.application.invited".
    """
    refusal = membership_refusal(collectivity)
    if refusal:
        raise ValidationError({"collectivity": refusal})
    email = email.strip().lower()
    language = site_language(language)
    token = apply_invitation_make(collectivity=collectivity, email=email)
    link = f"{_site_link('network:apply', language)}?invitation={token}"
    days = APPLY_INVITATION_MAX_AGE.days
    with translation.override(language):
        subject = _("Invitation to join the network of open collectivities")
        body = _(
            "Hello,\n\n"
            "The Moroccan network of open territorial collectivities invites %(collectivity)s "
            "to join it. The application form, with the collectivity filled in, is at this "
            "address (valid %(days)d days):\n\n%(link)s\n\n"
            "It asks for the council's decision to join (date, reference and the "
            "deliberation as a PDF), the acceptance of the network's charter and the name "
            "of the collectivity's focal point."
        ) % {"collectivity": collectivity.name, "link": link, "days": days}
    event_record(
        obj=collectivity,
        action="network.application.invited",
        actor=actor,
        collectivity=collectivity,
        data={"email": email},
    )
    email_queue(
        key=f"network:apply-invitation:{collectivity.pk}:{token[-16:]}",
        to=email,
        subject=subject,
        body=body + SIGNATURE,
    )
    return link


# --- Members ------------------------------------------------------------------------------


def _member_locked(collectivity: Collectivity) -> Member:
    """The member's row, locked; created for a collectivity flagged before membership
    was recorded (with a "joined" change on the date it joined)."""
    member = Member.objects.select_for_update().filter(collectivity=collectivity).first()
    if member is not None:
        return member
    if not collectivity.is_network_member:
        raise ValidationError(
            _("%(name)s is not a member of the network.") % {"name": collectivity.name}
        )
    joined = collectivity.joined_network_on or NETWORK_START
    member = Member.objects.create(
        collectivity=collectivity, status=MemberStatus.ACTIVE, joined_on=joined
    )
    if not MemberChange.objects.filter(collectivity=collectivity, kind=ChangeKind.JOINED).exists():
        MemberChange.objects.create(
            collectivity=collectivity,
            kind=ChangeKind.JOINED,
            on=joined,
            note=_("Recorded from the membership flag."),
        )
    return member


def _member_transition(
    *, actor: User, collectivity: Collectivity, change: str, on: dt.date, note: str
) -> Member:
    note = _clean_note(note)
    locked = _collectivity_locked(collectivity)
    member = _member_locked(locked)
    allowed, to = TRANSITIONS[change]
    if member.status not in allowed:
        messages: dict[str, str] = {
            ChangeKind.SUSPENDED: _("Only an active member can be suspended."),
            ChangeKind.REINSTATED: _("Only a suspended member can be reinstated."),
            ChangeKind.LEFT: _(
                "%(name)s has already left the network: it comes back by applying again."
            )
            % {"name": locked.name},
        }
        raise ValidationError(messages[change])
    today = timezone.localdate()
    if on > today:
        raise ValidationError({"on": _("The date cannot be in the future.")})
    last = MemberChange.objects.filter(collectivity=locked).order_by("-on", "-pk").first()
    floor = last.on if last is not None else member.joined_on
    if on < floor:
        raise ValidationError(
            {
                "on": _("The date cannot be before the last change of membership (%(date)s).")
                % {"date": _day(floor)}
            }
        )
    previous = member.status
    member.status = to
    member.save(update_fields=["status", "updated_at"])
    MemberChange.objects.create(collectivity=locked, kind=change, on=on, note=note, actor=actor)
    if change == ChangeKind.LEFT:
        _flags_set(locked, member=False, joined_on=None)
    event_record(
        obj=member,
        action=f"network.member.{change}",
        actor=actor,
        collectivity=locked,
        from_state=previous,
        to_state=to,
        note=note,
        data={"on": on.isoformat()},
    )
    transaction.on_commit(_pages_bump)
    return member


@transaction.atomic
def member_suspend(
    *, actor: User, collectivity: Collectivity, on: dt.date, note: str = ""
) -> Member:
    """Suspend an active member from `on` (not in the future, not before its last
    change). It stays flagged a member: its published registers stay public, marked
    suspended. Records "network.member.suspended"."""
    return _member_transition(
        actor=actor, collectivity=collectivity, change=ChangeKind.SUSPENDED, on=on, note=note
    )


@transaction.atomic
def member_reinstate(
    *, actor: User, collectivity: Collectivity, on: dt.date, note: str = ""
) -> Member:
    """Reinstate a suspended member from `on`. Records "network.member.reinstated"."""
    return _member_transition(
        actor=actor, collectivity=collectivity, change=ChangeKind.REINSTATED, on=on, note=note
    )


@transaction.atomic
def member_leave(*, actor: User, collectivity: Collectivity, on: dt.date, note: str = "") -> Member:
    """Record that a member (active or suspended) left the network on `on`: its flag is
    cleared, so its public modules close. It comes back only through a new application.
    Records "network.member.left"."""
    return _member_transition(
        actor=actor, collectivity=collectivity, change=ChangeKind.LEFT, on=on, note=note
    )


@transaction.atomic
def member_contact_update(
    *, actor: User, collectivity: Collectivity, name: str, email: str, phone: str
) -> Member:
    """Set the focal point's name and the contact published on the member's pages (the
    network administrator records what the focal point agreed to publish). Records
    "network.member.contact_updated"."""
    locked = _collectivity_locked(collectivity)
    member = _member_locked(locked)
    member.focal_point_name = name.strip()
    member.focal_point_public_email = email.strip().lower()
    member.focal_point_public_phone = phone.strip()
    member.save(
        update_fields=[
            "focal_point_name",
            "focal_point_public_email",
            "focal_point_public_phone",
            "updated_at",
        ]
    )
    event_record(
        obj=member,
        action="network.member.contact_updated",
        actor=actor,
        collectivity=locked,
        data={"email": member.focal_point_public_email, "phone": member.focal_point_public_phone},
    )
    transaction.on_commit(_pages_bump)
    return member
