"""The network's sections of a collectivity's home page (territories.modules.Panel):
its membership, the network events its people attended, the practices it shared."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from infitah.network.event_selectors import events_of
from infitah.network.membership_selectors import member_panel
from infitah.network.practice_selectors import practices_of
from infitah.territories.models import Collectivity
from infitah.territories.modules import Panel, register_panel


def _membership(request: HttpRequest, collectivity: Collectivity) -> str:
    panel = member_panel(collectivity)
    if panel is None:
        return ""
    return render_to_string(
        "network/membership/_member_panel.html", {"member_panel": panel}, request
    )


def _events(request: HttpRequest, collectivity: Collectivity) -> str:
    rows = events_of(collectivity)
    if not rows:
        return ""
    return render_to_string("network/events/_member_events.html", {"member_events": rows}, request)


def _practices(request: HttpRequest, collectivity: Collectivity) -> str:
    rows = practices_of(collectivity)
    if not rows:
        return ""
    return render_to_string(
        "network/practices/_member_practices.html", {"member_practices": rows}, request
    )


def panels_register() -> None:
    register_panel(Panel(key="network-membership", render=_membership, order=10))
    register_panel(Panel(key="network-events", render=_events, order=20))
    register_panel(Panel(key="network-practices", render=_practices, order=30))
