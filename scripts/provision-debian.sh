#!/usr/bin/env bash
# Provision a Docker engine, Compose v1 and v2, and a local base image on Debian 12, without a
# container registry. Idempotent: every step skips what is already there. Run as root.
#
#   sudo bash scripts/provision-debian.sh
#
# What it ensures:
#   - docker.io (dockerd, Engine 20.10), docker-compose (v1), debootstrap, busybox-static
#   - dockerd running (started with setsid when no init system manages it)
#   - the Compose v2 CLI plugin (from Debian 13's docker-compose package, a static binary)
#   - debian:bookworm-slim present locally (pulled, or built with debootstrap when no registry)
#   - busybox:stable present locally (imported from the host's static /bin/busybox)
set -euo pipefail

log() { printf '[provision] %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
  echo "provision-debian.sh must run as root (try: sudo bash $0)" >&2
  exit 3
fi
if [ ! -f /etc/debian_version ]; then
  echo "provision-debian.sh supports Debian only. Elsewhere install Docker Engine (https://docs.docker.com/engine/install/) and the Compose v2 plugin." >&2
  exit 3
fi

export DEBIAN_FRONTEND=noninteractive

# The Debian mirror this machine's apt is configured with (deb822 sources first, then sources.list).
debian_mirror() {
  local m
  m=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$m" ] || m=$(awk '$1=="deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$m" ] || { echo "no Debian mirror found in apt's sources" >&2; exit 3; }
  printf '%s' "$m"
}
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
[ -x /bin/busybox ] || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
else
  log "packages present (dockerd, docker-compose, debootstrap, busybox)"
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  (setsid dockerd >/var/log/dockerd.log 2>&1 &)
  for _ in $(seq 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /var/log/dockerd.log" >&2; tail -20 /var/log/dockerd.log >&2; exit 3; }
else
  log "docker engine running"
fi

if ! docker compose version >/dev/null 2>&1; then
  log "installing the Compose v2 CLI plugin from Debian 13's docker-compose package"
  d=$(mktemp -d); mkdir -p "$d/lists/partial"
  echo "deb $(debian_mirror) trixie main" > "$d/sources.list"
  o=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$d/lists")
  apt-get "${o[@]}" update -qq
  (cd "$d" && apt-get "${o[@]}" download docker-compose >/dev/null && dpkg -x docker-compose_*.deb x)
  for dir in "${HOME:-/root}/.docker/cli-plugins" /usr/local/lib/docker/cli-plugins; do
    mkdir -p "$dir" && cp "$d/x/usr/libexec/docker/cli-plugins/docker-compose" "$dir/"
  done
  rm -rf "$d"
else
  log "compose v2 present: $(docker compose version --short 2>/dev/null || true)"
fi

ensure_base() {
  local image=$1 suite=$2
  if docker image inspect "$image" >/dev/null 2>&1; then log "$image present"; return; fi
  if timeout 60 docker pull -q "$image" >/dev/null 2>&1; then log "pulled $image"; return; fi
  log "no registry: building $image with debootstrap (about a minute)"
  local r; r=$(mktemp -d)
  debootstrap --variant=minbase "$suite" "$r" "$(debian_mirror)" >/dev/null
  tar -C "$r" -c . | docker import - "$image" >/dev/null
  rm -rf "$r"
}
ensure_base debian:bookworm-slim bookworm

# busybox:stable from the host's static /bin/busybox (no registry needed): fixtures/staging-copy
# pins it as its "staging" gateway image and copies /bin/busybox out of it into its Blubber images.
if docker image inspect busybox:stable >/dev/null 2>&1; then
  log "busybox:stable present"
else
  log "importing busybox:stable from /bin/busybox"
  b=$(mktemp -d); mkdir -p "$b/bin" "$b/tmp"
  cp /bin/busybox "$b/bin/busybox"; ln -s busybox "$b/bin/sh"
  tar -C "$b" -c . | docker import -c 'ENTRYPOINT ["/bin/busybox"]' -c 'CMD ["sh"]' -c 'LABEL devpipe.origin=host-busybox' - busybox:stable >/dev/null
  rm -rf "$b"
fi
log "ready: $(docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}})')"
