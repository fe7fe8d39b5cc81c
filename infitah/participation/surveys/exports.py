"""The CSV exports of a survey (UTF-8 with a BOM, so that spreadsheets read Arabic):

- results: one row per option or scale value (public when the results are);
- responses: one row per response, one column per question (staff only); the
  participant is a stable opaque number (`selectors.respondent_number`);
- breakdown (a survey of the network): respondents by region and by kind of
  collectivity (`participation.breakdown`), public when the results are.
"""

from __future__ import annotations

import csv
import io

from django.utils import timezone

from infitah.lib.csvsafe import csv_cell
from infitah.participation.breakdown import Breakdown, breakdown_csv_rows
from infitah.participation.surveys.models import Question
from infitah.participation.surveys.selectors import ResponseRow, Results

BOM = "\ufeff"


def _write(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return BOM + buffer.getvalue()


def results_csv(results: Results) -> str:
    rows: list[list[object]] = [
        ["question_number", "question", "kind", "answer", "count", "percent", "answered"]
    ]
    for number, result in enumerate(results.questions, start=1):
        question = result.question
        if not result.bars:
            rows.append([number, question.text, question.kind, "", "", "", result.answered])
        for bar in result.bars:
            rows.append(
                [
                    number,
                    question.text,
                    question.kind,
                    bar.label,
                    bar.count,
                    bar.percent,
                    result.answered,
                ]
            )
    return _write(rows)


def _answer_text(question: Question, row: ResponseRow) -> str:
    answers = row.answers.get(question.pk, [])
    if question.is_choice:
        return " | ".join(a.option.label for a in answers if a.option is not None)
    if question.is_scale:
        return ";".join(str(a.value) for a in answers if a.value is not None)
    return "\n".join(a.text for a in answers)


def responses_csv(questions: list[Question], rows: list[ResponseRow]) -> str:
    header: list[object] = ["respondent", "submitted_at"]
    header += [f"Q{n}. {q.text}" for n, q in enumerate(questions, start=1)]
    lines: list[list[object]] = [header]
    for row in rows:
        submitted = timezone.localtime(row.submitted_at).strftime("%Y-%m-%d %H:%M")
        lines.append([row.respondent, submitted, *(_answer_text(q, row) for q in questions)])
    return _write(lines)


def breakdown_csv(breakdown: Breakdown) -> str:
    return _write(breakdown_csv_rows(breakdown))
