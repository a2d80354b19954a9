"""The reader's output for a person: `bulletin-site parse --format text`."""

from __future__ import annotations

from bulletin_site.model import Bulletin, Plan, Reading


def format_reading(reading: Reading, *, report: bool = False) -> str:
    doc = reading.document
    out: list[str] = [f"{doc.source}  ({doc.kind}, {doc.script})"]
    if isinstance(doc, Bulletin):
        out.append(f"issue: {doc.number if doc.number is not None else 'not stated'}")
        out.append("")
        out.append("== summary")
        out.extend(doc.summary)
        out.append(f"contact: {doc.contact or '—'}")
        for article in doc.articles:
            out.append("")
            out.append(f"== {article.number}. {article.title}")
            for k, paragraph in enumerate(article.paragraphs, start=1):
                out.append(f"[¶{k}] {paragraph}")
            for caption in article.captions:
                out.append(f"[caption] {caption}")
    elif isinstance(doc, Plan):
        out.append(f"== {doc.title}")
        out.extend(doc.intro)
        for section in doc.sections:
            out.append("")
            out.append(("  " if section.level == 2 else "") + f"== {section.heading}")
            out.extend(f"{item.number}. {item.text}" for item in section.items)
    else:
        out.append(f"== {doc.title}")
        out.append(doc.markdown)
    if doc.warnings:
        out.append("")
        out.append("== warnings")
        out.extend(doc.warnings)
    if report:
        out.append("")
        out.append("== conservation report (line, role → where it went)")
        out.extend(str(trace) for trace in reading.report)
    return "\n".join(out) + "\n"
