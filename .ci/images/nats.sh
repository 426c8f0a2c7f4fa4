#!/usr/bin/env bash
# Build a local NATS Docker image WITHOUT any registry.
#
#   .ci/images/nats.sh [TAG]          # default TAG: testbed/nats:2.9
#   FORCE=1 .ci/images/nats.sh        # rebuild even if the image is up to date
#
# How it works: a root filesystem is assembled in a temp dir from the host's nats-server (Debian's
# package installs /usr/sbin/nats-server, 2.9 with JetStream), every shared library `ldd` reports for
# it (none when it is static), the dynamic loader, a static busybox (/bin/sh + applets) and minimal
# /etc files. The entrypoint is nats-server itself, as in the official image, so arguments pass
# straight through: @testcontainers/nats runs it with `--user … --pass … -js` (and `--name`, …) and
# waits for the "Server is ready" log line. It is then streamed into `docker import`. A content hash
# is stored as a label so re-running with unchanged inputs is a no-op. Prints the image id at the end.
set -euo pipefail

IMAGE_NAME=nats
TAG="${1:-testbed/nats:2.9}"
NATS_SERVER="${NATS_SERVER:-$(PATH="${PATH}:/usr/sbin" command -v nats-server || true)}"

# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

require_docker_and_busybox
if [ -z "${NATS_SERVER}" ] || [ ! -x "${NATS_SERVER}" ]; then
  die "nats-server not found (install nats-server)"
fi
NATS_SERVER="$(readlink -f "${NATS_SERVER}")"

# A Go binary: often no shared libraries at all.
collect_libs --static-ok "${NATS_SERVER}"
exit_if_up_to_date "${NATS_SERVER}"

# ---------------------------------------------------------------------------
# Root filesystem.
# ---------------------------------------------------------------------------
create_rootfs data

cp "${NATS_SERVER}" "${ROOT}/usr/sbin/nats-server"
# The official image's path, for anything that calls it by that name.
ln -s usr/sbin/nats-server "${ROOT}/nats-server"

install_libs
install_busybox   # /bin/sh and applets, for `docker exec` debugging
# shellcheck disable=SC2119  # no service user: root and nobody only
write_etc_files
smoke_test /usr/sbin/nats-server

# ---------------------------------------------------------------------------
# Import. The entrypoint is nats-server itself, as in the official image.
# ---------------------------------------------------------------------------
NATS_VERSION="$("${NATS_SERVER}" --version | awk '{print $2}')"
import_rootfs "nats-server ${NATS_VERSION}" \
  "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin" \
  "ENV NATS_SERVER=${NATS_VERSION#v}" \
  "LABEL org.opencontainers.image.description=\"nats-server ${NATS_VERSION} built offline from the host's binary\"" \
  'EXPOSE 4222 6222 8222' \
  'WORKDIR /data' \
  'ENTRYPOINT ["/usr/sbin/nats-server"]' \
  'CMD ["-js", "-sd", "/data"]'
