"""The site's design (docs/design.md): the error summary at the top of a form page, the
shared field include, tables that read on a phone, and the stylesheet's weight.

- a bound form with errors shows, before the page's content, a summary whose links lead
  to each field in error; a page read without errors has none;
- every data table of every template stacks into cards on a phone (`table.stack`, each
  body cell labelled by `data-label`) or scrolls in a region of its own (`.scroll`);
- site.css stays light on the first view.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from django import forms
from django.contrib.staticfiles import finders
from django.forms import formset_factory
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import Client

from infitah.information.models import InformationSettings
from infitah.territories.models import Collectivity

REQUEST_URL = "/{lang}/c/commune-a/information/request/"
ROOT = Path(__file__).resolve().parents[3]


def _summary(html: str) -> str:
    start = html.index('<div class="error-summary"')
    return html[start : html.index("</div>", start)]


@pytest.fixture
def accepting(collectivity_a: Collectivity) -> InformationSettings:
    return InformationSettings.objects.create(
        collectivity=collectivity_a, cndp_authorisation="A-RA-123/2026"
    )


# ------------------------------------------------------------------- error summary


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_an_invalid_post_shows_the_summary_first_with_links_to_each_field(
    accepting: InformationSettings, lang: str
) -> None:
    client = Client()
    url = REQUEST_URL.format(lang=lang)
    shown = client.get(url)
    assert shown.status_code == 200
    assert "error-summary" not in shown.content.decode()

    response = client.post(
        url,
        {
            "first_name": "Fatima",
            "last_name": "Zahra",
            "id_type": "cin",
            "id_number": "ZX987654",
            "address": "12 rue des Orangers",
            "subject": "Budget",
            "description": "Le budget de la commune pour 2026.",
            "delivery": "email",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    main = html[html.index("<main") :]
    summary = _summary(main)
    # At the top of <main>, before the page's heading, announced and focusable.
    assert main.index('class="error-summary"') < main.index("<h1")
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert 'aria-labelledby="error-summary-title"' in summary
    assert 'id="error-summary-title"' in summary
    links = re.findall(r'<a href="#([^"]+)">', summary)
    # The radio group links to its first choice; each link's target exists on the page.
    assert links == ["id_requester_type_0", "id_email", "id_consent"]
    for target in links:
        assert f'id="{target}"' in html
    form = response.context["form"]
    assert str(form.fields["email"].label) in summary
    assert str(form.errors["consent"][0]) in summary


@pytest.mark.django_db
def test_error_forms_add_their_errors_and_non_field_errors_are_listed_unlinked() -> None:
    class PlaceForm(forms.Form):
        name = forms.CharField(label="Name")

        def clean(self) -> dict[str, object]:
            raise forms.ValidationError("The place is closed.")

    places = formset_factory(PlaceForm, extra=0, min_num=1)(
        {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-name": ""}
    )
    other = PlaceForm({"name": ""}, prefix="other")
    html = Template('{% include "_error_summary.html" %}').render(
        Context({"form": PlaceForm(), "error_forms": [places, other]})
    )
    assert html.count('href="#') == 2
    assert 'href="#id_form-0-name"' in html and 'href="#id_other-name"' in html
    # An unbound `form` adds nothing; a clean() error is listed without a link.
    assert "<li>The place is closed.</li>" in html


def test_no_bound_form_no_summary() -> None:
    class PlaceForm(forms.Form):
        name = forms.CharField()

    for context in ({}, {"form": PlaceForm()}, {"form": "not a form"}, {"error_forms": None}):
        html = Template('{% include "_error_summary.html" %}').render(Context(context))
        assert "error-summary" not in html


# ------------------------------------------------------------------ field include


class _Sample(forms.Form):
    email = forms.EmailField(label="E-mail", help_text="We write to it.")
    kind = forms.ChoiceField(
        label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    reasons = forms.MultipleChoiceField(
        label="Reasons", choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(label="I agree")


def test_a_field_in_error_is_marked_invalid_and_described_by_its_help_and_error() -> None:
    form = _Sample({"email": "nope"})
    assert not form.is_valid()
    email = render_to_string("_field.html", {"field": form["email"]})
    tag = re.search(r"<input[^>]*>", email)
    assert tag is not None
    assert 'aria-invalid="true"' in tag.group()
    assert 'aria-describedby="id_email_helptext id_email_err"' in tag.group()
    assert 'id="id_email_helptext"' in email and 'id="id_email_err"' in email
    assert 'role="alert"' in email and 'class="errorlist"' in email
    assert '<label for="id_email">' in email

    kind = render_to_string("_field.html", {"field": form["kind"]})
    assert kind.startswith("<fieldset") and 'aria-describedby="id_kind_err"' in kind
    assert 'id="id_kind_err"' in kind and 'id="id_kind_0"' in kind
    # A list of checkboxes is a group with a legend, not a label around a list.
    reasons = render_to_string("_field.html", {"field": form["reasons"]})
    assert reasons.startswith("<fieldset") and "<legend>Reasons</legend>" in reasons
    agree = render_to_string("_field.html", {"field": form["agree"]})
    assert 'aria-describedby="id_agree_err"' in agree and 'id="id_agree_err"' in agree


def test_a_valid_field_is_left_as_django_renders_it() -> None:
    form = _Sample()
    html = render_to_string("_field.html", {"field": form["email"]})
    assert "aria-invalid" not in html and "_err" not in html
    assert 'aria-describedby="id_email_helptext"' in html


# ---------------------------------------------------------------------- tables

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_VOID = {"br", "hr", "img", "input", "meta", "link", "col", "source", "wbr", "area", "base"}


def _templates() -> list[Path]:
    """Every page template, less the PDF and e-mail ones (they have their own styles)."""
    found = []
    for path in sorted((ROOT / "infitah").glob("**/templates/**/*.html")):
        parts = path.relative_to(ROOT).parts
        if "pdf" in parts or any("mail" in part for part in parts):
            continue
        found.append(path)
    return found


def _classes(attrs: str) -> str:
    match = re.search(r"\bclass=\"([^\"]*)\"", attrs)
    return f" {match.group(1)} " if match else ""


def _has(classes: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){name}(?![\w-])", classes) is not None


def table_problems(text: str) -> list[str]:
    """What keeps the tables of one template from reading on a phone: a table neither
    `stack` nor inside a `.scroll` region, or a body cell of a `stack` table without
    `data-label`."""
    problems = []
    stack: list[tuple[str, str]] = []  # open elements: name, classes
    for match in _TAG.finditer(text):
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
        line = text.count("\n", 0, match.start()) + 1
        if closing:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == name:
                    del stack[depth:]
                    break
            continue
        classes = _classes(attrs)
        if name == "table":
            scrolled = any(_has(outer, "scroll") for _, outer in stack)
            if not _has(classes, "stack") and not scrolled:
                problems.append(f"line {line}: <table> neither .stack nor inside .scroll")
        elif name in ("td", "th"):
            tables = [outer for element, outer in stack if element == "table"]
            sections = [element for element, _ in stack if element in ("thead", "tfoot")]
            in_stack = bool(tables) and _has(tables[-1], "stack")
            is_body_cell = name == "td" or re.search(r"\bscope=\"row\"", attrs)
            if in_stack and is_body_cell and not sections and "data-label=" not in attrs:
                problems.append(f"line {line}: <{name}> of a .stack table without data-label")
            # a cell closes the previous one implicitly
            if stack and stack[-1][0] in ("td", "th"):
                stack.pop()
        if name not in _VOID and not attrs.rstrip().endswith("/"):
            stack.append((name, classes))
    return problems


def test_the_table_lint_sees_what_it_should() -> None:
    good = (
        '<table class="stack"><thead><tr><th>A</th></tr></thead><tbody>'
        '<tr><th scope="row" data-label="A">1</th><td data-label="">x</td></tr></tbody>'
        '</table><div class="scroll" tabindex="0"><table><tr><td>1</td></tr></table></div>'
    )
    assert table_problems(good) == []
    assert len(table_problems("<table><tr><td>1</td></tr></table>")) == 1
    bad = '<table class="stack wide"><tr><td data-label="A">1<td>2</td></tr></table>'
    assert table_problems(bad) == ["line 1: <td> of a .stack table without data-label"]


def test_every_table_stacks_on_a_phone_or_scrolls_in_its_own_region() -> None:
    templates = _templates()
    assert len(templates) > 300 and not any("/pdf/" in str(path) for path in templates)
    failures = {
        str(path.relative_to(ROOT)): found
        for path in templates
        if (found := table_problems(path.read_text(encoding="utf-8")))
    }
    assert not failures, "\n".join(f"{name}: {'; '.join(p)}" for name, p in failures.items())


def heading_problems(text: str) -> list[str]:
    """A page's h1 outside a `header.page-head` (the page head holds the title, its
    lede and actions)."""
    problems = []
    for found in re.finditer(r"<h1[ >]", text):
        before = text[: found.start()]
        head = max(
            before.rfind('<header class="page-head"'), before.rfind('<header class="page-head ')
        )
        if head <= before.rfind("</header>"):
            problems.append(
                f"line {text.count(chr(10), 0, found.start()) + 1}: <h1> outside a page head"
            )
    return problems


def test_the_heading_lint_sees_what_it_should() -> None:
    assert heading_problems('<header class="page-head home"><h1>A</h1></header>') == []
    assert heading_problems("<header>x</header><h1>A</h1>") == ["line 1: <h1> outside a page head"]


def test_every_page_title_sits_in_a_page_head() -> None:
    failures = {
        str(path.relative_to(ROOT)): found
        for path in _templates()
        if "/email" not in str(path) and (found := heading_problems(path.read_text("utf-8")))
    }
    assert not failures, "\n".join(f"{name}: {'; '.join(p)}" for name, p in failures.items())


# ------------------------------------------------------------------- stylesheet


def test_the_stylesheet_stays_light_and_offers_the_components() -> None:
    found = finders.find("infitah/site.css")
    assert isinstance(found, str)
    data = Path(found).read_bytes()
    assert len(data) < 16_000
    assert len(gzip.compress(data, 9)) < 4_500
    css = data.decode()
    for selector in (
        ".page-head",
        ".lede",
        ".actions",
        ".badge-ok",
        ".badge-warn",
        ".badge-bad",
        ".badge-info",
        ".badge-muted",
        ".cards",
        "dl.facts",
        "table.stack",
        "attr(data-label)",
        ".scroll",
        ".stats",
        ".empty",
        ".progress",
        ".error-summary",
        ".num{font-variant-numeric:tabular-nums;text-align:end}",
    ):
        assert selector in css, selector
    assert re.search(r"(?m)^time[,{][^{]*\{white-space:nowrap\}", css), "time never breaks"
    # Words are never broken anywhere but in a long line of text; no physical sides.
    assert "anywhere" not in css.split("@media print")[0]
    assert not re.search(r"(margin|padding|border)-(left|right)|\b(left|right):", css)
