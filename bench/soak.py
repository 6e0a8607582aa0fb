#!/usr/bin/env python3
"""The sampling loop and the report of bench/soak.sh (which starts it): every interval it
runs `SAMPLER --sample` (bench/soak.sh: one `ft_status`, as `./fabtrace status`), keeps the MiB
of each component and the total, and rewrites the CSV (one row per sample, one column per
component); at the end (or at Ctrl-C) it draws the chart as SVG, has Debian's headless
chromium turn it into a PNG, and prints each component's first, highest and last MiB.
Python's standard library only.

  bench/soak.py --sampler bench/soak.sh --csv OUT.csv --png OUT.png [--minutes 30] ...
  bench/soak.py --from-csv docs/soak-memory.csv --png /tmp/chart.png   (the report again)

ft_status prints `  <name>  ready  <N> MiB`, `  traffic  running  <N> MiB`,
`  <name>  NOT READY (<state>)` (no MiB) and `  total  <N> MiB in all ...`; nothing on
standard output when the landscape is not running.
"""

import argparse
import csv
import html
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

TOTAL = re.compile(r"^\s+total\s+(\d+) MiB\b")
MEASURED = re.compile(r"^\s+(\S+)\s+(?:ready|running)\s+(\d+) MiB\s*$")
NOT_READY = re.compile(r"^\s+(\S+)\s+NOT READY\b")

WIDTH, HEIGHT = 1000, 600
# One colour per component; past the last one the colours repeat with dashes.
COLOURS = ["#1a5fb4", "#e66100", "#26a269", "#c01c28", "#813d9c", "#865e3c", "#d6339a", "#5e5c64",
           "#9a9a00", "#0f9aa8", "#62a0ea", "#f5a623", "#8ff0a4", "#f66151", "#c061cb", "#b5835a",
           "#ff8fc8", "#9a9996", "#c4d41c", "#5bd0e3", "#00574b", "#7a1e48"]
TOTAL_COLOUR, LIMIT_COLOUR = "#000000", "#d01010"


class Sample:
    def __init__(self, time):
        self.time = time          # unix seconds
        self.mib = {}             # component -> MiB (ready or running ones)
        self.not_ready = []       # components ft_status found not ready (no MiB of their own)
        self.names = []           # every component, in ft_status's order
        self.total = None         # ft_status's total; None: the landscape was not running


def parse_status(sample, text):
    for line in text.splitlines():
        if not line.strip():
            continue
        elif m := TOTAL.match(line):
            sample.total = int(m.group(1))
        elif m := MEASURED.match(line):
            sample.mib[m.group(1)] = int(m.group(2))
            sample.names.append(m.group(1))
        elif m := NOT_READY.match(line):
            sample.not_ready.append(m.group(1))
            sample.names.append(m.group(1))
        else:
            print(f"soak: ignored a line of ft_status: {line.strip()!r}", file=sys.stderr)
    return sample


class Stop(Exception):
    pass


def stop(signum, frame):
    raise Stop(signal.Signals(signum).name)


def run_samples(args):
    """Samples at start + i * interval until the planned minutes are over (or Ctrl-C / TERM);
    the CSV is rewritten after each one, so an interrupted run keeps what it measured."""
    count = int(args.minutes * 60 // args.interval) + 1
    env = dict(os.environ, BENCH_PROFILE=args.profile)
    samples, stopped = [], False
    print(f"memory soak of profile {args.profile}: {count} samples, every {args.interval} s "
          f"for {args.minutes:g} min", file=sys.stderr)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    begin = time.monotonic()
    try:
        for i in range(count):
            time.sleep(max(0.0, begin + i * args.interval - time.monotonic()))
            sample = Sample(int(time.time()))
            out = subprocess.run([args.sampler, "--sample"], stdout=subprocess.PIPE, text=True, env=env).stdout
            if parse_status(sample, out).total is None and out.strip():
                print("soak: a sample without its total line (ft_status cut short) is left out", file=sys.stderr)
                continue
            samples.append(sample)
            write_csv(args.csv, samples, components_of(samples))
            elapsed = sample.time - samples[0].time
            print(f"[soak {elapsed // 60}m{elapsed % 60:02d}s] sample {i + 1}/{count}: " +
                  (f"{sample.total} MiB in all" if sample.total is not None else "landscape not running"),
                  file=sys.stderr)
    except Stop as signal_name:
        # A sample cut short (its ft_status got the Ctrl-C too) is not kept.
        stopped = True
        print(f"soak: stopped by {signal_name} after {len(samples)} of {count} samples; reporting those",
              file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    return samples, stopped


def components_of(samples):
    """Every component seen, in ft_status's order; one seen only later goes after its
    predecessor in the sample it first appears in (traffic, a component enabled later)."""
    names = []
    for s in samples:
        for i, name in enumerate(s.names):
            if name not in names:
                before = next((n for n in reversed(s.names[:i]) if n in names), None)
                names.insert(names.index(before) + 1 if before else 0, name)
    return names


def iso(time):
    return datetime.fromtimestamp(time).astimezone().isoformat(timespec="seconds")


def write_csv(path, samples, names):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    start = samples[0].time
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["time", "minutes", *names, "total", "not_ready"])
            for s in samples:
                out.writerow([iso(s.time), f"{(s.time - start) / 60:.2f}", *(s.mib.get(n, "") for n in names),
                              "" if s.total is None else s.total, " ".join(s.not_ready)])
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    names = header[2:header.index("total")]
    samples = []
    for row in rows[1:]:
        s = Sample(int(datetime.fromisoformat(row[0]).timestamp()))
        s.mib = {n: int(v) for n, v in zip(names, row[2:2 + len(names)]) if v != ""}
        total = row[header.index("total")]
        s.total = int(total) if total else None
        s.not_ready = row[header.index("not_ready")].split()
        samples.append(s)
    return samples, names


# --- summary -------------------------------------------------------------------------------

def summary(samples, names, args):
    start, end = samples[0].time, samples[-1].time
    day = datetime.fromtimestamp(start).strftime("%Y-%m-%d %H:%M:%S")
    lines = [f"memory soak, profile {args.profile}: {len(samples)} samples from {day} to "
             f"{datetime.fromtimestamp(end).strftime('%H:%M:%S')} ({(end - start) / 60:.1f} min"
             + (f", every {args.interval} s" if args.interval else "") + ")",
             "MiB per component as ./fabtrace status counts it (proportional set size of its process tree)",
             "",
             f"  {'component':<20} {'first':>7} {'max':>7} {'last':>7}"]

    def row(name, values):
        if values:
            lines.append(f"  {name:<20} {values[0]:>7} {max(values):>7} {values[-1]:>7}")
        else:
            lines.append(f"  {name:<20} {'-':>7} {'-':>7} {'-':>7}")

    for name in names:
        row(name, [s.mib[name] for s in samples if name in s.mib])
    totals = [s.total for s in samples if s.total is not None]
    row("total", totals)
    lines.append("")
    if totals:
        over = [s for s in samples if s.total is not None and s.total > args.limit]
        peak = next(s for s in samples if s.total == max(totals))
        if not over:
            lines.append(f"total at or under the limit of {args.limit} MiB throughout: yes "
                         f"(highest {max(totals)} MiB, {args.limit - max(totals)} MiB to spare)")
        else:
            lines.append(f"total at or under the limit of {args.limit} MiB throughout: NO, above it in "
                         f"{len(over)} of {len(totals)} samples (highest {max(totals)} MiB at "
                         f"{(peak.time - start) / 60:.1f} min)")
    else:
        lines.append(f"total at or under the limit of {args.limit} MiB: unknown, the landscape was not "
                     "running at any sample")
    down = sum(1 for s in samples if s.total is None)
    if down:
        lines.append(f"note: the landscape was not running at {down} of {len(samples)} samples (gaps in the chart)")
    not_ready = {}
    for s in samples:
        for name in s.not_ready:
            not_ready[name] = not_ready.get(name, 0) + 1
    if not_ready:
        lines.append("note: not ready at some samples (no MiB of their own there, the total still counts them): "
                     + ", ".join(f"{n} {c}x" for n, c in not_ready.items()))
    return "\n".join(lines)


# --- chart ---------------------------------------------------------------------------------

def nice_step(span, ticks=6):
    """A step of 1, 2 or 5 times a power of ten giving about `ticks` ticks over span."""
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def label(value):
    return f"{value:.2f}".rstrip("0").rstrip(".")


def svg_chart(samples, names, limit, title, minutes=None):
    left, right, top, bottom = 70, 190, 56, 52
    pw, ph = WIDTH - left - right, HEIGHT - top - bottom
    start = samples[0].time
    xs = [(s.time - start) / 60 for s in samples]
    x_max = max(xs[-1], minutes or 0) or 1
    totals = [s.total for s in samples if s.total is not None]
    highest = max([limit, *totals, *(v for s in samples for v in s.mib.values())])
    y_step = nice_step(highest * 1.08)
    y_max = math.ceil(highest * 1.08 / y_step) * y_step
    x_step = nice_step(x_max, 8)

    def px(x):
        return left + x / x_max * pw

    def py(y):
        return top + ph - y / y_max * ph

    e = html.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
           f'<text x="{left}" y="24" font-size="16" font-weight="bold">{e(title)}</text>',
           f'<text x="{left}" y="42" fill="#555">MiB per component as ./fabtrace status counts it '
           f'(proportional set size of its process tree)</text>']
    # Grid and axes.
    y = 0
    while y <= y_max + 1e-9:
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{py(y):.1f}" y2="{py(y):.1f}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{left - 8}" y="{py(y) + 4:.1f}" text-anchor="end">{label(y)}</text>')
        y += y_step
    x = 0
    while x <= x_max + 1e-9:
        out.append(f'<line x1="{px(x):.1f}" x2="{px(x):.1f}" y1="{top}" y2="{top + ph}" stroke="#f0f0f0"/>')
        out.append(f'<text x="{px(x):.1f}" y="{top + ph + 18}" text-anchor="middle">{label(x)}</text>')
        x += x_step
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
    out.append(f'<text x="{left + pw / 2}" y="{HEIGHT - 12}" text-anchor="middle">minutes since start</text>')
    out.append(f'<text transform="translate(18 {top + ph / 2}) rotate(-90)" text-anchor="middle">MiB</text>')
    # The limit.
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{py(limit):.1f}" y2="{py(limit):.1f}" '
               f'stroke="{LIMIT_COLOUR}" stroke-width="1.5" stroke-dasharray="8 5"/>')
    out.append(f'<text x="{left + pw - 6}" y="{py(limit) - 6:.1f}" text-anchor="end" fill="{LIMIT_COLOUR}">'
               f'limit {limit} MiB</text>')

    def series(values, colour, width, dash):
        path, pen_down = [], False
        for x, v in zip(xs, values):
            if v is None:  # a gap: not ready, not running
                pen_down = False
                continue
            path.append(f'{"L" if pen_down else "M"}{px(x):.1f} {py(v):.1f}')
            pen_down = True
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts = [f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="{width}" '
                 f'stroke-linejoin="round"{dash_attr}/>'] if path else []
        if len(samples) <= 90:  # dots on the samples while they are few enough to tell apart
            parts += [f'<circle cx="{px(x):.1f}" cy="{py(v):.1f}" r="{width + 0.5}" fill="{colour}"/>'
                      for x, v in zip(xs, values) if v is not None]
        return parts

    legend = []
    for i, name in enumerate(names):
        colour, dash = COLOURS[i % len(COLOURS)], "" if i < len(COLOURS) else "5 3"
        values = [s.mib.get(name) for s in samples]
        out += series(values, colour, 1.5, dash)
        last = next((v for v in reversed(values) if v is not None), None)
        legend.append((name, colour, dash, 1.5, last))
    out += series([s.total for s in samples], TOTAL_COLOUR, 2.5, "")
    total_last = next((v for v in reversed(totals)), None)
    # Legend: total first, then the components by their last MiB, highest first (the order
    # of the lines from the top), with that value.
    legend.sort(key=lambda item: -(item[4] if item[4] is not None else -1))
    legend.insert(0, ("total", TOTAL_COLOUR, "", 2.5, total_last))
    row_h = min(20, (ph + bottom - 10) / max(len(legend), 1))
    lx = left + pw + 16
    out.append(f'<text x="{lx}" y="{top - 6}" fill="#555">last MiB</text>')
    for j, (name, colour, dash, width, last) in enumerate(legend):
        ly = top + 8 + j * row_h
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{lx}" x2="{lx + 22}" y1="{ly:.1f}" y2="{ly:.1f}" stroke="{colour}" '
                   f'stroke-width="{width + 0.5}"{dash_attr}/>')
        out.append(f'<text x="{lx + 28}" y="{ly + 4:.1f}">{e(name)}</text>')
        out.append(f'<text x="{WIDTH - 8}" y="{ly + 4:.1f}" text-anchor="end">'
                   f'{"-" if last is None else last}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def png_size(data):
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def svg_to_png(svg, png):
    """Screenshots the SVG in a page of headless chromium (a dependency of the browser tests)."""
    chromium = os.environ.get("BENCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory(prefix="fabtrace-soak-chart.") as tmp:
        page, shot = Path(tmp, "chart.html"), Path(tmp, "chart.png")
        page.write_text('<!doctype html><html><head><meta charset="utf-8"><style>'
                        "html, body {margin: 0; padding: 0; overflow: hidden; background: #fff}"
                        "svg {display: block}</style></head><body>\n" + svg + "</body></html>\n")
        command = [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage",
                   "--hide-scrollbars", "--no-first-run", "--disable-extensions", "--mute-audio",
                   f"--user-data-dir={tmp}/profile", f"--window-size={WIDTH},{HEIGHT}",
                   f"--screenshot={shot}", page.as_uri()]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise RuntimeError(f"{chromium} failed: {error}") from None
        data = shot.read_bytes() if shot.exists() else b""
        if png_size(data) is None:
            raise RuntimeError(f"{chromium} made no PNG (exit {run.returncode}): {run.stderr.strip()[-800:]}")
        if png_size(data) != (WIDTH, HEIGHT):
            print(f"soak: the PNG is {png_size(data)[0]}x{png_size(data)[1]}, not {WIDTH}x{HEIGHT}", file=sys.stderr)
        png = Path(png)
        png.parent.mkdir(parents=True, exist_ok=True)
        tmp_png = png.with_name(png.name + ".tmp")
        tmp_png.write_bytes(data)
        os.replace(tmp_png, png)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--sampler", help="the program that prints one ft_status when run with --sample")
    source.add_argument("--from-csv", help="a CSV this script wrote: the summary and chart again")
    parser.add_argument("--csv", help="where to write the samples (with --sampler)")
    parser.add_argument("--png", required=True, help="where to write the chart")
    parser.add_argument("--profile", default="up")
    parser.add_argument("--limit", type=int, default=2048, help="MiB the total should stay at or under")
    parser.add_argument("--minutes", type=float, default=30, help="how long to sample; the x axis spans it")
    parser.add_argument("--interval", type=int, default=60, help="seconds between samples")
    args = parser.parse_args()

    if args.sampler:
        if not args.csv:
            parser.error("--sampler needs --csv")
        samples, stopped = run_samples(args)
        names = components_of(samples)
    else:
        samples, names = read_csv(args.from_csv)
        stopped = False
        args.minutes, args.interval = None, None
    if not samples:
        sys.exit("soak: no samples")
    day = datetime.fromtimestamp(samples[0].time).strftime("%Y-%m-%d %H:%M")
    title = f"fabtrace memory soak, {day}, profile {args.profile}"
    svg = svg_chart(samples, names, args.limit, title, args.minutes)
    print(summary(samples, names, args))
    if args.csv:
        print(f"samples: {args.csv}")
    try:
        svg_to_png(svg, args.png)
    except RuntimeError as error:
        kept = Path(args.png).with_suffix(".svg")
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(svg)
        sys.exit(f"soak: the PNG could not be made ({error}); the chart is kept as SVG in {kept}")
    print(f"chart: {args.png}")
    if stopped:
        sys.exit(130)  # reported, but not the whole run


if __name__ == "__main__":
    main()
