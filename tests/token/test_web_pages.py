"""The index, the /call page and its assets are served by the API (no CDN, no build step)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_index_links_to_the_call_page(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and 'href="/call"' in r.text


def test_call_page_and_assets(client: TestClient) -> None:
    page = client.get("/call")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for src in ("/static/vendor/livekit-client.umd.js", "/static/call.js", "/static/call.css"):
        assert src in page.text
        r = client.get(src)
        assert r.status_code == 200, src
    assert "http://" not in page.text.replace("http://www.w3.org", "")  # nothing remote
    assert "https://" not in page.text
    lib = client.get("/static/vendor/livekit-client.umd.js")
    assert "javascript" in lib.headers["content-type"] and "LivekitClient" in lib.text[:5000]


def test_missing_livekit_client_is_a_clear_error(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(NODE_MODULES_DIR="/nonexistent/node_modules")
    r = client.get("/static/vendor/livekit-client.umd.js")
    assert r.status_code == 500
    assert r.json()["error"] == "vendor_missing" and "npm ci" in r.json()["detail"]
    assert client.get("/static/vendor/other.js").status_code == 404
