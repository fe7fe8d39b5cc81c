"""The modules a collectivity's home page links to, registered by the apps that provide them.

A case app registers its public module once (in its AppConfig.ready); the home page
shows a module only when the app says it exists for that collectivity, so that no link
leads nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import Promise

from infitah.territories.models import Collectivity


@dataclass(frozen=True)
class Module:
    key: str
    title: str | Promise
    url: Callable[[Collectivity], str]
    exists: Callable[[Collectivity], bool] = lambda collectivity: True
    order: int = 100


_registry: dict[str, Module] = {}


def register_module(module: Module) -> None:
    _registry[module.key] = module


def unregister_module(key: str) -> None:
    _registry.pop(key, None)


def modules_for(collectivity: Collectivity) -> list[tuple[Module, str]]:
    """(module, url) for every registered module that exists for `collectivity`."""
    return [
        (module, module.url(collectivity))
        for module in sorted(_registry.values(), key=lambda m: (m.order, m.key))
        if module.exists(collectivity)
    ]


@dataclass(frozen=True)
class Panel:
    """A section of a collectivity's home page drawn by another app (its membership of
    the network, the events it took part in, its practices): `render` returns the HTML,
    empty when there is nothing to show. Apps that change what a panel shows bump the
    "territories" page cache."""

    key: str
    render: Callable[[HttpRequest, Collectivity], str]
    order: int = 100


_panels: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _panels[panel.key] = panel


def panels_for(request: HttpRequest, collectivity: Collectivity) -> list[str]:
    """The HTML of every registered panel with something to show for `collectivity`."""
    drawn = (
        panel.render(request, collectivity)
        for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key))
    )
    return [html for html in drawn if html.strip()]
