"""Every translatable string reaches the catalogues.

`makemessages` finds strings by the names of the gettext functions (`_`, `gettext_lazy`,
`pgettext_lazy`…): a string passed to an alias such as `gettext_lazy as _lazy` is never
extracted, so it stays in English on every page, silently. No module may alias them.
"""

from __future__ import annotations

import re
from pathlib import Path

import infitah

ALIAS = re.compile(
    r"^from django\.utils\.translation import .*?\b(\w*gettext\w*) as (\w+)", re.MULTILINE
)


def test_gettext_functions_are_imported_under_names_makemessages_knows():
    root = Path(infitah.__file__).parent
    aliased = [
        f"{path.relative_to(root)}: {function} as {alias}"
        for path in sorted(root.rglob("*.py"))
        for function, alias in ALIAS.findall(path.read_text(encoding="utf-8"))
        if alias != "_"
    ]
    assert aliased == []
