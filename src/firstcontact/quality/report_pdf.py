"""The service report as a PDF to file or send (fpdf2, as the victims' letters are printed).

Each section prints its findings, then its tables; a chart's figures are in its table, so
the PDF carries every number the page shows. Built-in fonts print Latin-1, so text goes
through the letters' `printable`.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.fonts import FontFace

from firstcontact.quality.report import Section, ServiceReport, Table, show
from firstcontact.victims.letter import printable

LINE_MM = 5.0


def report_pdf(report: ServiceReport) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_creation_date(report.generated_at)
    pdf.set_title(printable(report.title))
    pdf.set_author(printable(report.force))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.multi_cell(0, LINE_MM + 3, printable(f"{report.force}: {report.title}"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, LINE_MM, f"Produced {report.generated_at:%Y-%m-%d %H:%M} UTC. Times are "
                   "London times; percentages to one decimal place.",
                   new_x="LMARGIN", new_y="NEXT")
    for section in report.sections:
        _section(pdf, section)
    return bytes(pdf.output())


def _section(pdf: FPDF, section: Section) -> None:
    pdf.ln(LINE_MM)
    pdf.set_font("Helvetica", style="B", size=13)
    pdf.multi_cell(0, LINE_MM + 2, printable(section.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for finding in section.findings:
        pdf.multi_cell(0, LINE_MM, printable(finding), new_x="LMARGIN", new_y="NEXT")
    for table in section.tables:
        _table(pdf, table)


def _table(pdf: FPDF, table: Table) -> None:
    pdf.ln(2)
    pdf.set_font("Helvetica", style="I", size=9)
    pdf.multi_cell(0, LINE_MM, printable(table.caption), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    first = 2.0 if len(table.columns) > 2 else 1.0
    widths = (first, *([1.0] * (len(table.columns) - 1)))
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=LINE_MM - 1,
                   headings_style=FontFace(emphasis="BOLD")) as drawn:
        heading = drawn.row()
        for column in table.columns:
            heading.cell(printable(column))
        for row in table.rows:
            line = drawn.row()
            for value in row:
                line.cell("-" if value is None else printable(show(value)))
