from __future__ import annotations

import pytest

from zicht.web.rendering import safe_href, url_with


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://kinky.example/a/1", "https://kinky.example/a/1"),
        (" http://127.0.0.1:8000/img.jpg ", "http://127.0.0.1:8000/img.jpg"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:image/png;base64,AAAA", None),
        ("//evil.example/x", None),
        ("/relative", None),
        ("http://[::1", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_href(url: str | None, expected: str | None) -> None:
    assert safe_href(url) == expected


def test_url_with_keeps_params_and_drops_empty_ones() -> None:
    assert url_with("/advertenties", {"site": "kinky", "q": "", "page": "3"}, page=4) == (
        "/advertenties?site=kinky&page=4"
    )
    assert url_with("/advertenties", {"q": "a&b c"}) == "/advertenties?q=a%26b+c"
    assert url_with("/advertenties", {}) == "/advertenties"
