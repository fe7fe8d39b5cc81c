"""Public consultations: the calendar of a consultation and the life of a comment.

A consultation follows the calendar, not a stored status (house style 12): it is
*upcoming* before `opens_at`, *open* from `opens_at` until `closes_at`, *closed* after.
Participants comment and take a stance only while it is open.

A comment's moderation, per consultation:

- "pre": a comment waits (`pending`) until a moderator approves (`published`) or
  rejects it (`rejected`, with a reason the author sees);
- "post": a comment is `published` at once; a moderator may hide it (`hidden`, with a
  reason the author sees) and restore it.

    pending ─approve→ published ─hide→ hidden ─approve→ published
       └─reject→ rejected ─approve→ published

Moderation goes on after closing (the last comments may still wait).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    """What the draft under consultation is."""

    ACTION_PLAN = "action_plan", _("Action plan")
    REGULATION = "regulation", _("Regulation")
    BUDGET = "budget", _("Budget orientation")
    OTHER = "other", _("Other draft")


class Phase(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


PHASE_LABELS = {
    Phase.UPCOMING: pgettext_lazy("consultation phase", "Upcoming"),
    Phase.OPEN: pgettext_lazy("consultation phase", "Open"),
    Phase.CLOSED: pgettext_lazy("consultation phase", "Closed"),
}


class Moderation(models.TextChoices):
    PRE = "pre", _("Before publication: comments are hidden until approved")
    POST = "post", _("After publication: comments are visible at once and may be hidden")


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", pgettext_lazy("comment status", "Published")
    REJECTED = "rejected", _("Rejected")
    HIDDEN = "hidden", _("Hidden by the moderator")


class RejectionReason(models.TextChoices):
    OFF_TOPIC = "off_topic", _("Off topic")
    ABUSIVE = "abusive", _("Abusive or insulting")
    PERSONAL_DATA = "personal_data", _("Contains personal data")
    DUPLICATE = "duplicate", _("Duplicate of another comment")
    SPAM = "spam", _("Spam or advertising")
    OTHER = "other", _("Other reason")


class StanceValue(models.TextChoices):
    SUPPORT = "support", _("Support")
    OPPOSE = "oppose", _("Oppose")


class ModerationAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    HIDE = "hide"


# action → (states it may be taken from, state it leads to, whether it needs a reason)
TRANSITIONS: dict[ModerationAction, tuple[frozenset[str], str, bool]] = {
    ModerationAction.APPROVE: (
        frozenset({CommentStatus.PENDING, CommentStatus.REJECTED, CommentStatus.HIDDEN}),
        CommentStatus.PUBLISHED,
        False,
    ),
    ModerationAction.REJECT: (
        frozenset({CommentStatus.PENDING}),
        CommentStatus.REJECTED,
        True,
    ),
    ModerationAction.HIDE: (
        frozenset({CommentStatus.PUBLISHED}),
        CommentStatus.HIDDEN,
        True,
    ),
}

# States in which a comment carries the moderator's reason.
WITH_REASON = frozenset({CommentStatus.REJECTED, CommentStatus.HIDDEN})


def is_allowed(status: str, action: ModerationAction | str) -> bool:
    try:
        sources = TRANSITIONS[ModerationAction(action)][0]
    except (KeyError, ValueError):
        return False
    return status in sources


EVENT_LABELS = {
    "consultations.created": _("Consultation created"),
    "consultations.updated": _("Consultation changed"),
    "consultations.closed": _("Consultation closed early"),
    "consultations.section_saved": _("Section saved"),
    "consultations.section_deleted": _("Section deleted"),
    "consultations.comment_posted": _("Comment posted"),
    "consultations.approve": _("Comment approved"),
    "consultations.reject": _("Comment rejected"),
    "consultations.hide": _("Comment hidden"),
    "consultations.stance_set": _("Stance taken"),
    "consultations.synthesis_saved": _("Synthesis saved"),
    "consultations.synthesis_published": _("Synthesis published"),
}
