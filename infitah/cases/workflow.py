"""How a legal process is declared: its state table, its legal clocks, and the registry.

A legal process (an access-to-information request, a complaint, a petition, a referral
to an advisory body, ...) is declared once, in two parts:

- the **state table** (`StateTable`, in the app's `workflow.py`): for each action, the
  states it may be taken from, the state it leads to, who takes it (`CITIZEN`, `PROCESS`
  or `staff(perm)`), and what it does to the legal clocks (`opens`, `meets`, `cancels`,
  `suspends`). "Is this allowed" and "what state follows" are derived from it;
- the **process** (`Process`, in the app's `process.py`): the table, the case model, its
  clocks (`Clock`: which legal limit, from when, what happens when it runs out), and the
  names the ledger, the page cache and the e-mails use.

The engine (`infitah.cases.services`) then does every transition the same way: lock,
check, change, clocks, ledger event, page cache. See docs/cases.md.

    action ──(from one of `sources`, by `by`)──▶ `target`
                      │ clock effects, in order: meets / cancels / suspends, then opens
                      ▼
              Deadline rows (infitah.deadlines) ◀── the case points at the current one
                                                    of each clock: `<clock>_deadline`
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from django.db import models
from django.utils.functional import Promise

from infitah.accounts.permissions import Perm

if TYPE_CHECKING:
    from infitah.deadlines.models import Deadline

PartyKind = Literal["citizen", "staff", "process"]
EffectKind = Literal["open", "meet", "cancel", "suspend"]


@dataclass(frozen=True)
class Party:
    """Who takes a step: the citizen (through a secret link, or a staff member acting for
    them), a staff member holding `perm` in the case's collectivity, or the platform."""

    kind: PartyKind
    perm: Perm | None = None


CITIZEN = Party("citizen")
PROCESS = Party("process")


def staff(perm: Perm) -> Party:
    """A step of the collectivity's staff: the actor must hold `perm` there (else 403)."""
    return Party("staff", perm)


# A condition on a clock effect: (the case, the collectivity's settings of the process or
# None) → whether the effect applies.
Condition = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class ClockEffect:
    """What a step does to one legal clock.

    - open: a new period starts (the clock's limit and start); the case points at it;
    - meet: the open period closes as met (the duty was done);
    - cancel: the open period closes as cancelled; the case keeps pointing at it, so its
      last due date stays readable;
    - suspend: as cancel, and the case no longer points at it (no period runs).
    """

    clock: str
    kind: EffectKind
    when: Condition | None = None


def opens(clock: str, *, when: Condition | None = None) -> ClockEffect:
    return ClockEffect(clock, "open", when)


def meets(clock: str, *, when: Condition | None = None) -> ClockEffect:
    return ClockEffect(clock, "meet", when)


def cancels(clock: str, *, when: Condition | None = None) -> ClockEffect:
    return ClockEffect(clock, "cancel", when)


def suspends(clock: str, *, when: Condition | None = None) -> ClockEffect:
    return ClockEffect(clock, "suspend", when)


@dataclass(frozen=True)
class Step:
    """One action of the table. `target` None: the state does not change (e.g. an
    extension only moves a clock). A creating step (`StateTable.creations`) has no
    `sources`: it is the first event of a new case, in its `target` state."""

    sources: frozenset[str]
    target: str | None
    by: Party
    clocks: tuple[ClockEffect, ...] = ()


class StateTable:
    """The state table of one process, checked once when it is declared.

    `steps` maps each action (its value is stable: it names the ledger event
    `<process>.<action>`) to its Step; `creations` the events that create a case (e.g.
    "filed") to theirs; `states` is the process's Status choices.
    """

    def __init__(
        self,
        *,
        states: type[models.TextChoices],
        steps: Mapping[str, Step],
        creations: Mapping[str, Step],
        final: Iterable[str] = (),
    ) -> None:
        self.states = states
        self.steps: dict[str, Step] = {str(action): step for action, step in steps.items()}
        self.creations: dict[str, Step] = {str(a): step for a, step in creations.items()}
        self.final = frozenset(str(s) for s in final)
        values = set(states.values)
        for action, step in [*self.steps.items(), *self.creations.items()]:
            unknown = {str(s) for s in step.sources} - values
            if step.target is not None and step.target not in values:
                unknown.add(step.target)
            if unknown:
                raise ValueError(f"{action}: unknown states {sorted(unknown)}")
        for action, step in self.steps.items():
            if not step.sources:
                raise ValueError(f"{action}: a transition needs the states it is taken from")
        for action, step in self.creations.items():
            if step.sources or step.target is None or action in self.steps:
                raise ValueError(f"{action}: a creation has no sources, a target, its own name")
        if self.final - values:
            raise ValueError(f"unknown final states {sorted(self.final - values)}")

    def step(self, action: str) -> Step | None:
        return self.steps.get(str(action))

    def is_allowed(self, status: str, action: str) -> bool:
        """Whether the table lets `action` be taken from `status` (legal guards aside)."""
        step = self.steps.get(str(action))
        return step is not None and status in step.sources

    def target(self, status: str, action: str) -> str:
        """The state `action` leads to from `status` (a step without target keeps it)."""
        to = self.steps[str(action)].target
        return status if to is None else to

    def actions_from(self, status: str, *, by: PartyKind | None = None) -> list[str]:
        """The actions the table allows from `status` (of one kind of party if given)."""
        return [
            action
            for action, step in self.steps.items()
            if status in step.sources and (by is None or step.by.kind == by)
        ]

    def clock_names(self) -> set[str]:
        steps = [*self.steps.values(), *self.creations.values()]
        return {effect.clock for step in steps for effect in step.clocks}


# How a clock chooses its legal limit (a LegalLimit code) and its start day:
# limit(case, action) and start(case, action, previous deadline of the clock or None, today).
LimitRule = Callable[[Any, str], str]
StartRule = Callable[[Any, str, "Deadline | None", date], date]
# When an open period has passed unmet, once: (locked case, its deadline) → the changes to
# write on the case (a dict, possibly empty), or None to record nothing.
ExpiryRule = Callable[[Any, "Deadline"], "dict[str, Any] | None"]
# After the expiry's event is recorded (its e-mails): (locked case, its deadline).
ExpiryNotice = Callable[[Any, "Deadline"], None]
# A reminder to the staff, `left` working days before the due date (threshold `days`):
# (case, deadline, days, left) → e-mails queued.
ReminderRule = Callable[[Any, "Deadline", int, int], int]


@dataclass(frozen=True)
class Clock:
    """A legal clock of a process: a period the collectivity has to do something.

    The case model has a nullable foreign key `<name>_deadline` to the Deadline of the
    current period; its due date is read from there (`ClockDate`), never copied.
    """

    name: str
    # The Deadline's label in the staff inbox; "%(reference)s" is the case's reference.
    label: str | Promise
    limit: str | LimitRule
    start: StartRule | None = None
    # Recorded once as the event `<process>.<expiry_event>` when the period passes unmet.
    expiry_event: str = ""
    on_expiry: ExpiryRule | None = None
    after_expiry: ExpiryNotice | None = None
    on_reminder: ReminderRule | None = None

    @property
    def field(self) -> str:
        return f"{self.name}_deadline"

    def limit_code(self, case: Any, action: str) -> str:
        return self.limit if isinstance(self.limit, str) else self.limit(case, action)

    def start_day(self, case: Any, action: str, previous: Deadline | None, today: date) -> date:
        return today if self.start is None else self.start(case, action, previous, today)


@dataclass(frozen=True, eq=False)
class Process:
    """A legal process built on the engine (see the module docstring and docs/cases.md)."""

    # Prefix of its ledger events ("information.confirm"), name of its page cache
    # namespace and of the platform when it acts alone.
    name: str
    model: type[models.Model]
    table: StateTable
    # The refusal when the state forbids an action; "%(status)s" is the current state.
    refused: str | Promise
    # How the ledger names the citizen when they act without an account ("requester").
    citizen: str
    clocks: Mapping[str, Clock] = field(default_factory=dict)
    # Per-collectivity settings of the process (a CaseSettings model), if it has some.
    settings_model: type[models.Model] | None = None
    # Thresholds of the staff reminders, in working days before a due date.
    reminder_days: Callable[[], Iterable[int]] | None = None
    # Set a date-time field of this name when the case reaches a final state.
    closed_at_field: str = ""

    def __post_init__(self) -> None:
        missing = self.table.clock_names() - set(self.clocks)
        if missing:
            raise ValueError(f"{self.name}: undeclared clocks {sorted(missing)}")
        for clock in self.clocks.values():
            self.model._meta.get_field(clock.field)

    @property
    def subject_type(self) -> str:
        """How the deadlines and the ledger name the case model ("app.model")."""
        return self.model._meta.label_lower

    def is_allowed(self, status: str, action: str) -> bool:
        return self.table.is_allowed(status, action)

    def clock_of(self, case: Any, deadline_id: int) -> Clock | None:
        """The clock whose current period is the deadline `deadline_id`, if any."""
        for clock in self.clocks.values():
            if getattr(case, f"{clock.field}_id") == deadline_id:
                return clock
        return None


class ClockDate:
    """A case's due date of one clock, read from its current Deadline (never a copy).

        class InformationRequest(models.Model):
            answer_deadline = models.ForeignKey(Deadline, null=True, ...)
            due_date = ClockDate("answer")

    Lists select_related("answer_deadline") so that reading it costs no query.
    """

    def __init__(self, clock: str) -> None:
        self.field = f"{clock}_deadline"

    def __get__(self, case: Any, owner: type | None = None) -> Any:
        if case is None:
            return self
        if getattr(case, f"{self.field}_id") is None:
            return None
        return getattr(case, self.field).due_date


_PROCESSES: dict[str, Process] = {}


def process_register(process: Process) -> None:
    """Make the engine's sweeps see `process` (from its AppConfig.ready())."""
    _PROCESSES[process.subject_type] = process


def process_for(subject_type: str) -> Process | None:
    """The process whose case model is `subject_type` ("app.model"), if registered."""
    return _PROCESSES.get(subject_type)


def process_list() -> list[Process]:
    return list(_PROCESSES.values())
