"""E-mails about petitions, queued in the outbox (idempotency key per stage and event).

The agent (or the association's legal representative) receives every news of the
petition, in the language they used; the bureau is told of a lodging. Both are told
once when the time limit for the council's decision passes without one. These are
queued through the case engine (`infitah.cases.notify`). A signatory receives one
e-mail: the link to confirm their signature (its own key and cached texts: it is on the
hot path of signing, `ingest.py`). No e-mail ever carries an ID number.

Links use these URL names (defined by the web pages, urls.py and staff_urls.py):

- `petitions:agent-confirm` (token): the page where the agent confirms their e-mail, by POST;
- `petitions:manage` (token): the agent's private management page;
- `petitions:signature-confirm` (token): the page where a signatory confirms, by POST;
- `petitions:detail` (slug, pk): the public page of the petition;
- `petitions-staff:detail` (slug, pk): the bureau's page of the petition.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from infitah.accounts.models import Role
from infitah.cases.notify import SIGNATURE, day, person_notify, site_url, staff_emails, staff_notify
from infitah.lib.pii import pii_decrypt
from infitah.notifications.services import email_queue
from infitah.petitions.models import Petition, Signature


def public_url(petition: Petition) -> str:
    return site_url("petitions:detail", slug=petition.collectivity.slug, pk=petition.pk)


def manage_url(petition: Petition, token: str = "") -> str:
    """The agent's private management link ("" if the token is not kept)."""
    if not token and petition.manage_token_encrypted:
        token = pii_decrypt(petition.manage_token_encrypted)
    return site_url("petitions:manage", token=token) if token else ""


def _agent_text(
    petition: Petition, stage: str, manage_token: str, confirm_token: str, text: str
) -> tuple[str, str]:
    params = {
        "title": petition.title,
        "reference": petition.reference or petition.title,
        "collectivity": str(petition.collectivity),
        "link": public_url(petition),
        "manage": manage_url(petition, manage_token),
        "confirm_link": site_url("petitions:agent-confirm", token=confirm_token)
        if confirm_token
        else "",
        "lodged_on": day(petition.lodged_on),
        "due": day(petition.decision_due),
        "session": petition.session_title,
        "session_date": day(petition.session_date),
        "text": text,
    }
    subject = {
        "drafted": _("Confirm your e-mail to open your petition to signatures"),
        "collecting": _("Your petition is open to signatures"),
        "lodged": _("%(reference)s: petition lodged"),
        "review": _("%(reference)s: under review by the council bureau"),
        "accepted": _("%(reference)s: petition accepted"),
        "scheduled": _("%(reference)s: placed on the agenda of a session"),
        "deliberated": _("%(reference)s: the council has deliberated"),
        "rejected": _("%(reference)s: petition rejected"),
        "withdrawn": _("%(reference)s: petition withdrawn"),
        "decision_overdue": _("%(reference)s: the time limit for the decision has passed"),
    }[stage] % params
    body = {
        "drafted": _(
            "You entered the petition “%(title)s” to %(collectivity)s. To open it to "
            "signatures, open this link and press “Confirm my e-mail address”:\n"
            "%(confirm_link)s\n\nKeep this private link: it lets you follow, lodge or "
            "withdraw your petition:\n%(manage)s\n\n"
            "If you did not enter it, ignore this message."
        ),
        "collecting": _(
            "Your petition “%(title)s” is open to signatures. Share its page:\n%(link)s"
            "\n\nLodge it from your private page once it has enough signatures:\n%(manage)s"
        ),
        "lodged": _(
            "%(collectivity)s received your petition %(reference)s on %(lodged_on)s. "
            "It must tell you of its decision by %(due)s. Your receipt is on your "
            "private page:\n%(manage)s"
        ),
        "review": _(
            "The council bureau of %(collectivity)s is checking that petition "
            "%(reference)s meets the legal conditions.\n%(manage)s"
        ),
        "accepted": _(
            "The council bureau of %(collectivity)s accepted petition %(reference)s: it "
            "will be put on the agenda of the next ordinary session.\n%(manage)s"
        ),
        "scheduled": _(
            "Petition %(reference)s is on the agenda of the session “%(session)s” "
            "(%(session_date)s).\n%(manage)s"
        ),
        "deliberated": _(
            "The council of %(collectivity)s deliberated on petition %(reference)s:"
            "\n\n%(text)s\n\n%(link)s"
        ),
        "rejected": _(
            "The council bureau of %(collectivity)s rejected petition %(reference)s, "
            "for these reasons:\n\n%(text)s\n\n%(manage)s"
        ),
        "withdrawn": _("Petition %(reference)s was withdrawn.\n%(link)s"),
        "decision_overdue": _(
            "%(collectivity)s had to tell you of its decision on petition %(reference)s "
            "by %(due)s. No decision has been recorded yet. The petition's progress is on "
            "your private page:\n%(manage)s"
        ),
    }[stage] % params
    return subject, body


def agent(
    petition: Petition,
    stage: str,
    *,
    manage_token: str = "",
    confirm_token: str = "",
    text: str = "",
) -> bool:
    """Queue the e-mail of `stage` to the agent, in their language, under
    `petition:<pk>:agent:<stage>:<events>`; False if none (no e-mail, or sent)."""
    return person_notify(
        petition,
        key=f"petition:{petition.pk}:agent",
        stage=stage,
        to=petition.agent_email,
        language=petition.language,
        compose=lambda: _agent_text(petition, stage, manage_token, confirm_token, text),
    )


def _bureau_text(petition: Petition, stage: str) -> tuple[str, str]:
    params = {
        "reference": petition.reference,
        "title": petition.title,
        "due": day(petition.decision_due),
        "link": site_url("petitions-staff:detail", slug=petition.collectivity.slug, pk=petition.pk),
    }
    subject = {
        "lodged": _("New petition %(reference)s"),
        "decision_overdue": _("Petition %(reference)s: the time limit for the decision has passed"),
    }[stage] % params
    body = {
        "lodged": _(
            "Petition “%(title)s” was lodged. The council must decide by %(due)s.\n%(link)s"
        ),
        "decision_overdue": _(
            "The council had to decide on petition “%(title)s” by %(due)s, and no decision "
            "has been recorded. Record the decision or the rejection, and tell the agent."
            "\n%(link)s"
        ),
    }[stage] % params
    return subject, body


def bureau(petition: Petition, stage: str) -> int:
    """Queue the e-mail of `stage` (in Arabic) to the petitions bureau, under
    `petition:<pk>:bureau:<stage>:<events>:<address>`; returns how many."""
    return staff_notify(
        petition,
        key=f"petition:{petition.pk}:bureau",
        stage=stage,
        recipients=staff_emails(petition.collectivity, [Role.PETITIONS_BUREAU]),
        compose=lambda: _bureau_text(petition, stage),
    )


def signatory_confirm(signature: Signature, petition: Petition, token: str) -> bool:
    """Queue the confirmation link to a signatory (one per signature, by its id)."""
    if not signature.email:
        return False
    subject, body = signatory_confirm_message(petition, signature.language, token)
    return email_queue(
        key=signatory_confirm_key(signature.pk), to=signature.email, subject=subject, body=body
    )[1]


def signatory_confirm_key(signature_id: int) -> str:
    """The outbox key of a signature's confirmation e-mail: one per signature."""
    return f"petition-signature:{signature_id}:confirm"


def signatory_confirm_message(petition: Petition, language: str, token: str) -> tuple[str, str]:
    """(subject, body) of the e-mail that carries a signatory's confirmation link."""
    subject, before, after = _signatory_template(
        petition.pk,
        petition.title,
        str(petition.collectivity),
        petition.collectivity.slug,
        language,
    )
    return subject, before + token + after


TOKEN_MARK = "TOKEN0MARK"  # noqa: S105  (a placeholder, cut out of the text)


def signatory_confirm_link_pattern() -> re.Pattern[str]:
    """The confirmation link of a signatory's e-mail in any language; the token is the
    one group that matched (for readers of the outbox: the benchmark, the tests)."""
    alternatives = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            before, _mark, after = site_url(
                "petitions:signature-confirm", token=TOKEN_MARK
            ).partition(TOKEN_MARK)
        alternatives.append(f"(?:{re.escape(before)}([A-Za-z0-9_\\-]+){re.escape(after)})")
    return re.compile("|".join(alternatives))


@lru_cache(maxsize=256)
def _signatory_template(
    petition_id: int, title: str, collectivity: str, slug: str, language: str
) -> tuple[str, str, str]:
    """The confirmation e-mail of one petition in one language, cut where the token goes
    (built once per process: the links and texts are the same for every signatory)."""
    with translation.override(language):
        params = {
            "title": title,
            "collectivity": collectivity,
            "confirm_link": site_url("petitions:signature-confirm", token=TOKEN_MARK),
            "link": site_url("petitions:detail", slug=slug, pk=petition_id),
        }
        subject = _("Confirm your signature of “%(title)s”") % params
        body = (
            _(
                "You signed the petition “%(title)s” to %(collectivity)s. Your signature "
                "counts once you confirm it: open this link and press “Confirm my "
                "signature”:\n%(confirm_link)s\n\nIf you did not sign, ignore this message: "
                "the signature lapses by itself.\n\nThe petition: %(link)s"
            )
            % params
            + SIGNATURE
        )
    before, _mark, after = body.partition(TOKEN_MARK)
    return subject, before, after
