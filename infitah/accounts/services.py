"""Writes on accounts: memberships and second-factor devices."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from django.db import transaction

from infitah.accounts.models import Membership, User
from infitah.ledger.services import event_record
from infitah.territories.models import Collectivity


@transaction.atomic
def membership_grant(
    *, user: User, collectivity: Collectivity, role: str, actor: User | None, process: str = ""
) -> Membership:
    """Give `user` `role` in `collectivity` (idempotent), recorded in the case history."""
    membership, created = Membership.objects.get_or_create(
        user=user, collectivity=collectivity, role=role
    )
    if created:
        event_record(
            obj=membership,
            action="membership.granted",
            actor=actor,
            process=process,
            collectivity=collectivity,
            to_state=role,
            data={"user": user.email},
        )
    return membership


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first enrolment."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, actor: User) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    event_record(obj=actor, action="totp.enrolled", actor=actor)
