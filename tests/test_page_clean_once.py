"""The clean step reuses the clean result ArticlePage computed when it checked the profile's container
(newscrawl/page/finish.py, CLEANED): the record is exactly what cleaning afresh gives, the fragment is
cleaned once instead of twice, and a result computed from other inputs is never reused."""

from __future__ import annotations

import copy

import pytest

import newscrawl.page.article as article_module
import newscrawl.page.finish as finish_module
from newscrawl.page import ArticlePage, PageInputs, finish_article
from newscrawl.page.finish import CLEANED
from newscrawl.replay.build import fixture_responses
from newscrawl.sites import all_profiles
from tests.helpers import SITE_FIXTURES


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


def _item(profile, inputs):
    result = ArticlePage(inputs, profile).to_item()
    assert result.item is not None, (inputs.url, result.events)
    return result.item


def test_the_record_is_the_same_as_cleaning_afresh_on_every_fixture_article():
    pages = list(_fixture_articles())
    assert len(pages) >= 20
    reused = 0
    for profile, inputs in pages:
        item = _item(profile, inputs)
        afresh = copy.deepcopy({k: v for k, v in item.items() if k != CLEANED})
        reused += CLEANED in item
        events = finish_article(item, profile)
        events_afresh = finish_article(afresh, profile)
        assert item == afresh, inputs.url
        assert events == events_afresh, inputs.url
    assert reused == len(pages)  # every fixture article is found by its profile's selectors


def test_the_fragment_is_cleaned_once_on_the_profile_path(clean_calls):
    profile, inputs = next(_fixture_articles())
    item = _item(profile, inputs)
    finish_article(item, profile)
    assert clean_calls == ["check"]
    assert CLEANED not in item and "body_html" not in item and item["body"]


@pytest.mark.parametrize("change", ["title", "fragment", "profile"])
def test_a_result_from_other_inputs_is_not_reused(clean_calls, change):
    profiles = all_profiles()
    profile, inputs = next(_fixture_articles())
    item = _item(profile, inputs)
    if change == "title":
        item["title"] = "別の見出し"
    elif change == "fragment":
        item["body_html"] = item["body_html"].replace("</p>", "</p><p>追加の段落です。これも本文です。</p>", 1)
    else:
        profile = next(p for key, p in sorted(profiles.items()) if p != profile)
    afresh = copy.deepcopy({k: v for k, v in item.items() if k != CLEANED})
    finish_article(item, profile)
    finish_article(afresh, profile)
    assert clean_calls == ["check", "step", "step"]
    assert item == afresh


def test_a_traced_page_is_cleaned_again_with_the_trace(clean_calls):
    profile, inputs = next(_fixture_articles())
    result = ArticlePage(inputs, profile, trace=True).to_item()
    assert CLEANED not in result.item
    finish_article(result.item, profile)
    assert clean_calls[0] == "check" and set(clean_calls[1:]) == {"step"}  # (a first try with trace=True
    assert result.item["strip"]                                          # may fall back to a plain call)
