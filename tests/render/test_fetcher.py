"""The URL fetcher serves template assets and registered data: URIs, and refuses the rest."""

from __future__ import annotations

import base64
import os

import pytest

from priorauth.render.environment import resolve_templates
from priorauth.render.fetcher import FetchRefusedError, TemplateFetcher

ROOT = resolve_templates()


@pytest.fixture
def fetcher() -> TemplateFetcher:
    return TemplateFetcher(ROOT)


def test_serves_a_packaged_font(fetcher):
    response = fetcher.fetch((ROOT / "fonts" / "PriorauthSans-Regular.ttf").as_uri())
    assert response.read()[:4] == b"\x00\x01\x00\x00"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:1/x",
        "https://example.org/font.ttf",
        "ftp://example.org/x",
        "file://evil.example/etc/passwd",
        (ROOT / "fonts").as_uri() + "/../../../../etc/passwd",
        (ROOT / "fonts").as_uri() + "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        ROOT.as_uri() + "/fonts",
        ROOT.as_uri() + "/missing.css",
        "data:text/css,*{background:red}",
    ],
)
def test_refuses(fetcher, url):
    with pytest.raises(FetchRefusedError):
        fetcher.fetch(url)


def test_refuses_symlink_escape(tmp_path):
    root = tmp_path / "templates"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", root / "link.css")
    with pytest.raises(FetchRefusedError):
        TemplateFetcher(root).fetch((root / "link.css").as_uri())


def test_serves_only_registered_data_uris():
    uri = "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()
    assert TemplateFetcher(ROOT, data_uris=[uri]).fetch(uri).read() == b"<svg/>"
    with pytest.raises(FetchRefusedError):
        TemplateFetcher(ROOT).fetch(uri)


def test_refuses_the_staff_pages_files(fetcher):
    """templates/web/ belongs to the staff pages: a letter never loads its stylesheet."""
    with pytest.raises(FetchRefusedError, match="a staff page asset"):
        fetcher.fetch((ROOT / "web" / "static" / "web.css").as_uri())
