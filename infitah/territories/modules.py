"""The modules a collectivity's home page links to, registered by the apps that provide them.

A case app registers its public module once (in its AppConfig.ready); the home page
shows a module only when the app says it exists for that collectivity, so that no link
leads nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
