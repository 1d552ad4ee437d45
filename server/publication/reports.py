"""A validation report for people and programs: text (``mxus validate``) and JSON.

Apart from the validator (``validation``), so a new way to show a report
never touches how it is made.
"""

from __future__ import annotations

import json

from server.publication.validation import ValidationReport


def report_as_text(report: ValidationReport, label: str) -> str:
    counts = report.counts()
    verdict = "conforms" if report.conforms else "does NOT conform"
    lines = [
        f"{label}: {verdict} "
        f"({counts['Violation']} violation(s), {counts['Warning']} warning(s), {counts['Info']} info)"
    ]
    for result in report.results:
        lines.append(f"  [{result.severity}] {result.message}")
        for detail in result.details:
            lines.append(f"      because:    {detail}")
        lines.append(f"      focus node: {result.focus_node}")
        if result.path:
            lines.append(f"      path:       {result.path}")
        if result.value is not None:
            lines.append(f"      value:      {result.value}")
        lines.append(f"      shape:      {result.shape}")
    return "\n".join(lines)


def report_as_json(report: ValidationReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)
