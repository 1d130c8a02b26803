"""Write one benchmark's section of bench/RESULTS.md, keeping the other sections."""

import os
import platform
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\n"
    "Written by `make bench`; each section is replaced when its benchmark runs.\n"
)


def machine():
    """CPU model, cores, memory, Python and SQLite versions of this machine."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else model
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB; Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def write_section(title, body):
    """Replace (or append) the ``## title`` section with ``body``, stamped with date and machine."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"## {title}\n\n{stamp} on {machine()}\n\n{body.strip()}\n"
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else f"{text}\n{section}"
    RESULTS.write_text(text.rstrip() + "\n")
