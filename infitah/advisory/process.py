"""Referrals as a process of the case engine: the opinion and answer clocks.

- `opinion`: the body's period to give its opinion on a referral
  (`advisory.opinion`, a LegalLimit: data, UNCONFIRMED default);
- `answer`: the council's period to answer a transmitted opinion, comply or explain
  (`advisory.answer`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from infitah.advisory.models import Referral
from infitah.advisory.workflow import TABLE
from infitah.cases.workflow import Clock, Process

PROCESS = Process(
    name="advisory",
    model=Referral,
    table=TABLE,
    refused=_("This referral is “%(status)s”: this action is not possible now."),
    citizen="body",
    clocks={
        "opinion": Clock(
            name="opinion", label=_("Opinion on referral %(reference)s"), limit="advisory.opinion"
        ),
        "answer": Clock(
            name="answer",
            label=_("Answer the opinion %(reference)s"),
            limit="advisory.answer",
        ),
    },
    closed_at_field="closed_at",
)
