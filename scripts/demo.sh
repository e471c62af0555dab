#!/usr/bin/env bash
# The demo, from a fresh machine to a result in one command:
#   bash scripts/demo.sh
# 1. makes sure a Docker engine runs (on Debian as root: provisions one with
#    scripts/provision-debian.sh; elsewhere: says exactly what to install),
# 2. installs and builds devpipe,
# 3. runs `devpipe doctor`, then the main job on the bundled demo fixtures/staging-copy: brings
#    up the local copy of staging (a service built here from Blubber, a dependency pinned like a
#    staging image, a fake secret injected at deploy time), runs the e2e suite against it, and
#    takes it down again.
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

if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1 || ! docker image inspect busybox:stable >/dev/null 2>&1; then
  if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ]; then bash scripts/provision-debian.sh
  elif [ -f /etc/debian_version ] && command -v sudo >/dev/null 2>&1; then sudo bash scripts/provision-debian.sh
  else docker pull debian:bookworm-slim && docker pull busybox:stable; fi
fi

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build

devpipe() { node bin/devpipe.js "$@"; }
demo=fixtures/staging-copy

echo; echo "== devpipe doctor"; devpipe doctor
echo; echo "== devpipe up: build the service here, start the stack with its fake secret, wait until healthy"
devpipe -C "$demo" up
echo; echo "== devpipe e2e: the suite runs on the stack's network, through the pinned gateway"
devpipe -C "$demo" e2e
echo; echo "== devpipe status"
devpipe -C "$demo" status
echo; echo "== devpipe down --images: nothing devpipe created remains"
devpipe -C "$demo" down --images
