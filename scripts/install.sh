#!/usr/bin/env bash
# Installs everything `make run` and `make test` need, idempotently:
#   Debian packages, livekit-server and livekit-sip (built from the Go module proxy into a
#   version-keyed cache outside the clone and linked into ./bin), and the locked Python deps.
# A second run finds everything in place and only re-links; it takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=versions.env
source scripts/versions.env

APT_PACKAGES=(
  redis-server sip-tester pkg-config libopus-dev libopusfile-dev libsoxr-dev
  espeak-ng sox postgresql chromium chromium-driver iproute2 nodejs npm
  docker-compose  # `docker-compose config` checks docker-compose.yml in the tests
)
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/contact-center"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

log() { printf '[install] %s\n' "$*"; }

install_apt() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "Debian packages: all present"
    return
  fi
  # npm/nodejs may come from another source (e.g. nodesource); don't fight it.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    local filtered=()
    for pkg in "${missing[@]}"; do
      [[ "$pkg" == nodejs || "$pkg" == npm ]] || filtered+=("$pkg")
    done
    missing=("${filtered[@]}")
    [ "${#missing[@]}" -eq 0 ] && { log "Debian packages: all present"; return; }
  fi
  log "Debian packages: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# build_go NAME MODULE VERSION MAIN: builds MODULE@VERSION's MAIN package once into the cache.
# Uses `go mod download` + `go build` in a copy of the module (honours replace directives and
# works where the proxy refuses sub-path look-ups), then links ./bin/NAME to the cached binary.
build_go() {
  local name=$1 module=$2 version=$3 main=$4
  local out="$CACHE/bin/$name-$version/$name"
  if [ ! -x "$out" ]; then
    command -v go >/dev/null || { echo "go toolchain not found (need Go >= 1.26)" >&2; exit 1; }
    log "building $name $version (one time, cached in $CACHE)"
    local dir work
    dir=$(cd /tmp && go mod download -json "$module@$version" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(d["Error"]) if "Error" in d else print(d["Dir"])')
    work=$(mktemp -d)
    cp -r "$dir/." "$work/"
    chmod -R u+w "$work"
    mkdir -p "$(dirname "$out")"
    (cd "$work" && go build -trimpath -o "$out.tmp" "$main")
    mv "$out.tmp" "$out"
    rm -rf "$work"
  fi
  mkdir -p bin
  ln -sfn "$out" "bin/$name"
  log "$name $version: $(readlink bin/$name)"
}

install_python() {
  command -v uv >/dev/null || python3 -m pip install -q uv
  # bytecode compiled once here: with PYTHONDONTWRITEBYTECODE set (or a read-only tree)
  # every process would compile its imports again (~6 s more per worker or API start)
  uv sync --frozen --extra dev -q --compile-bytecode
  .venv/bin/python -m compileall -q -j 0 agent app bench cli core livekit_stack migrations \
    nlu sip speech tests >/dev/null
  log "Python deps: synced from uv.lock into .venv, bytecode compiled"
}

install_npm() {
  [ -f package.json ] || return 0
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund --prefer-offline --loglevel=error
    touch node_modules
  fi
  log "npm packages: installed from package-lock.json"
}

install_apt
build_go livekit-server "$LIVEKIT_SERVER_MODULE" "$LIVEKIT_SERVER_VERSION" "$LIVEKIT_SERVER_MAIN"
CGO_ENABLED=1 build_go livekit-sip "$LIVEKIT_SIP_MODULE" "$LIVEKIT_SIP_VERSION" "$LIVEKIT_SIP_MAIN"
install_python
install_npm
