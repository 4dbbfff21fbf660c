"""The report's own errors (the caller logs the one-line message; the CLI exits 2)."""


class ReportUnavailable(Exception):
    """A library the report needs is not installed; the message says what to install."""

    @classmethod
    def missing(cls, what: str, exc: ImportError) -> "ReportUnavailable":
        return cls(f"the report needs {what} ({exc}): pip install 'newscrawl[report]'")
