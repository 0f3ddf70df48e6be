"""The benchmark, in one run: `make bench` (options: `python bench/run.py --help`).

For each database (SQLite, PostgreSQL) and scale (1 and 20) it generates the
data once (`flask generate-data`, kept under bench/data/), starts the app under
gunicorn on loopback and measures, with wrk, the public tender board, a case
page, the council's outcome monitor, portfolio and databook, and a coalition's
indicator page against the bare baseline route of the same server, once as served (page bodies from
the cache) and once with the cache off (every page built: the cost after each
write); it samples the workers' memory.
Then, per database: a submission burst of 200 coalitions from 20 clients
within 30 seconds, and a CSV import of 10,000 measurements against a bare bulk
insert of the same rows. Results go to bench/results/<time>.json and a
Markdown table is printed for the README.
"""

import argparse
import contextlib
import http.cookiejar
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
PASSWORD = "synthetic-benchmark-password"
PAGES = ("baseline", "tender_board", "case_page", "outcome_monitor", "coalition_indicators", "portfolio", "databook")
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
DATA_VERSION = 2  # what generate-data fills; a data set of another version is made again (2: the agenda too)
WRITERS = 20  # coalitions reporting in the mixed scenario
WRITE_RATE = 20  # values a second in the mixed scenario, a quarter through the web form, the rest through the API


def scale_tag(scale: float) -> str:
    return f"{scale:g}".replace(".", "_")


def database_url(db: str, scale: float) -> str:
    if db == "sqlite":
        return f"sqlite:///{DATA}/sqlite-{scale_tag(scale)}.sqlite3"
    return f"{PG}tendering_bench_{scale_tag(scale)}"


def app_env(url: str, **extra: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "benchmark-only-secret",
        "SESSION_COOKIE_SECURE": "0",
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def flask(url: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=app_env(url),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def prepare(db: str, scale: float) -> dict:
    """Generate the data set once; later runs reuse it (delete bench/data to start over)."""
    DATA.mkdir(parents=True, exist_ok=True)
    marker = DATA / f"{db}-{scale_tag(scale)}.json"
    url = database_url(db, scale)
    if marker.exists() and json.loads(marker.read_text()).get("version") == DATA_VERSION:
        flask(url, "init-db")  # newer migrations since the data was made
        return json.loads(marker.read_text())
    if db == "sqlite":
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[1]
        subprocess.run(
            [
                "psql",
                "-q",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-c",
                f"DROP DATABASE IF EXISTS {name}",
                "-c",
                f"CREATE DATABASE {name}",
            ],
            check=True,
        )
    flask(url, "init-db")
    started = time.monotonic()
    summary = flask(url, "generate-data", "--scale", str(scale)).strip().splitlines()[-1]
    info = {"generated": summary, "generation_seconds": round(time.monotonic() - started, 1), "version": DATA_VERSION}
    marker.write_text(json.dumps(info))
    return info


def targets(url: str) -> dict:
    """Who logs in and which pages they load: a realised case, its owner, a council member, the winner's member, and
    the agenda of today; and the writers of the mixed scenario: up to WRITERS coalitions that report, each with a
    member, an API token (made here, once per data set) and its indicators' latest started periods."""
    code = """
import json
from sqlmodel import Session, select
from tendering import db
from tendering.agenda import agendas
from tendering.models import Agreement, ApiToken, Case, Coalition, Indicator, Role, User, utcnow
from tendering.realisation import api_tokens, measurements
from wsgi import app
today = utcnow().date()
with app.app_context(), Session(db.engine()) as s:
    concluded = s.exec(select(Agreement).where(Agreement.concluded_at.is_not(None)).order_by(Agreement.id)).all()
    def lead_of(agreement):
        return s.exec(select(User).join(Coalition, Coalition.lead_organisation_id == User.organisation_id)
                      .where(Coalition.id == agreement.coalition_id).order_by(User.id)).first()
    agreement = concluded[0]
    case = s.get(Case, agreement.case_id)
    council = s.exec(select(User).where(User.role == Role.council_member).order_by(User.id)).first()
    agenda = agendas.current(s, today)
    writers = []
    for other in concluded:
        lead = lead_of(other)
        reporting = measurements.reporting_for(s, other.coalition_id, lead)
        if not reporting.open:
            continue
        for old in s.exec(select(ApiToken).where(ApiToken.coalition_id == other.coalition_id,
                                                 ApiToken.name == "bench")).all():
            api_tokens.revoke(s, reporting, old.id, actor=lead)
        _token, secret = api_tokens.create(s, reporting, actor=lead, name="bench")
        periods = []
        for indicator in s.exec(select(Indicator).where(Indicator.agreement_id == other.id)).all():
            started = measurements.reportable_periods(indicator, other, today)
            if started:
                periods.append([indicator.id, started[-1].starts_on.isoformat()])
        if periods:
            writers.append({"coalition": other.coalition_id, "member": lead.email, "token": secret,
                            "indicators": periods})
        if len(writers) == WRITERS:
            break
    s.commit()
    print(json.dumps({"case": case.id, "owner": s.get(User, case.owner_id).email, "council": council.email,
                      "coalition": agreement.coalition_id, "member": lead_of(agreement).email, "agenda": agenda.id,
                      "writers": writers}))
""".replace("WRITERS", str(WRITERS))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=app_env(url), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn on loopback, as in production (sync workers, one per core)."""

    app, ready = "wsgi:app", "/healthz"

    def __init__(self, url: str, port: int, workers: int, **env: str):
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                self.app,
            ],
            cwd=ROOT,
            env=app_env(url, **env),
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + self.ready, timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def max_worker_rss(self) -> int:
        import psutil

        return max((c.memory_info().rss for c in psutil.Process(self.process.pid).children()), default=0)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


class Writers:
    """Coalitions reporting values while the pages are measured: WRITE_RATE a second in all, from four threads on
    a fixed schedule, each value a new one or a correction of the latest period, a quarter of them through the web
    form (logged in, with its CSRF token) and the rest through the API."""

    def __init__(self, base: str, writers: list[dict], rate: float):
        import random

        self.base, self.rate, self.random = base, rate, random.Random(7)
        self.writers = writers
        self.browsers = {w["coalition"]: Browser(base).login(w["member"]) for w in writers}
        self.stop_flag, self.threads = threading.Event(), []
        self.statuses: dict[int, int] = {}
        self.latencies: list[float] = []
        self.lock = threading.Lock()

    def _write(self, number: int) -> int:
        writer = self.random.choice(self.writers)
        indicator_id, period = self.random.choice(writer["indicators"])
        value = round(self.random.uniform(1, 100), 2)
        if number % 4 == 0:
            browser = self.browsers[writer["coalition"]]
            path = f"/coalitions/{writer['coalition']}/indicators/{indicator_id}"
            _status, page = browser.get(path)
            status, _body = browser.post(
                path + "/measurements",
                {
                    "csrf_token": Browser.token(page),
                    "period": period,
                    "value": str(value),
                    "source": "bench",
                    "correction_reason": "Benchmark",
                },
            )
            return status
        request = urllib.request.Request(
            f"{self.base}/api/v1/indicators/{indicator_id}/measurements",
            data=json.dumps({"period": period, "value": value, "correction_reason": "Benchmark"}).encode(),
            headers={"Authorization": f"Bearer {writer['token']}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def _run(self, offset: int, threads: int):
        interval, number, due = threads / self.rate, offset, time.monotonic() + offset / self.rate
        while not self.stop_flag.is_set():
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            started = time.monotonic()
            status = self._write(number)
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                self.latencies.append((time.monotonic() - started) * 1000)
            number, due = number + threads, due + interval

    def __enter__(self):
        self.started = time.monotonic()
        self.threads = [threading.Thread(target=self._run, args=(i, 4), daemon=True) for i in range(4)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc):
        self.stop_flag.set()
        for thread in self.threads:
            thread.join()
        self.seconds = time.monotonic() - self.started

    def report(self) -> dict:
        ordered = sorted(self.latencies)
        return {
            "writes": len(ordered),
            "writes_per_second": round(len(ordered) / self.seconds, 1),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "write_p95_ms": round(ordered[int(len(ordered) * 0.95)] if ordered else 0, 1),
        }


class Browser:
    """A logged-in session with cookies and the CSRF token of the last page."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, urllib.parse.urlencode(data).encode(), timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    @staticmethod
    def token(html: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def login(self, email: str) -> "Browser":
        _status, page = self.get("/login")
        status, _page = self.post("/login", {"email": email, "password": PASSWORD, "csrf_token": self.token(page)})
        if status != 200:
            raise RuntimeError(f"login failed for {email}: {status}")
        return self

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


class Bare(Server):
    """The bare Flask app of bench/bare_app.py, on the same database."""

    app, ready = "bench.bare_app:app", "/baseline"


def wrk(url: str, cookie: str | None, seconds: int, connections: int) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "latency.lua"),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    return json.loads(next(line for line in reversed(out.splitlines()) if line.startswith("{")))


def drain(base: str) -> None:
    """Wait until the server has worked off what the last load left queued (wrk stops with requests still in the
    workers' backlog; a slow page would otherwise be charged to the next one measured)."""
    for _ in range(60):
        started = time.monotonic()
        try:
            urllib.request.urlopen(base + "/healthz", timeout=15).read()
        except OSError:
            pass
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.25)


def median(measured: list[dict]) -> dict:
    return {key: statistics.median(m[key] for m in measured) for key in ("rps", "p50_ms", "p95_ms", "p99_ms")}


def page_paths(who: dict, sessions: dict) -> dict[str, tuple[str, str | None]]:
    """Every page of PAGES: its path and the cookie of who loads it (None: the public)."""
    return {
        "baseline": ("/baseline", None),
        "tender_board": ("/", None),
        "case_page": (f"/cases/{who['case']}", sessions["owner"]),
        "outcome_monitor": ("/monitor", sessions["council"]),
        "coalition_indicators": (f"/coalitions/{who['coalition']}/indicators", sessions["member"]),
        "portfolio": ("/portfolio", sessions["council"]),
        "databook": (f"/agenda/{who['agenda']}/databook", sessions["council"]),
    }


def measure_pages(db: str, scale: float, args, *, cached: bool = True, writes: bool = False) -> dict:
    """Every page under load; `cached=False` turns the page-body cache off, to show what building a page costs;
    `writes` has coalitions report WRITE_RATE values a second meanwhile (the mixed scenario). The plain run measures
    the bare Flask app beside the pages."""
    url = database_url(db, scale)
    who = targets(url)
    server = Server(url, args.port, args.workers, **({} if cached else {"FRAGMENT_CACHE_ENTRIES": "0"}))
    bare = Bare(url, args.port + 1, args.workers) if cached and not writes else None
    try:
        sessions = {role: Browser(server.base).login(who[role]).cookie() for role in ("owner", "council", "member")}
        paths = page_paths(who, sessions)
        peak, stop = [0], threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], server.max_worker_rss())
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        for path, cookie in paths.values():
            wrk(server.base + path, cookie, 2, args.connections)  # warm up
            drain(server.base)
        # Rounds through every page, so the baseline and the pages share whatever else the machine is doing;
        # each figure is the median over the rounds.
        rounds, seconds = (args.rounds, args.seconds) if cached else (1, max(args.seconds // 2, 3))
        runs = {page: [] for page in paths}
        if bare:
            runs["bare_flask"] = []
        writers = Writers(server.base, who["writers"], WRITE_RATE) if writes else contextlib.nullcontext()
        with writers:
            for _round in range(rounds):
                for page, (path, cookie) in paths.items():
                    runs[page].append(wrk(server.base + path, cookie, seconds, args.connections))
                    drain(server.base)
                if bare:
                    runs["bare_flask"].append(wrk(bare.base + "/baseline", None, seconds, args.connections))
        found = {page: {**median(measured), "rounds": measured} for page, measured in runs.items()}
        stop.set()
        sampler.join()
        result = {"pages": found, "peak_worker_rss_mb": round(peak[0] / 2**20, 1)}
        if writes:
            result["writes"] = writers.report()
        return result
    finally:
        server.stop()
        if bare:
            bare.stop()


def burst(db: str, args) -> dict:
    """200 coalitions, complete drafts, 20 clients; the deadline falls 30 s after the start; 10 try just after it."""
    url = database_url(db, 1)
    setup = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "burst_setup.py")],
        cwd=ROOT,
        env=app_env(url),
        capture_output=True,
        text=True,
        check=True,
    )
    plan = json.loads(setup.stdout.strip().splitlines()[-1])
    server = Server(url, args.port, args.workers)
    results, lock = [], threading.Lock()
    start = plan["start_epoch"]  # the window opens 30 s before the deadline
    deadline_in = plan["deadline_in_seconds"]
    try:

        def client(jobs):
            ready = []
            for coalition_id, email, at in sorted(jobs, key=lambda job: job[2]):  # log in and open the proposal first
                browser = Browser(server.base).login(email)
                _s, page = browser.get(f"/coalitions/{coalition_id}/proposal")
                ready.append((coalition_id, at, browser, page))
            for coalition_id, at, browser, page in ready:
                delay = start + at - time.time()
                if delay > 0:
                    time.sleep(delay)
                token = Browser.token(page)
                status, body = browser.post(f"/coalitions/{coalition_id}/proposal/submit", {"csrf_token": token})
                receipt = re.search(r'id="receipt-sha"[^>]*>([0-9a-f]{64})<', body)
                with lock:
                    results.append(
                        {
                            "coalition": coalition_id,
                            "status": status,
                            "late": at > deadline_in,
                            "receipt": receipt.group(1) if receipt else None,
                        }
                    )

        jobs = plan["jobs"]
        threads = [threading.Thread(target=client, args=(jobs[i::20],)) for i in range(20)]  # 20 concurrent clients
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    check = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "burst_setup.py"), "--verify", str(plan["case"])],
        cwd=ROOT,
        env=app_env(url),
        capture_output=True,
        text=True,
        check=True,
    )
    stored = json.loads(check.stdout.strip().splitlines()[-1])
    client_receipts = {r["coalition"]: r["receipt"] for r in results if r["receipt"]}
    return {
        "coalitions": len(jobs),
        "clients": 20,
        "window_seconds": deadline_in,
        "attempted_after_deadline": sum(r["late"] for r in results),
        "stored": stored["stored"],
        "refused": sum(1 for r in results if not r["receipt"] and r["status"] < 500),
        "server_errors": sum(1 for r in results if r["status"] >= 500),
        "stored_after_deadline": stored["after_deadline"],
        "receipts_recomputed_ok": stored["receipts_ok"],
        "receipts_match_clients": all(stored["receipts"].get(str(k)) == v for k, v in client_receipts.items()),
    }


def csv_import(db: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "import_timing.py")],
        cwd=ROOT,
        env=app_env(database_url(db, 1)),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    import psutil

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def table(result: dict) -> str:
    lines = [
        "| database | scale | page | req/s | p50 ms | p95 ms | p99 ms | × baseline req/s | p95 scale 20 / scale 1 "
        "| built: req/s | built: p95 ms | built: × baseline | built: p95 growth |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for db, scales in result["databases"].items():
        for scale, data in scales["scales"].items():
            base, built_base = data["pages"]["baseline"]["rps"], data["built_pages"]["baseline"]["rps"]
            for page in PAGES:
                m, b = data["pages"][page], data["built_pages"][page]
                lines.append(
                    f"| {db} | {scale} | {page} | {m['rps']:.0f} | {m['p50_ms']:.1f} | {m['p95_ms']:.1f} | {m['p99_ms']:.1f} | "
                    f"{m['rps'] / base:.2f} | {scales.get('p95_growth', {}).get(page, '')} | {b['rps']:.0f} | "
                    f"{b['p95_ms']:.1f} | {b['rps'] / built_base:.2f} | {scales.get('built_p95_growth', {}).get(page, '')} |"
                )
    lines += [
        "",
        f"While coalitions report {WRITE_RATE} values a second (a quarter through the web form):",
        "",
        "| database | scale | page | req/s | × baseline req/s | p95 ms | p95 / without writes | writes/s | write p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for db, scales in result["databases"].items():
        for scale, data in scales["scales"].items():
            mixed, quiet, w = data["mixed_pages"], data["pages"], data["writes"]
            for page, m in mixed.items():
                lines.append(
                    f"| {db} | {scale} | {page} | {m['rps']:.0f} | {m['rps'] / mixed['baseline']['rps']:.2f} | "
                    f"{m['p95_ms']:.1f} | {m['p95_ms'] / quiet[page]['p95_ms']:.2f} | {w['writes_per_second']} | "
                    f"{w['write_p95_ms']} |"
                )
    lines += ["", "| database | scale | /baseline req/s | bare Flask req/s | × bare |", "|---|---|---|---|---|"]
    for db, scales in result["databases"].items():
        for scale, data in scales["scales"].items():
            app_rps, bare_rps = data["pages"]["baseline"]["rps"], data["pages"]["bare_flask"]["rps"]
            lines.append(f"| {db} | {scale} | {app_rps:.0f} | {bare_rps:.0f} | {app_rps / bare_rps:.2f} |")
    for db, scales in result["databases"].items():
        if "burst" in scales:
            lines.append(f"\n{db}: burst {json.dumps(scales['burst'])}; CSV import {json.dumps(scales['csv_import'])}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--scales", nargs="+", type=float, default=[1, 20])
    parser.add_argument("--seconds", type=int, default=5, help="load per page and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds through every page; the median counts")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-burst", action="store_true", help="only the pages")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    result = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "workers": args.workers,
        "seconds_per_page": args.seconds,
        "rounds": args.rounds,
        "connections": args.connections,
        "databases": {},
    }
    for db in args.databases:
        entry = {"scales": {}}
        for scale in args.scales:
            print(f"== {db} scale {scale}: data", flush=True)
            info = prepare(db, scale)
            print(f"== {db} scale {scale}: pages", flush=True)
            pages = measure_pages(db, scale, args)
            built = measure_pages(db, scale, args, cached=False)
            print(f"== {db} scale {scale}: pages while coalitions report {WRITE_RATE} values a second", flush=True)
            mixed = measure_pages(db, scale, args, writes=True)
            entry["scales"][f"{scale:g}"] = {
                **info,
                **pages,
                "built_pages": built["pages"],
                "mixed_pages": mixed["pages"],
                "writes": mixed["writes"],
                "peak_worker_rss_mb": max(run["peak_worker_rss_mb"] for run in (pages, built, mixed)),
            }
        if len(args.scales) > 1:
            low, high = entry["scales"][f"{min(args.scales):g}"], entry["scales"][f"{max(args.scales):g}"]
            for kind, growth in (("pages", "p95_growth"), ("built_pages", "built_p95_growth")):
                entry[growth] = {p: round(high[kind][p]["p95_ms"] / low[kind][p]["p95_ms"], 2) for p in PAGES}
        if 1 in args.scales and not args.skip_burst:
            print(f"== {db}: burst and import", flush=True)
            entry["burst"] = burst(db, args)
            entry["csv_import"] = csv_import(db)
        result["databases"][db] = entry
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{result['started'].replace(':', '')}.json"
    out.write_text(json.dumps(result, indent=2))
    print(table(result))
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
