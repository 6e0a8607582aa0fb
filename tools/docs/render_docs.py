#!/usr/bin/python3
"""Renders docs/*.md to HTML pages for the trace access gate, which serves them at
/docs/ behind the same Support_tracing login as the Jaeger UI (its menu links there).

    render_docs.py DOCS_DIR OUT_DIR

Uses Debian's python3-markdown; images beside the pages are copied as they are."""

import html
import re
import shutil
import sys
from pathlib import Path

import markdown

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - fabtrace</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
code, pre {{ background: #f4f4f4; }} pre {{ padding: .6rem; overflow-x: auto; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .2rem .5rem; vertical-align: top; }}
img {{ max-width: 100%; border: 1px solid #ddd; }}
</style></head>
<body><p><a href="/search">Jaeger UI</a> &middot; <a href="index.html">fabtrace documentation</a></p>
{body}
</body></html>
"""


def render(source: Path) -> tuple[str, str]:
    text = source.read_text(encoding="utf-8")
    # Links between the pages point at their rendered form.
    text = re.sub(r"\]\(([\w./-]+)\.md(#[\w-]*)?\)", r"](\1.html\2)", text)
    heading = re.search(r"^# (.+)$", text, re.M)
    title = heading.group(1) if heading else source.stem
    body = markdown.markdown(text, extensions=["tables", "fenced_code", "toc"])
    return title, PAGE.format(title=html.escape(title), body=body)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    docs, out = Path(sys.argv[1]), Path(sys.argv[2])
    staging = out.with_name(out.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    index = []
    for source in sorted(docs.glob("*.md")):
        title, page = render(source)
        (staging / f"{source.stem}.html").write_text(page, encoding="utf-8")
        index.append(f'<li><a href="{source.stem}.html">{html.escape(title)}</a></li>')
    for image in docs.glob("*.png"):
        shutil.copy(image, staging / image.name)
    (staging / "index.html").write_text(
        PAGE.format(title="Documentation", body="<h1>fabtrace documentation</h1><ul>" + "".join(index) + "</ul>"),
        encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
