"""Serves the index, the test-call page, its static files and the vendored livekit-client."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from app.errors import DomainError, NotFound
from core.config import get_settings

STATIC_DIR = Path(__file__).resolve().parent / "static"
REPO_ROOT = Path(__file__).resolve().parents[2]
# The files of the livekit-client npm package the page may load (UMD build: global LivekitClient)
VENDOR_FILES = {
    "livekit-client.umd.js": ("livekit-client", "dist/livekit-client.umd.js"),
    "livekit-client.umd.js.map": ("livekit-client", "dist/livekit-client.umd.js.map"),
}

router = APIRouter(include_in_schema=False)


def node_modules_dir() -> Path:
    configured = get_settings().node_modules_dir
    return Path(configured) if configured else REPO_ROOT / "node_modules"


@router.get("/")
def index() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html")


@router.get("/call")
def call_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "call.html")


class VendorMissing(DomainError):
    """The server was installed without the page's npm packages."""

    status_code = 500
    code = "vendor_missing"


@router.get("/static/vendor/{name}")
def vendor_file(name: str) -> FileResponse:
    if name not in VENDOR_FILES:
        raise NotFound(f"no vendored file {name!r}", field="name")
    package, relative = VENDOR_FILES[name]
    path = node_modules_dir() / package / relative
    if not path.is_file():
        raise VendorMissing(f"{package} is not installed on the server ({path} is missing): "
                            f"run `npm ci` in {REPO_ROOT} or set NODE_MODULES_DIR")
    media = "application/json" if name.endswith(".map") else "text/javascript"
    return FileResponse(path, media_type=media, headers={"Cache-Control": "public, max-age=3600"})


def install(application: FastAPI) -> None:
    """Add the page routes (before the /static mount, so /static/vendor/* is routed here)."""
    application.include_router(router)
    application.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
