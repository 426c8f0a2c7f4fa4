#!/usr/bin/env bash
# Installs Docker Compose v2 (the `docker compose` CLI plugin) on Debian 12, whose own docker-compose
# is 1.29 (Python; it answers unknown flags with its usage and exit code 0, so testcontainers' `up`
# would "succeed" with no containers). Debian 13's docker-compose package is v2 (a Go binary that
# needs only libc6 ≥ 2.34; Debian 12 has 2.36): it is downloaded with a private apt state, so the
# machine's sources stay as they are, and its one binary is installed as a CLI plugin.
#
#   .ci/install-compose-v2.sh [PLUGIN_DIR]     default: /usr/local/lib/docker/cli-plugins
set -euo pipefail

DEST="${1:-/usr/local/lib/docker/cli-plugins}"
if docker compose version --short 2>/dev/null | grep -q '^v\?2\.'; then
  echo "Compose $(docker compose version --short) already installed"
  exit 0
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/lists/partial" "$WORK/cache/archives/partial"
echo 'deb http://deb.debian.org/debian trixie main' >"$WORK/sources.list"
APT=(-o Dir::Etc::sourcelist="$WORK/sources.list" -o Dir::Etc::sourceparts=/dev/null
  -o Dir::State::Lists="$WORK/lists" -o Dir::Cache="$WORK/cache" -o APT::Sandbox::User=root)
apt-get "${APT[@]}" update -qq
(cd "$WORK" && apt-get "${APT[@]}" download docker-compose)
dpkg-deb -x "$WORK"/docker-compose_*.deb "$WORK/x"
mkdir -p "$DEST"
install -m 0755 "$WORK/x/usr/libexec/docker/cli-plugins/docker-compose" "$DEST/docker-compose"
docker compose version
