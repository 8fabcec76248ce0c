#!/usr/bin/python3
"""Renders review.md with cmark-gfm (Debian's cmark-gfm, GitHub's own Markdown library)
and checks it is what a code review shows: under GitHub's comment limit, with its table,
its collapsible sections and its asm and diff code blocks.

usage: markdown_test.py RUN_DIR
"""
import pathlib
import subprocess
import sys


def main():
    review = pathlib.Path(sys.argv[1]) / "review.md"
    text = review.read_text()
    assert len(text) <= 65000, f"review.md is {len(text)} characters, over the 65,000 budget"
    # --unsafe keeps the raw <details> HTML, as GitHub does for its allowed tags.
    result = subprocess.run(["cmark-gfm", "--extension", "table", "--unsafe", str(review)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    html = result.stdout
    assert "<table>" in html, "no table"
    assert "<details>" in html and "<summary>" in html, "no collapsible section"
    assert 'class="language-asm"' in html, "no asm block"
    assert 'class="language-diff"' in html, "no diff block"
    print(f"ok: {len(text)} characters, renders with table, details, asm and diff blocks")


if __name__ == "__main__":
    main()
