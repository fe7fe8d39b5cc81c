"""`{% submission_key %}`: the hidden submission key of a citizen's form
(infitah/idempotency/submissions.py). Put it inside the form, after `{% csrf_token %}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from infitah.idempotency.submissions import FIELD, submission_key_for, submission_key_new

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_key(context: dict[str, Any]) -> SafeString:
    """A hidden field with this browser's current key (a random one without a request)."""
    request = context.get("request")
    key = submission_key_for(request) if request is not None else submission_key_new()
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, key)
