"""The subject-access export as a printable PDF: one heading per section, each record's
fields as "name: value" lines, in the order the JSON gives them."""

from __future__ import annotations

import json
from typing import Any

from fpdf import FPDF

from firstcontact.records.access import SubjectAccess
from firstcontact.victims.letter import printable

LINE_MM = 5.0


def _value(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)


def _section(pdf: FPDF, name: str, rows: list[dict[str, Any]]) -> None:
    pdf.set_font("Helvetica", style="B", size=12)
    title = f"{name.replace('_', ' ').capitalize()} ({len(rows)})"
    pdf.multi_cell(0, LINE_MM + 1, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    if not rows:
        pdf.multi_cell(0, LINE_MM, "None held.", new_x="LMARGIN", new_y="NEXT")
    for row in rows:
        text = "\n".join(f"{key}: {_value(value)}" for key, value in row.items())
        pdf.multi_cell(0, LINE_MM, printable(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(LINE_MM)


def subject_access_pdf(found: SubjectAccess, force_name: str) -> bytes:
    """Every section of the export, printed. Same export, same bytes (dated as exported)."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(found.exported_at)
    title = f"Subject access: person {found.person_id}"
    pdf.set_title(title)
    pdf.set_author(printable(force_name))
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=15)
    pdf.multi_cell(0, LINE_MM + 2, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, LINE_MM, printable(
        f"{force_name}. Everything held on this person, exported "
        f"{found.exported_at.isoformat()} by {found.exported_by}."),
        new_x="LMARGIN", new_y="NEXT")
    pdf.ln(LINE_MM)
    for name, rows in found.sections.items():
        _section(pdf, name, rows)
    return bytes(pdf.output())
