"""The membership tests' shared helpers (no test here; each module declares its small
fixtures with them): a temporary MEDIA_ROOT, the charter, a valid PDF, the public form's
fields, an application submitted through the service."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infitah.accounts.models import User
from infitah.lib.minimal_pdf import minimal_pdf
from infitah.network import membership_services as services
from infitah.network.models import Application, Charter
from infitah.territories.models import Collectivity

PDF = minimal_pdf(["Deliberation 12/2024"])


def media_use(settings: Any, tmp_path: Path) -> Path:
    """Stored files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def charter_create() -> Charter:
    return Charter.objects.create(
        version=1,
        title_ar="الميثاق",
        title_fr="La charte",
        body_ar="نص الميثاق",
        body_fr="Le texte de la charte",
    )


def upload(content: bytes = PDF, name: str = "deliberation.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def form_data(collectivity: Collectivity, charter: Charter, **changes: Any) -> dict[str, Any]:
    """The public form's fields, valid; `changes` replace some (None removes one)."""
    data: dict[str, Any] = {
        "collectivity": collectivity.slug,
        "charter_version": str(charter.version),
        "decision_date": (timezone.localdate() - dt.timedelta(days=10)).isoformat(),
        "decision_reference": "D-2024-12",
        "deliberation": upload(),
        "charter_accepted": "on",
        "focal_point_name": "Samira Focal",
        "focal_point_email": "Focal@Example.test",
        "focal_point_phone": "+212 6 11 22 33 44",
        "publish_email": "on",
        "admin_name": "Adil Admin",
        "admin_email": "admin@example.test",
        "applicant_name": "Amina Applicant",
        "applicant_email": "applicant@example.test",
        "applicant_function": "Director general of services",
        "motivation": "To open our budget.",
    }
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def application_input(charter: Charter, **changes: Any) -> services.ApplicationInput:
    values: dict[str, Any] = {
        "decision_date": timezone.localdate() - dt.timedelta(days=10),
        "decision_reference": "D-2024-12",
        "charter_version": charter.version,
        "focal_point_name": "Samira Focal",
        "focal_point_email": "focal@example.test",
        "focal_point_phone": "+212 6 11 22 33 44",
        "publish_email": True,
        "publish_phone": False,
        "applicant_name": "Amina Applicant",
        "applicant_email": "applicant@example.test",
        "applicant_function": "Director general of services",
        "admin_name": "Adil Admin",
        "admin_email": "admin@example.test",
        "motivation": "",
    }
    values.update(changes)
    return services.ApplicationInput(**values)


def submit(
    collectivity: Collectivity,
    charter: Charter,
    *,
    content: bytes = PDF,
    name: str = "deliberation.pdf",
    actor: User | None = None,
    language: str = "fr",
    **changes: Any,
) -> Application:
    return services.application_submit(
        actor=actor,
        collectivity=collectivity,
        data=application_input(charter, **changes),
        deliberation=io.BytesIO(content),
        deliberation_name=name,
        language=language,
    )
