"""One run at a time: advisory lock files under the data folder.

``flock`` is released by the kernel when its holder dies, so a lock file left by a killed run is
detected as stale (the file is there, nobody holds it) and taken over, with a log line naming the
dead run.  ``crawlall`` holds ``crawlall.lock`` and, like a single ``scrapy crawl``, one
``locks/<site>.lock`` per site it runs, so that two runs never export the same site at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from pathlib import Path


class RunLock:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fh = None
        self.previous: dict | None = None  # what the lock file said when we took it (a stale run)

    @property
    def held(self) -> bool:
        """True between a successful acquire() and release()."""
        return self._fh is not None

    def holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            return False
        fh.seek(0)
        text = fh.read()
        if text.strip():
            try:
                self.previous = json.loads(text)
            except ValueError:
                self.previous = {"raw": text[:200]}
        fh.seek(0)
        fh.truncate()
        command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv[:4]))
        fh.write(json.dumps({"pid": os.getpid(), "command": command,
                             "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}))
        fh.flush()
        self._fh = fh
        return True

    def release(self) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.flush()
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
