"""The scheduling files of deploy/ (issue 15, finding 3): a systemd timer at 03:10 Korea time, a crontab
written in UTC with `timeout` and `--budget`, a log rotation, and an alert that reaches a person."""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import ROOT, SCRAPY

DEPLOY = ROOT / "deploy"
PROJECT = "/srv/newscrawl"  # where the shipped files expect the project
UNITS = ["newscrawl.service", "newscrawl.timer", "newscrawl-alert@.service", "newscrawl-prune.service",
         "newscrawl-prune.timer"]
SEOUL = ZoneInfo("Asia/Seoul")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"))
    return parser


def seconds(span: str) -> float:
    """A systemd time span (3h, 30min, 2min, 90s, 1h 30min) in seconds."""
    units = {"h": 3600, "min": 60, "m": 60, "s": 1}
    parts = re.findall(r"(\d+)\s*(h|min|m|s)\b", span)
    assert parts and "".join(n + u for n, u in parts) == span.replace(" ", ""), span
    return sum(int(n) * units[u] for n, u in parts)


def budget_of(command: str) -> float:
    return float(re.search(r"--budget (\d+)", command)[1])


# -- systemd ---------------------------------------------------------------------------------------------
def test_the_timer_fires_at_0310_korea_time_and_catches_up_missed_nights():
    timer = unit("newscrawl.timer")["Timer"]
    assert timer["OnCalendar"] == "*-*-* 03:10 Asia/Seoul"
    assert timer["Persistent"] == "true" and timer["Unit"] == "newscrawl.service"
    assert unit("newscrawl.timer")["Install"]["WantedBy"] == "timers.target"


def test_the_service_is_a_oneshot_with_a_time_limit_beyond_its_budget_and_an_alert():
    service = unit("newscrawl.service")
    run = service["Service"]
    assert run["Type"] == "oneshot"
    assert re.fullmatch(rf"{PROJECT}/\.venv/bin/scrapy crawlall --budget \d+", run["ExecStart"])
    # the budget closes sites cleanly first; the time limit only kills what still hangs
    assert seconds(run["TimeoutStartSec"]) > budget_of(run["ExecStart"]) + 600
    alert = service["Unit"]["OnFailure"]
    assert alert == "newscrawl-alert@%n.service" and (DEPLOY / "newscrawl-alert@.service").exists()
    assert unit("newscrawl-alert@.service")["Service"]["ExecStart"] == f"{PROJECT}/deploy/alert %i"
    assert unit("newscrawl-prune.service")["Unit"]["OnFailure"] == alert


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_every_unit(tmp_path):
    """`systemd-analyze verify` on the units, the project path pointed at this checkout's executables."""
    root = tmp_path / "newscrawl"
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / "deploy").mkdir()
    for name in ("scrapy", "python"):
        (root / ".venv" / "bin" / name).symlink_to(Path(SCRAPY).parent / name)
    (root / "deploy" / "alert").symlink_to(DEPLOY / "alert")
    for name in UNITS:
        (tmp_path / name).write_text((DEPLOY / name).read_text(encoding="utf-8").replace(PROJECT, str(root)),
                                     encoding="utf-8")
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", *(f"./{n}" for n in UNITS)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr  # unknown keys are only warnings: none
    calendar = subprocess.run(["systemd-analyze", "calendar", "*-*-* 03:10 Asia/Seoul"], capture_output=True,
                              text=True, timeout=60)
    assert calendar.returncode == 0 and "03:10:00 Asia/Seoul" in calendar.stdout


# -- cron --------------------------------------------------------------------------------------------------
def cron_jobs() -> tuple[dict[str, str], list[tuple[list[str], str]]]:
    """(the variables, [(the five time fields, the command)]) of deploy/crontab."""
    variables, jobs = {}, []
    for line in (DEPLOY / "crontab").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            name, value = line.split("=", 1)
            variables[name] = value
            continue
        fields = line.split(None, 5)
        jobs.append((fields[:5], fields[5]))
    return variables, jobs


def test_the_crontab_is_written_in_utc_for_0310_korea_time():
    variables, jobs = cron_jobs()
    assert "CRON_TZ" not in variables and "TZ" not in variables  # Debian's cron ignores them
    (minute, hour, dom, month, dow), command = jobs[0]
    assert (dom, month, dow) == ("*", "*", "*") and "crawlall" in command
    utc = datetime(2025, 12, 4, int(hour), int(minute), tzinfo=timezone.utc)
    assert utc.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M") == "2025-12-05 03:10"  # the night of the 5th
    # Korea keeps no daylight saving time: the same UTC hour all year
    assert {datetime(2025, m, 1, tzinfo=SEOUL).utcoffset() for m in range(1, 13)} == {timedelta(hours=9)}


def test_the_cron_line_is_bounded_and_mails_only_a_failure():
    variables, jobs = cron_jobs()
    assert re.fullmatch(r"\S+@\S+", variables["MAILTO"])
    _, command = jobs[0]
    limit = re.search(r"\btimeout (?:--kill-after=\S+ )?(\d+)h\b", command)
    assert limit and "--budget" in command
    assert int(limit[1]) * 3600 > budget_of(command) + 600
    assert "flock" not in command  # crawlall takes its own lock
    assert ">> data/crawlall.log 2>&1 ||" in command  # output to the log; only the failure line reaches MAILTO
    assert all("%" not in cmd for _, cmd in jobs)  # cron turns % into newlines
    prune = [cmd for _, cmd in jobs if "newscrawl.data prune" in cmd]
    assert prune and "--keep-days" in prune[0]


def test_the_cron_command_runs_and_says_its_failure(tmp_path):
    """The night's command itself, in a copy of the project layout, with a crawl that fails (no archive)."""
    _, jobs = cron_jobs()
    command = jobs[0][1].replace(PROJECT, str(tmp_path)).replace("3h", "60s")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "scrapy").write_text(
        f"#!/bin/sh\ncd {ROOT} && exec {SCRAPY} \"$@\" -s NEWSCRAWL_REPLAY={tmp_path / 'missing.warc.gz'}\n")
    (tmp_path / ".venv" / "bin" / "scrapy").chmod(0o755)
    (tmp_path / "data").mkdir()
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True, timeout=120)
    assert re.fullmatch(r"newscrawl night FAILED with exit status [1-9]\d* on \S+; see \S+crawlall\.log\n",
                        proc.stdout), proc.stdout
    assert "NEWSCRAWL_REPLAY" in (tmp_path / "data" / "crawlall.log").read_text()


def test_logrotate_rotates_the_log_the_crontab_writes():
    text = (DEPLOY / "logrotate").read_text(encoding="utf-8")
    assert f"{PROJECT}/data/crawlall.log {{" in text
    for directive in ("copytruncate", "compress", "missingok", "notifempty"):
        assert re.search(rf"^\s+{directive}$", text, re.M), directive
    assert re.search(r"^\s+rotate \d+$", text, re.M) and re.search(r"^\s+su newscrawl newscrawl$", text, re.M)


# -- the alert ---------------------------------------------------------------------------------------------
class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def _stubs(tmp: Path) -> Path:
    """systemctl, journalctl and mail as the alert uses them, recording what they were given."""
    bin_ = tmp / "bin"
    bin_.mkdir()
    scripts = {
        "systemctl": "echo 3",
        "journalctl": "echo 'Dec 05 03:41 scrapy: newscrawl: run FAILED for kbs'",
        "mail": f'echo "$@" > {tmp}/mail.args; cat > {tmp}/mail.body',
    }
    for name, body in scripts.items():
        (bin_ / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_ / name).chmod(0o755)
    return bin_


def _alert(tmp: Path, **env) -> subprocess.CompletedProcess:
    path = f"{_stubs(tmp)}:{os.environ['PATH']}"
    full = {"PATH": path, "HOME": str(tmp), **env}
    return subprocess.run([str(DEPLOY / "alert"), "newscrawl.service"], env=full, capture_output=True, text=True,
                          timeout=60)


def test_the_alert_mails_a_person(tmp_path):
    proc = _alert(tmp_path, ALERT_MAIL="ops@example.org")
    assert proc.returncode == 0, proc.stderr
    args = (tmp_path / "mail.args").read_text()
    assert args.startswith("-s newscrawl FAILED on ") and "status 3" in args and args.strip().endswith("ops@example.org")
    assert "run FAILED for kbs" in (tmp_path / "mail.body").read_text()


def test_the_alert_posts_to_a_webhook(tmp_path):
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        proc = _alert(tmp_path, ALERT_WEBHOOK=f"http://127.0.0.1:{server.server_port}/hook")
    finally:
        server.shutdown()
    assert proc.returncode == 0, proc.stderr
    [(content_type, payload)] = _Hook.received
    assert content_type == "application/json"
    assert "newscrawl.service exited with status 3" in payload["text"] and "run FAILED for kbs" in payload["text"]


def test_an_alert_that_reaches_nobody_fails_loudly(tmp_path):
    proc = _alert(tmp_path)
    assert proc.returncode == 1 and "nobody was told" in proc.stderr
