"""Record an official correction of the holiday calendar from the server's command line.

For the night the ministry announces the date of an Eid: the same service as the network
administrators' page (`calendar_override_add`), which recomputes every open deadline in
the correction's window and records each change in the ledger. Bad input gets a clear
error and changes nothing.

    manage.py calendar_override move 2027-03-10 --to 2027-03-11 \\
        --reason "Eid al-Fitr: moon sighted on the 9th" --reference "MHAI 12/2027"
    manage.py calendar_override add 2027-11-19 --name-ar "…" --name-fr "…" --reason "…"
    manage.py calendar_override remove 2027-03-10 --reason "…" [--dry-run]
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.deadlines.models import CalendarOverride, Deadline, OverrideKind
from infitah.deadlines.services import calendar_override_add
from infitah.ledger.models import Event

# The command's own names for the service's fields, in its error messages.
OPTIONS = {
    "kind": "KIND",
    "date": "DATE",
    "new_date": "--to",
    "name_ar": "--name-ar",
    "name_fr": "--name-fr",
    "reason": "--reason",
    "reference": "--reference",
}


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            _("%(option)s: “%(value)s” is not a date; write it as year-month-day (2027-03-10).")
            % {"option": option, "value": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Add, remove or move a public holiday (official correction); every open legal "
        "deadline in its window is recomputed and the change recorded in the ledger."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=OverrideKind.values, help="add, remove or move")
        parser.add_argument("date", help="the day concerned, YYYY-MM-DD")
        parser.add_argument("--to", default="", help="move: the holiday's new date")
        parser.add_argument("--reason", required=True, help="the reason and official source")
        parser.add_argument("--reference", default="", help="the announcement's reference")
        parser.add_argument("--name-ar", default="", help="add: the day's name in Arabic")
        parser.add_argument("--name-fr", default="", help="add: the day's name in French")
        parser.add_argument(
            "--by", default="", help="e-mail of the network administrator to record as author"
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the messages",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what would change, and record nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        kind = options["kind"]
        day = _day(options["date"], "DATE")
        new_date = _day(options["to"], "--to") if options["to"].strip() else None
        if new_date is not None and kind != OverrideKind.MOVE:
            raise CommandError(_("--to: a new date is only given when a holiday is moved."))
        actor = self._actor(options["by"])
        with transaction.atomic():
            try:
                override = calendar_override_add(
                    actor=actor,
                    kind=kind,
                    date=day,
                    new_date=new_date,
                    name_ar=options["name_ar"],
                    name_fr=options["name_fr"],
                    reason=options["reason"],
                    reference=options["reference"],
                )
            except ValidationError as exc:
                raise CommandError(self._errors(exc)) from None
            changes = self._recomputed(override)
            if options["dry_run"]:
                transaction.set_rollback(True)
        self._report(override, changes, dry_run=options["dry_run"])

    def _actor(self, email: str) -> User | None:
        if not email.strip():
            return None
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None or not has_network_perm(user, NetworkPerm.CALENDAR_MANAGE):
            raise CommandError(
                _("--by: no network administrator has the address %(email)s.") % {"email": email}
            )
        return user

    def _errors(self, exc: ValidationError) -> str:
        if not hasattr(exc, "error_dict"):
            return " ".join(exc.messages)
        return "\n".join(
            f"{OPTIONS.get(field, field)}: {' '.join(messages)}"
            for field, messages in exc.message_dict.items()
        )

    def _recomputed(self, override: CalendarOverride) -> list[tuple[str, str, str]]:
        """(label, old due date, new due date) of each deadline the override moved."""
        events = list(
            Event.objects.filter(
                action="deadline.recomputed",
                object_type=Deadline._meta.label_lower,
                data__override_id=override.pk,
            ).order_by("pk")
        )
        labels = dict(
            Deadline.objects.filter(pk__in=[int(e.object_id) for e in events]).values_list(
                "pk", "label"
            )
        )
        return [(labels.get(int(e.object_id), ""), e.from_state, e.to_state) for e in events]

    def _report(
        self, override: CalendarOverride, changes: list[tuple[str, str, str]], *, dry_run: bool
    ) -> None:
        if dry_run:
            self.stdout.write(_("Dry run: nothing was recorded."))
        else:
            recorded = _("Correction #%(id)s recorded: %(override)s") % {
                "id": override.pk,
                "override": override,
            }
            self.stdout.write(self.style.SUCCESS(recorded))
        self.stdout.write(_("%(count)d open deadline(s) recomputed.") % {"count": len(changes)})
        for label, old, new in changes:
            self.stdout.write(f"  {old} → {new}  {label}")
