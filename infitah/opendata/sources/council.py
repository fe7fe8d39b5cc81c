"""Open-data sources of the council: the decisions of its sessions and its members'
roll-call votes.

Only what the council's public pages (and the OParl API) show, by the rule of
`council.public_selectors`: sessions whose agenda was published, not deleted; public,
undeleted agenda items; results, tallies, decisions and votes once the sitting voted
(held, or its decisions published); never the vote of a deleted member. Members appear
as the public officials they are (their name and party, as on their public page).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

from django.db.models import Max, Min, QuerySet

from infitah.council.models import AgendaItem, Choice, Session, Vote
from infitah.council.public_selectors import HELD, decision_list, public_sessions
from infitah.opendata.sources import Row, Source
from infitah.opendata.sources.participation import col, iso_day, page_url, span
from infitah.territories.models import Collectivity

# --------------------------------------------------------------------------- decisions

DECISION_COLUMNS = (
    col("session_id", "integer", "معرف الدورة", "Identifiant de la session"),
    col("session_reference", "string", "مرجع الدورة", "Référence de la session"),
    col("session_kind", "string", "نوع الدورة", "Type de session"),
    col("session_date", "date", "تاريخ الجلسة", "Date de la séance"),
    col("item_id", "integer", "معرف النقطة", "Identifiant du point"),
    col("item_number", "integer", "رقم النقطة", "Numéro du point"),
    col("title_ar", "string", "العنوان بالعربية", "Titre en arabe"),
    col("title_fr", "string", "العنوان بالفرنسية", "Titre en français"),
    col("result", "string", "النتيجة", "Résultat"),
    col("votes_for", "integer", "الأصوات المؤيدة", "Voix pour"),
    col("votes_against", "integer", "الأصوات المعارضة", "Voix contre"),
    col("votes_abstain", "integer", "الممتنعون", "Abstentions"),
    col("decision_number", "string", "رقم المقرر", "Numéro de la décision"),
    col("decision_ar", "string", "المقرر بالعربية", "Décision en arabe"),
    col("decision_fr", "string", "المقرر بالفرنسية", "Décision en français"),
    col("decided_on", "date", "تاريخ المقرر", "Date de la décision"),
    col("url", "string", "رابط الدورة", "Adresse de la session"),
)


def _session_day(session: Session) -> str | None:
    """The day the council sat (its sitting day when not recorded)."""
    return iso_day(session.held_on or session.starts_at)


def _held_items() -> QuerySet[AgendaItem]:
    """Public, undeleted items of the network's held sessions (every collectivity):
    what `decision_list` reads, for the grouped queries."""
    return AgendaItem.objects.filter(
        deleted=False,
        is_public=True,
        session__deleted=False,
        session__term__deleted=False,
        session__status__in=HELD,
        session__collectivity__is_network_member=True,
    )


def _roll_call(item_ids: list[int]) -> dict[int, Counter[str]]:
    """The roll-call votes of undeleted members per item (one query): as the session
    page, an item voted member by member shows the counts of these votes."""
    found: dict[int, Counter[str]] = {}
    rows = (
        Vote.objects.filter(item_id__in=item_ids, member__deleted=False)
        .order_by()
        .values_list("item_id", "choice")
    )
    for item_id, choice in rows:
        found.setdefault(item_id, Counter())[choice] += 1
    return found


def decision_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """The decided items of the held sessions, oldest session first, then by number
    (two queries)."""
    if collectivity is None or not collectivity.is_network_member:
        return
    items = list(
        decision_list(collectivity=collectivity).order_by(
            "session__starts_at", "session_id", "number", "pk"
        )
    )
    roll_call = _roll_call([item.pk for item in items])
    for item in items:
        session = item.session
        votes = roll_call.get(item.pk)
        if votes:
            tally = (votes[Choice.FOR], votes[Choice.AGAINST], votes[Choice.ABSTAIN])
        else:
            tally = (item.votes_for, item.votes_against, item.votes_abstain)
        yield {
            "session_id": session.pk,
            "session_reference": session.reference,
            "session_kind": session.kind,
            "session_date": _session_day(session),
            "item_id": item.pk,
            "item_number": item.number,
            "title_ar": item.title_ar,
            "title_fr": item.title_fr,
            "result": item.result or None,
            "votes_for": tally[0],
            "votes_against": tally[1],
            "votes_abstain": tally[2],
            "decision_number": item.decision_number,
            "decision_ar": item.decision_ar,
            "decision_fr": item.decision_fr,
            "decided_on": iso_day(item.decided_at),
            "url": page_url("council:session", slug=collectivity.slug, pk=session.pk)
            + f"#item-{item.pk}",
        }


def decision_holders() -> list[int]:
    return list(
        _held_items()
        .exclude(result="", decision_ar="", decision_fr="")
        .order_by()
        .values_list("session__collectivity_id", flat=True)
        .distinct()
    )


def _sessions_span(sessions: QuerySet[Session]) -> tuple[dt.date | None, dt.date | None]:
    found = sessions.order_by().aggregate(first=Min("starts_at"), last=Max("starts_at"))
    return span(found["first"], found["last"])


def decision_temporal(
    collectivity: Collectivity | None,
) -> tuple[dt.date | None, dt.date | None]:
    if collectivity is None:
        return None, None
    decided = decision_list(collectivity=collectivity).order_by().values("session_id")
    return _sessions_span(Session.objects.filter(pk__in=decided))


DECISIONS = Source(
    key="council-decisions",
    title_ar="مقررات المجلس — {name}",
    title_fr="Décisions du conseil — {name}",
    description_ar=(
        "النقط التي بت فيها مجلس {name} في دوراته: تاريخ الجلسة ونوع الدورة، رقم النقطة "
        "وعنوانها، النتيجة، عدد الأصوات المؤيدة والمعارضة والممتنعين، رقم المقرر ونصه."
    ),
    description_fr=(
        "Les points sur lesquels le conseil de {name} a statué en session : date de la "
        "séance et type de session, numéro et titre du point, résultat, voix pour, contre "
        "et abstentions, numéro et texte de la décision."
    ),
    columns=DECISION_COLUMNS,
    rows=decision_rows,
    holders=decision_holders,
    tags=("conseil", "deliberations", "decisions"),
    theme="GOVE",
    frequency="IRREG",
    temporal=decision_temporal,
)


# --------------------------------------------------------------------------- votes

VOTE_COLUMNS = (
    col("session_id", "integer", "معرف الدورة", "Identifiant de la session"),
    col("session_date", "date", "تاريخ الجلسة", "Date de la séance"),
    col("item_id", "integer", "معرف النقطة", "Identifiant du point"),
    col("item_number", "integer", "رقم النقطة", "Numéro du point"),
    col("item_title_ar", "string", "عنوان النقطة بالعربية", "Titre du point en arabe"),
    col("item_title_fr", "string", "عنوان النقطة بالفرنسية", "Titre du point en français"),
    col("member_id", "integer", "معرف العضو", "Identifiant de l'élu"),
    col("member_name_ar", "string", "اسم العضو بالعربية", "Nom de l'élu en arabe"),
    col("member_name_fr", "string", "اسم العضو بالفرنسية", "Nom de l'élu en français"),
    col("party", "string", "الحزب", "Parti"),
    col("vote", "string", "التصويت", "Vote"),
    col("url", "string", "رابط صفحة العضو", "Adresse de la page de l'élu"),
)


def _public_votes() -> QuerySet[Vote]:
    """Roll-call votes of undeleted members on public, undeleted items of held sessions."""
    return Vote.objects.filter(
        member__deleted=False, item__deleted=False, item__is_public=True
    ).select_related("item__session", "member")


def vote_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """Every public roll-call vote, oldest session first, then by item and member (one
    query)."""
    if collectivity is None or not collectivity.is_network_member:
        return
    held = public_sessions(collectivity).filter(status__in=HELD).order_by()
    votes = (
        _public_votes()
        .filter(item__session__in=held)
        .order_by(
            "item__session__starts_at", "item__session_id", "item__number", "item_id", "member_id"
        )
    )
    for vote in votes:
        item, member = vote.item, vote.member
        yield {
            "session_id": item.session_id,
            "session_date": _session_day(item.session),
            "item_id": item.pk,
            "item_number": item.number,
            "item_title_ar": item.title_ar,
            "item_title_fr": item.title_fr,
            "member_id": member.pk,
            "member_name_ar": member.name_ar,
            "member_name_fr": member.name_fr,
            "party": member.party,
            "vote": vote.choice,
            "url": page_url("council:member", slug=collectivity.slug, pk=member.pk),
        }


def vote_holders() -> list[int]:
    held = _held_items().order_by().values("pk")
    return list(
        Vote.objects.filter(member__deleted=False, item__in=held)
        .order_by()
        .values_list("item__session__collectivity_id", flat=True)
        .distinct()
    )


def vote_temporal(collectivity: Collectivity | None) -> tuple[dt.date | None, dt.date | None]:
    if collectivity is None:
        return None, None
    held = public_sessions(collectivity).filter(status__in=HELD).order_by()
    voted = _public_votes().filter(item__session__in=held).order_by().values("item__session_id")
    return _sessions_span(Session.objects.filter(pk__in=voted))


VOTES = Source(
    key="council-votes",
    title_ar="تصويت أعضاء المجلس بالمناداة — {name}",
    title_fr="Votes nominatifs des élus du conseil — {name}",
    description_ar=(
        "تصويت كل عضو من أعضاء مجلس {name} على النقط التي صوت عليها المجلس بالمناداة "
        "(مؤيد، معارض، ممتنع، لم يصوت)، كما تنشره صفحات المجلس العمومية."
    ),
    description_fr=(
        "Le vote de chaque élu du conseil de {name} sur les points votés à l'appel nominal "
        "(pour, contre, abstention, n'a pas voté), tel que les pages publiques du conseil "
        "le publient."
    ),
    columns=VOTE_COLUMNS,
    rows=vote_rows,
    holders=vote_holders,
    tags=("conseil", "votes", "elus"),
    theme="GOVE",
    frequency="IRREG",
    temporal=vote_temporal,
)


SOURCES: list[Source] = [DECISIONS, VOTES]
