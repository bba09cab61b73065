"""Print the widget's gzipped size (embed.js + embed.css, what a reader's browser downloads to
show a thread) and exit 1 if it is over the 20 KB budget. The budget is below Isso's embed
script alone (20.3 KB gzipped). count.js is listed apart: pages load it only for count links.
It also exits 1 when a line of the widget's files is 120 characters or longer: there is no
build step, so the files readers download are the files people read.

    .venv/bin/python bench/widget_size.py
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "townhall" / "widget" / "static" / "townhall"
BUDGET = 20 * 1024
WIDGET = ["embed.js", "embed.css"]
EXTRA = ["count.js"]
MAX_LINE = 119


def gzipped(path: Path) -> int:
    # Level 9, as a static file server or CDN serving pre-compressed files would.
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def main() -> int:
    total = 0
    print(f"{'file':<12} {'bytes':>8} {'gzipped':>8}")
    for name in WIDGET + EXTRA:
        path = STATIC / name
        size = gzipped(path)
        if name in WIDGET:
            total += size
        print(f"{name:<12} {path.stat().st_size:>8} {size:>8}{'' if name in WIDGET else '  (not in total)'}")
    print(f"{'total':<12} {'':>8} {total:>8}  = {total / 1024:.1f} KB of {BUDGET / 1024:.0f} KB budget")
    failed = total > BUDGET
    if failed:
        print(f"over budget by {total - BUDGET} bytes", file=sys.stderr)
    for name in WIDGET + EXTRA:
        for number, line in enumerate((STATIC / name).read_text().splitlines(), 1):
            if len(line) > MAX_LINE:
                print(f"{name}:{number}: {len(line)} characters (at most {MAX_LINE})", file=sys.stderr)
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
