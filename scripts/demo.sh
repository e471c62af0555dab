#!/usr/bin/env bash
# The demo, from a fresh machine to a result in one command:
#   bash scripts/demo.sh
# 1. makes sure a Docker engine runs (on Debian as root: provisions one with
#    scripts/provision-debian.sh; elsewhere: says exactly what to install),
# 2. installs and builds devpipe,
# 3. runs `devpipe doctor`, then builds the bundled fixture's `production` variant from its
#    Blubber file and runs the image.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! docker info >/dev/null 2>&1; then
  if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ]; then
    echo "No Docker engine running: provisioning one (scripts/provision-debian.sh)."
    bash scripts/provision-debian.sh
  elif [ -f /etc/debian_version ] && command -v sudo >/dev/null 2>&1; then
    echo "No Docker engine running: provisioning one with sudo (scripts/provision-debian.sh)."
    sudo bash scripts/provision-debian.sh
  else
    cat >&2 <<'MSG'
No Docker engine is reachable. devpipe needs one:
  - Linux: install Docker Engine (https://docs.docker.com/engine/install/) and start it
    (on Debian: sudo bash scripts/provision-debian.sh does everything);
  - macOS/Windows: install and start Docker Desktop (or colima / Rancher Desktop);
  - or point DOCKER_HOST at a running engine.
Then run this script again.
MSG
    exit 3
  fi
fi

if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
  if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ]; then bash scripts/provision-debian.sh
  else docker pull debian:bookworm-slim; fi
fi

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build

devpipe() { node bin/devpipe.js "$@"; }
demo=fixtures/hello

echo; echo "== devpipe doctor"; devpipe doctor
echo; echo "== devpipe render production (the Dockerfile devpipe compiles from $demo/.pipeline/blubber.yaml)"
devpipe -C "$demo" render production
echo; echo "== devpipe build production"
devpipe -C "$demo" build production --tag devpipe-demo/hello:latest
echo; echo "== docker run devpipe-demo/hello:latest"
docker run --rm devpipe-demo/hello:latest
