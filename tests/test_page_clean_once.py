"""The clean step reuses the clean result ArticlePage computed when it checked the container it chose
(newscrawl/page/finish.py, CLEANED): the record is exactly what cleaning afresh gives (profile path on
every fixture site, generic path and JSON-LD articleBody on the real pages), the fragment is cleaned
once instead of twice, and a result computed from other inputs is never reused."""

from __future__ import annotations

import copy

import pytest

import newscrawl.page.article as article_module
import newscrawl.page.finish as finish_module
from newscrawl.page import ArticlePage, PageInputs, finish_article
from newscrawl.items import DECLARED
from newscrawl.page.finish import CLEANED
from newscrawl.replay.build import fixture_responses
from newscrawl.sites import all_profiles
from benchmarks.realpages import PLACEHOLDER_URL, load_pages, profile_of
from tests.helpers import SITE_FIXTURES
from tests.test_realpages import CORPUS


def _fixture_articles():
    for key, profile in sorted(all_profiles().items()):
        folder = SITE_FIXTURES / key
        if not (folder / "site.toml").exists():
            continue
        for served in fixture_responses(folder):
            content_type = dict((k.lower(), v) for k, v in served.headers).get("content-type", "")
            if served.status == 200 and "html" in content_type and profile.is_article_url(served.url):
                yield profile, PageInputs(served.url, served.body, {"content-type": content_type})


@pytest.fixture
def clean_calls(monkeypatch):
    """How many times the clean function runs, from ArticlePage (the check) and from the clean step."""
    calls = []

    def counting(original, where):
        def clean_body(*args, **kwargs):
            calls.append(where)
            return original(*args, **kwargs)
        return clean_body

    monkeypatch.setattr(article_module, "clean_body", counting(article_module.clean_body, "check"))
    monkeypatch.setattr(finish_module, "clean_body", counting(finish_module.clean_body, "step"))
    return calls


def _real_pages():
    for page in load_pages(CORPUS):
        url = page.get("url") or PLACEHOLDER_URL
        yield profile_of(url), PageInputs(url, page["html"].encode("utf-8"),
                                          {"content-type": "text/html; charset=utf-8"})


def _item(profile, inputs, **kwargs):
    result = ArticlePage(inputs, profile, **kwargs).to_item()
    assert result.item is not None, (inputs.url, result.events)
    return result.item


def _same_as_afresh(pages, **kwargs):
    """How many pages carried the reused result; each record and its events equal cleaning afresh."""
    reused = 0
    for profile, inputs in pages:
        item = _item(profile, inputs, **kwargs)
        afresh = copy.deepcopy({k: v for k, v in item.items() if k != CLEANED})
        reused += CLEANED in item
        events = finish_article(item, profile, kwargs.get("disabled", frozenset()))
        events_afresh = finish_article(afresh, profile, kwargs.get("disabled", frozenset()))
        assert item == afresh, inputs.url
        assert events == events_afresh, inputs.url
        assert CLEANED not in item
    return reused


def test_the_record_is_the_same_as_cleaning_afresh_on_every_fixture_article():
    pages = list(_fixture_articles())
    assert len(pages) >= 20
    assert _same_as_afresh(pages) == len(pages)  # every fixture article is found by its profile's selectors


def test_the_record_is_the_same_as_cleaning_afresh_on_the_real_pages():
    # the generic path (its choice or its alternative), and JSON-LD articleBody bounding the clean step
    pages = list(_real_pages())
    assert len(pages) >= 8
    assert _same_as_afresh(pages) == len(pages)
    assert _same_as_afresh(pages, disabled=frozenset({"declared", "title_line"})) == len(pages)


def test_the_fragment_is_cleaned_once_on_the_profile_path(clean_calls):
    profile, inputs = next(_fixture_articles())
    item = _item(profile, inputs)
    finish_article(item, profile)
    assert clean_calls == ["check"]
    assert CLEANED not in item and "body_html" not in item and item["body"]


@pytest.mark.parametrize("change", ["title", "fragment", "profile", "declared", "disabled"])
def test_a_result_from_other_inputs_is_not_reused(clean_calls, change):
    profiles = all_profiles()
    profile, inputs = next(_fixture_articles())
    item = _item(profile, inputs)
    disabled = frozenset()
    if change == "title":
        item["title"] = "別の見出し"
    elif change == "fragment":
        item["body_html"] = item["body_html"].replace("</p>", "</p><p>追加の段落です。これも本文です。</p>", 1)
    elif change == "declared":
        item[DECLARED] = "宣言された本文。" * 40
    elif change == "disabled":
        disabled = frozenset({"title_line"})
    else:
        profile = next(p for key, p in sorted(profiles.items()) if p != profile)
    afresh = copy.deepcopy({k: v for k, v in item.items() if k != CLEANED})
    finish_article(item, profile, disabled)
    finish_article(afresh, profile, disabled)
    assert clean_calls == ["check", "step", "step"]
    assert item == afresh


def test_a_traced_page_is_cleaned_again_with_the_trace(clean_calls):
    profile, inputs = next(_fixture_articles())
    result = ArticlePage(inputs, profile, trace=True).to_item()
    assert CLEANED not in result.item
    finish_article(result.item, profile)
    assert clean_calls[0] == "check" and set(clean_calls[1:]) == {"step"}  # (a first try with trace=True
    assert result.item["strip"]                                          # may fall back to a plain call)
