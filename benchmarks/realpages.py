"""Real pages: the production extraction path against trafilatura, per language, in one run.

A *realpages* corpus is a folder ``pages/`` of saved pages ``<id>.html`` (UTF-8) with a ground truth
``<id>.json`` ({id, url|null, lang, title|null, body, with, without, ...}): ``body`` is the article's
text (paragraphs separated by blank lines), or empty when only ``with`` / ``without`` snippets are
known (strings that must / must not appear in the body).

    .venv/bin/python benchmarks/realpages.py --corpus DIR            # the tables
    .venv/bin/python benchmarks/realpages.py --corpus DIR --pages    # and one row per page
    .venv/bin/python benchmarks/realpages.py --corpus DIR --write    # and update docs/benchmarks.md
    .venv/bin/python benchmarks/realpages.py --corpus DIR --show ID  # one page's body, side by side

Extractors, each on the same decoded page text:

- newscrawl: ``newscrawl.page.page_record(url, html, profile)`` (ArticlePage, then the clean step) - the function the
  crawl runs per page (profile selectors when the host has a profile, else ``generic_profile(host)``);
- trafilatura: ``trafilatura.extract(html, url=url)``, defaults;
- trafilatura-precision: the same with ``favor_precision=True``.

Score (the same definition as the corpus's own score.py): character bigrams of NFKC-normalised,
casefolded text with all whitespace removed; precision / recall / F1 of the multiset overlap,
macro-averaged over the pages that have a ``body``.  ``with%`` is the share of ``with`` snippets found,
``leaks`` counts ``without`` snippets present.  ``title`` is the share of pages with a ``title`` in
their JSON whose exported title equals it exactly (after collapsing whitespace).

Cost: the summed time of newscrawl's extraction over the summed time of one plain
``trafilatura.extract`` call, on the same pages in the same run (a ratio; bare times mean little).
"""

from __future__ import annotations

import argparse
import json
import os
import logging
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from statistics import mean
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura  # noqa: E402

from benchmarks.common import command_line, md_table, versions_line, write_section  # noqa: E402
from newscrawl.page import page_record  # noqa: E402
from newscrawl.sites import generic_profile, profile_for_url  # noqa: E402

DEFAULT_CORPUS = os.environ.get("REALPAGES", "")  # a corpus of saved pages with ground truth (pages/*.html + *.json)
PLACEHOLDER_URL = "https://example.com/article"  # for pages saved without their URL


# -- the corpus --------------------------------------------------------------------------------------
def corpus_free(command: str, corpus: str) -> str:
    """The command as docs show it: the corpus folder is the reader's own, not a path of this machine."""
    command = command.replace(f"--corpus {corpus}", "--corpus REALPAGES")
    return command if "--corpus" in command else re.sub(r"(benchmarks/\w+\.py)", r"\1 --corpus REALPAGES", command, 1)


def load_pages(corpus: Path, lang: str | None = None, ids: set[str] | None = None) -> list[dict]:
    folder = corpus / "pages"
    if not folder.is_dir():
        raise SystemExit(f"{corpus}: no pages/ folder (a realpages corpus holds pages/<id>.html and .json)")
    pages = []
    for path in sorted(folder.glob("*.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        if (lang and meta.get("lang") != lang) or (ids and meta["id"] not in ids):
            continue
        meta["html"] = (folder / f"{meta['id']}.html").read_text(encoding="utf-8")
        pages.append(meta)
    return pages


# -- scoring (score.py's definitions) ----------------------------------------------------------------
def norm(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def _bigrams(text: str) -> Counter:
    text = norm(text)
    return Counter(text[i:i + 2] for i in range(len(text) - 1))


def prf(got: str, expected: str) -> tuple[float, float, float]:
    g, e = _bigrams(got), _bigrams(expected)
    overlap = sum((g & e).values())
    p = overlap / sum(g.values()) if g else 0.0
    r = overlap / sum(e.values()) if e else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def title_matches(got: str | None, expected: str) -> bool:
    return " ".join((got or "").split()) == " ".join(expected.split())


# -- the extractors --------------------------------------------------------------------------------
def profile_of(url: str):
    host = (urlsplit(url).hostname or "example.com").lower()
    return profile_for_url(host) or generic_profile(host.removeprefix("www."))


def run_newscrawl(page: dict) -> tuple[str, str | None, dict]:
    url = page.get("url") or PLACEHOLDER_URL
    record, _ = page_record(url, page["html"], profile_of(url))
    if record is None:
        return "", None, {}
    return record["body"], record["title"], record


def run_trafilatura(page: dict) -> tuple[str, str | None, dict]:
    return trafilatura.extract(page["html"], url=page.get("url")) or "", None, {}


def run_trafilatura_precision(page: dict) -> tuple[str, str | None, dict]:
    return trafilatura.extract(page["html"], url=page.get("url"), favor_precision=True) or "", None, {}


EXTRACTORS = {
    "newscrawl": run_newscrawl,
    "trafilatura": run_trafilatura,
    "trafilatura-precision": run_trafilatura_precision,
}


def score_page(page: dict, body: str, title: str | None, seconds: float, record: dict) -> dict:
    row = {"id": page["id"], "lang": page.get("lang", "?"), "seconds": seconds, "body": body,
           "P": None, "R": None, "F1": None, "with": None, "leaks": 0, "leaked": [], "title_ok": None,
           "record": record}
    if page.get("body"):
        row["P"], row["R"], row["F1"] = prf(body, page["body"])
    if page.get("with"):
        got = norm(body)
        row["with"] = sum(norm(s) in got for s in page["with"]) / len(page["with"])
    got = norm(body)
    row["leaked"] = [s for s in page.get("without") or [] if norm(s) in got]
    row["leaks"] = len(row["leaked"])
    if page.get("title") and record is not None and title is not None or (page.get("title") and record == {}):
        row["title_ok"] = title_matches(title, page["title"])
    return row


def run(pages: list[dict], names: list[str]) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {n: [] for n in names}
    for page in pages:
        for name in names:
            start = time.perf_counter()
            try:
                body, title, record = EXTRACTORS[name](page)
            except Exception as exc:  # noqa: BLE001 - a crash scores as an empty body, and is listed
                body, title, record = "", None, {"_error": repr(exc)}
            results[name].append(score_page(page, body, title, time.perf_counter() - start, record))
    return results


# -- reporting ---------------------------------------------------------------------------------------
def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def _mean(rows: list[dict], key: str):
    values = [r[key] for r in rows if r[key] is not None]
    return mean(values) if values else None


def summary(rows: list[dict]) -> dict:
    titled = [r["title_ok"] for r in rows if r["title_ok"] is not None]
    return {
        "pages": len(rows), "body": sum(r["F1"] is not None for r in rows),
        "P": _mean(rows, "P"), "R": _mean(rows, "R"), "F1": _mean(rows, "F1"),
        "snippet": sum(r["with"] is not None for r in rows), "with": _mean(rows, "with"),
        "leaks": sum(r["leaks"] for r in rows), "empty": sum(not r["body"] for r in rows),
        "title": (sum(titled) / len(titled)) if titled else None, "titled": len(titled),
    }


def language_table(results: dict[str, list[dict]]) -> str:
    langs = sorted({r["lang"] for rows in results.values() for r in rows})
    header = ["lang", "extractor", "pages", "body pages", "P", "R", "F1", "snippet pages", "with%", "leaks",
              "no body", "title exact"]
    rows = []
    for lang in langs + ["ALL"]:
        for name, all_rows in results.items():
            s = summary([r for r in all_rows if lang in ("ALL", r["lang"])])
            title = f"{s['title']:.3f} ({s['titled']})" if name == "newscrawl" and s["title"] is not None else "-"
            rows.append([f"**{lang}**" if lang == "ALL" else lang, name, str(s["pages"]), str(s["body"]),
                         _fmt(s["P"]), _fmt(s["R"]), _fmt(s["F1"]), str(s["snippet"]), _fmt(s["with"]),
                         str(s["leaks"]), str(s["empty"]), title])
    return md_table(header, rows, "llrrrrrrrrrr")


def page_table(results: dict[str, list[dict]]) -> str:
    names = list(results)
    header = ["page"] + [f"F1 {n}" for n in names] + [f"with% {n}" for n in names] + ["title ok", "path"]
    rows = []
    for i, row in enumerate(results[names[0]]):
        cells = [row["id"]]
        cells += [_fmt(results[n][i]["F1"]) for n in names]
        cells += [_fmt(results[n][i]["with"]) for n in names]
        ok = results["newscrawl"][i]["title_ok"] if "newscrawl" in results else None
        cells.append("-" if ok is None else ("yes" if ok else "**no**"))
        record = (results["newscrawl"][i].get("record") or {}) if "newscrawl" in results else {}
        chosen = [e.split("/", 1)[1] for e in record.get("_events", []) if e.startswith("candidate/")]
        cells.append(" ".join([str(record.get("_extraction", "-")), *chosen]))
        rows.append(cells)
    return md_table(header, rows, "l" + "r" * (len(header) - 1))


def goals(results: dict[str, list[dict]]) -> list[str]:
    ours, traf = results["newscrawl"], results.get("trafilatura", [])
    lines = []
    by_lang = defaultdict(list)
    for r in ours:
        if r["F1"] is not None:
            by_lang[r["lang"]].append(r)
    if traf:
        worse = []
        for lang, rows in sorted(by_lang.items()):
            if len(rows) < 4:
                continue
            theirs = _mean([t for t in traf if t["lang"] == lang], "F1")
            mine = _mean(rows, "F1")
            worse += [f"{lang} {mine:.3f} < {theirs:.3f}"] if mine < theirs else []
        lines.append(f"- F1 >= trafilatura on every language with >= 4 full-text pages: "
                     f"**{'met' if not worse else 'missed'}**{' (' + ', '.join(worse) + ')' if worse else ''}")
    all_f1 = _mean(ours, "F1")
    ja = [r for r in ours if r["lang"] == "ja"]
    ja_f1 = _mean(ja, "F1")
    if all_f1 is not None:
        lines.append(f"- F1 >= 0.95 on all full-text pages: **{'met' if all_f1 >= 0.95 else 'missed'}** ({all_f1:.3f})")
    if ja_f1 is not None:
        lines.append(f"- F1 >= 0.95 on the Japanese full-text pages: **{'met' if ja_f1 >= 0.95 else 'missed'}** "
                     f"({ja_f1:.3f})")
        ja_with, traf_with = _mean(ja, "with"), _mean([t for t in traf if t["lang"] == "ja"], "with")
        if ja_with is not None and traf_with is not None:
            lines.append(f"- Japanese with% >= trafilatura's: **{'met' if ja_with >= traf_with else 'missed'}** "
                         f"({ja_with:.3f} vs {traf_with:.3f})")
    leaks = sum(r["leaks"] for r in ours)
    lines.append(f"- `without` strings never present: **{'met' if not leaks else 'missed'}** ({leaks} present)")
    titled = [r["title_ok"] for r in ours if r["title_ok"] is not None]
    if titled:
        share = sum(titled) / len(titled)
        lines.append(f"- Exact titles >= 95 %: **{'met' if share >= 0.95 else 'missed'}** "
                     f"({sum(titled)} of {len(titled)}, {share:.1%})")
    if traf:
        ratio = sum(r["seconds"] for r in ours) / max(sum(t["seconds"] for t in traf), 1e-9)
        lines.append(f"- Cost: newscrawl's extraction takes {ratio:.2f}x the time of one plain trafilatura.extract "
                     f"call on the same pages (summed over the run)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="folder holding pages/ (default: $REALPAGES)")
    parser.add_argument("--lang", help="only pages of this language")
    parser.add_argument("--ids", help="only these page ids (comma-separated)")
    parser.add_argument("--only", action="append", choices=list(EXTRACTORS), help="only these extractors")
    parser.add_argument("--pages", action="store_true", help="also print one row per page")
    parser.add_argument("--show", help="print this page's body from every extractor")
    parser.add_argument("--write", action="store_true", help="update the realpages section of docs/benchmarks.md")
    parser.add_argument("--in-sample", default="all",
                        help="which pages the rules were developed on, for the report (default: all)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # trafilatura's chatter about odd pages

    if not args.corpus:
        parser.error("give the corpus: --corpus DIR (or REALPAGES=DIR), a folder holding pages/")
    pages = load_pages(Path(args.corpus), args.lang, set(args.ids.split(",")) if args.ids else None)
    if not pages:
        raise SystemExit("no pages selected")
    names = args.only or list(EXTRACTORS)
    if "newscrawl" not in names:
        names.insert(0, "newscrawl")
    results = run(pages, names)
    if args.show:
        for name in names:
            for row in results[name]:
                if row["id"] == args.show:
                    print(f"===== {name}: F1 {_fmt(row['F1'])}, with {_fmt(row['with'])}, leaked {row['leaked']}\n"
                          f"{row['body']}\n")
    text = ["Per language (macro means over pages):", "", language_table(results), ""]
    if args.pages:
        text += ["Per page:", "", page_table(results), ""]
    errors = [(n, r["id"], r["record"]["_error"]) for n in names for r in results[n]
              if isinstance(r["record"], dict) and "_error" in r["record"]]
    if errors:
        text += ["Extractor errors (scored as empty):", ""] + [f"- {n} on {i}: {e}" for n, i, e in errors] + [""]
    goal_lines = goals(results)
    print("\n".join(text))
    print("\n".join(goal_lines))
    if args.write:
        header = (f"Command: `{corpus_free(command_line(), args.corpus)}`  \n"
                  f"Versions: {versions_line('lxml', 'trafilatura')}  \n"
                  f"Corpus: `{Path(args.corpus).name}/`, {len(pages)} pages. **In-sample: {args.in_sample}** "
                  "(the generic path's rules were developed while looking at these pages).\n\n"
                  "Goals:\n\n" + "\n".join(goal_lines) + "\n")
        write_section("realpages", header + "\n" + "\n".join(text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
