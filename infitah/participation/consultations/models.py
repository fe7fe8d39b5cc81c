"""Public consultations: models."""

from __future__ import annotations
