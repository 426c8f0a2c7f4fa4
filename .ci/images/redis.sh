#!/usr/bin/env bash
# Build a local Redis Docker image WITHOUT any registry.
#
#   .ci/images/redis.sh [TAG]          # default TAG: testbed/redis:7
#   FORCE=1 .ci/images/redis.sh        # rebuild even if the image is up to date
#
# How it works: a root filesystem is assembled in a temp dir from the host's redis-server and
# redis-cli (Debian's redis-server package), every shared library `ldd` reports for them, the dynamic
# loader, a static busybox (/bin/sh + applets), minimal /etc files and an entrypoint compatible with
# the official redis image's docker-entrypoint.sh: `docker run IMAGE --requirepass x` and
# `docker run IMAGE redis-server --requirepass x` both start the server (args passed through), as the
# `redis` user, in /data, with protected mode off (the official image is built that way) so that the
# published port answers. @testcontainers/redis waits for "Ready to accept connections" in the log and
# runs `redis-cli` inside the container for executeCliCmd(): both work. It is then streamed into
# `docker import`. A content hash is stored as a label so re-running with unchanged inputs is a no-op.
# Prints the image id at the end.
set -euo pipefail

IMAGE_NAME=redis
TAG="${1:-testbed/redis:7}"
REDIS_SERVER="${REDIS_SERVER:-/usr/bin/redis-server}"
REDIS_CLI="${REDIS_CLI:-/usr/bin/redis-cli}"
REDIS_UID=999
REDIS_GID=999

# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

require_docker_and_busybox
[ -x "${REDIS_SERVER}" ] || die "${REDIS_SERVER} not found (install redis-server)"
[ -x "${REDIS_CLI}" ] || die "${REDIS_CLI} not found (install redis-tools)"

# Debian's redis-server is a symlink to redis-check-rdb (one binary, behaviour by its name).
SERVER_BIN="$(readlink -f "${REDIS_SERVER}")"
CLI_BIN="$(readlink -f "${REDIS_CLI}")"

collect_libs "${SERVER_BIN}" "${CLI_BIN}"
exit_if_up_to_date "${SERVER_BIN}" "${CLI_BIN}"

# ---------------------------------------------------------------------------
# Root filesystem.
# ---------------------------------------------------------------------------
create_rootfs usr/local/bin data

# The binaries, dereferenced, under the names they answer to.
cp -L "${SERVER_BIN}" "${ROOT}/usr/bin/redis-server"
cp -L "${CLI_BIN}" "${ROOT}/usr/bin/redis-cli"
ln -s redis-server "${ROOT}/usr/bin/redis-check-rdb"
ln -s redis-server "${ROOT}/usr/bin/redis-check-aof"

install_libs
install_busybox
write_etc_files "redis:${REDIS_UID}:${REDIS_GID}:Redis:/data"
chown "${REDIS_UID}:${REDIS_GID}" "${ROOT}/data"

# Entrypoint (busybox sh port of the official docker-entrypoint.sh).
install_entrypoint <<'ENTRYPOINT'
#!/bin/sh
set -e

# first arg is `-f` or `--some-option`, or a .conf file: the server's arguments
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

_wants_info() {
	for arg; do
		case "$arg" in
			-v|--version|-h|--help|--test-memory|--check-system) return 0 ;;
		esac
	done
	return 1
}

if [ "$1" = 'redis-server' ] && ! _wants_info "$@"; then
	shift
	# The official image is built with protected mode off: the published port must answer even
	# without a password. Arguments given later win.
	set -- redis-server --protected-mode no "$@"
	if [ "$(id -u)" = '0' ]; then
		find . \! -user redis -exec chown redis '{}' + 2>/dev/null || :
		# drop root (busybox su; no gosu needed): -p keeps the environment, '--' ends su's options.
		exec su -p -s /bin/sh redis -c 'exec "$0" "$@"' -- "$@"
	fi
fi

exec "$@"
ENTRYPOINT

smoke_test /usr/bin/redis-server /usr/bin/redis-cli

# ---------------------------------------------------------------------------
# Import.
# ---------------------------------------------------------------------------
REDIS_VERSION="$("${REDIS_SERVER}" --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')"
import_rootfs "Redis ${REDIS_VERSION}" \
  "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  "ENV REDIS_VERSION=${REDIS_VERSION}" \
  "LABEL org.opencontainers.image.description=\"Redis ${REDIS_VERSION} built offline from host packages\"" \
  'EXPOSE 6379' \
  'WORKDIR /data' \
  'USER root' \
  'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
  'CMD ["redis-server"]'
