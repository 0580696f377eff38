"""`make bench`: every benchmark the issues name, each beside the reference it is compared to
in the same run. Prints a table, writes build/bench.json and build/bench.md.

    python tools/bench.py --agents 100000 --orders 1000000 [--backend sqlite|postgresql|both] [--only WORD]

Benchmarks live in bench/*.py: each module defines `BENCHMARKS`, a list of functions
`fn(ctx) -> list[Result]`. Each function runs in its own subprocess, so that its peak memory
(ru_maxrss) is its own. The dataset (the demo company at the requested size) is built once per
backend before the benchmarks run, and its build time is itself a benchmark.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BUILD = ROOT / "build"
DEFAULT_PG = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass
class Result:
    name: str
    seconds: float
    reference: str
    reference_seconds: float | None
    ratio: float | None = None
    peak_mb: float | None = None
    backend: str = ""
    note: str = ""
    target: str = ""

    def finish(self) -> "Result":
        if self.reference_seconds:
            self.ratio = round(self.seconds / self.reference_seconds, 3)
        return self


@dataclass
class Context:
    backend: str
    url: str
    agents: int
    orders: int
    extra: dict = field(default_factory=dict)

    def app(self):
        from app import create_app
        from config import Config

        return create_app(Config, SQLALCHEMY_DATABASE_URI=self.url)


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed(fn, *args, repeat: int = 1, **kwargs) -> tuple[float, object]:
    """Best wall time of `repeat` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - started)
    return best, result


def _modules():
    """Benchmark modules, ordered by their ORDER (default 50), then by name."""
    modules = [importlib.import_module(f"bench.{path.stem}") for path in (ROOT / "bench").glob("*.py")
               if not path.name.startswith("_")]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


def run_one(spec: str, ctx: Context) -> list[dict]:
    module_name, fn_name = spec.split(":")
    fn = getattr(importlib.import_module(module_name), fn_name)
    results = fn(ctx)
    out = []
    for r in results:
        r.backend = ctx.backend
        if r.peak_mb is None:
            r.peak_mb = peak_mb()
        out.append(asdict(r.finish()))
    return out


def prepare(ctx: Context) -> list[dict]:
    """Build the dataset: a fresh database, migrated, with the demo company at the asked size."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from channel.services.demo import load_demo

    if ctx.backend == "sqlite":
        path = Path(ctx.url.replace("sqlite:///", ""))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        admin = create_engine(DEFAULT_PG, isolation_level="AUTOCOMMIT")
        name = ctx.url.rsplit("/", 1)[1]
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    app = ctx.app()
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        from datetime import date

        load_demo(agents=ctx.agents, orders=ctx.orders, seed=7, until=date(2026, 10, 31))
        seconds = time.perf_counter() - started
        from models import db

        if ctx.backend == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            with db.engine.connect() as connection:
                connection.execute(text("ANALYZE"))
    result = Result(f"demo load {ctx.agents:,} agents / {ctx.orders:,} order lines", seconds,
                    "target: 120 s (issue #2)", 120.0, backend=ctx.backend)
    result.peak_mb = peak_mb()
    return [asdict(result.finish())]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=10000)
    parser.add_argument("--orders", type=int, default=100000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--only", default="", help="run only benchmarks whose function name contains this")
    parser.add_argument("--run-one", default="", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--skip-prepare", action="store_true", help="reuse the dataset of the previous run")
    args = parser.parse_args()

    if args.run_one or args.prepare:
        ctx = Context(args.backend, args.url, args.agents, args.orders)
        out = prepare(ctx) if args.prepare else run_one(args.run_one, ctx)
        print("BENCH-JSON " + json.dumps(out))
        return

    BUILD.mkdir(exist_ok=True)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results: list[dict] = []
    for backend in backends:
        if backend == "postgresql" and not _postgres_up():
            print("PostgreSQL not reachable: PostgreSQL benchmarks SKIPPED")
            continue
        url = (f"sqlite:///{BUILD / 'bench.sqlite3'}" if backend == "sqlite"
               else DEFAULT_PG.rsplit("/", 1)[0] + "/qudao_bench")
        base = [sys.executable, str(Path(__file__)), "--backend", backend, "--url", url,
                "--agents", str(args.agents), "--orders", str(args.orders)]
        steps = [] if args.skip_prepare else [base + ["--prepare"]]
        for module in _modules():
            for fn in getattr(module, "BENCHMARKS", []):
                if args.only and args.only not in fn.__name__:
                    continue
                steps.append(base + ["--run-one", f"{module.__name__}:{fn.__name__}"])
        for step in steps:
            label = step[-1] if not step[-1].startswith("--") else "prepare dataset"
            print(f"[{backend}] {label} ...", flush=True)
            proc = subprocess.run(step, capture_output=True, text=True, cwd=ROOT)
            line = next((l for l in proc.stdout.splitlines() if l.startswith("BENCH-JSON ")), None)
            if proc.returncode != 0 or line is None:
                print(proc.stdout[-2000:], proc.stderr[-4000:], sep="\n")
                raise SystemExit(f"benchmark step failed: {label}")
            for r in json.loads(line[len("BENCH-JSON "):]):
                results.append(r)
                _print_row(r)
    machine = _machine()
    (BUILD / "bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    (BUILD / "bench.md").write_text(_markdown(results, machine, args))
    print(f"\nwrote {BUILD / 'bench.json'} and {BUILD / 'bench.md'}")


def _postgres_up() -> bool:
    from sqlalchemy import create_engine, text

    try:
        with create_engine(DEFAULT_PG, connect_args={"connect_timeout": 3}).connect() as c:
            c.execute(text("select 1"))
        return True
    except Exception:  # noqa: BLE001
        return False


def _print_row(r: dict) -> None:
    ratio = f"{r['ratio']:.2f}x" if r.get("ratio") is not None else "-"
    ref = f"{r['reference_seconds']:.4f}s" if r.get("reference_seconds") is not None else "-"
    print(f"  {r['backend']:<10} {r['name'][:60]:<60} {r['seconds']:>10.4f}s  ref {ref:>10} ({r['reference'][:50]})  ratio {ratio:>8}  peak {r['peak_mb']} MB")


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.node()} · {os.cpu_count()} cores · {cpu} · {mem:.0f} GiB · Python {platform.python_version()} · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"


def _markdown(results: list[dict], machine: str, args) -> str:
    lines = [f"Machine: {machine}", f"Dataset: {args.agents:,} agents, {args.orders:,} order lines", "",
             "| backend | benchmark | seconds | reference | reference s | ratio | peak MB |",
             "| --- | --- | ---: | --- | ---: | ---: | ---: |"]
    for r in results:
        ratio = f"{r['ratio']:.2f}" if r.get("ratio") is not None else ""
        ref_s = f"{r['reference_seconds']:.4f}" if r.get("reference_seconds") is not None else ""
        lines.append(f"| {r['backend']} | {r['name']} | {r['seconds']:.4f} | {r['reference']} | {ref_s} | {ratio} | {r['peak_mb']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
