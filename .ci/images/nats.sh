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

TAG="${1:-testbed/nats:2.9}"
NATS_SERVER="${NATS_SERVER:-$(PATH="${PATH}:/usr/sbin" command -v nats-server || true)}"
BUSYBOX="${BUSYBOX:-/usr/bin/busybox}"
HASH_LABEL="org.testbed.build-hash"

log() { printf '[nats-image] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v docker >/dev/null || die "docker CLI not found"
docker info >/dev/null 2>&1 || die "docker daemon not reachable (start dockerd / set DOCKER_HOST)"
[ -n "${NATS_SERVER}" ] && [ -x "${NATS_SERVER}" ] || die "nats-server not found (install nats-server)"
NATS_SERVER="$(readlink -f "${NATS_SERVER}")"
[ -x "${BUSYBOX}" ] || die "${BUSYBOX} not found (install busybox-static)"
if ldd "${BUSYBOX}" >/dev/null 2>&1; then
  die "${BUSYBOX} is dynamically linked; a static busybox (busybox-static) is required"
fi

SELF="$(readlink -f "${BASH_SOURCE[0]}")"

# ---------------------------------------------------------------------------
# 1. Shared libraries nats-server needs (a Go binary: often none at all).
# ---------------------------------------------------------------------------
LIBS=()
if ldd_out="$(ldd "${NATS_SERVER}" 2>/dev/null)"; then
  if grep -q 'not found' <<<"${ldd_out}"; then
    grep 'not found' <<<"${ldd_out}" | sort -u >&2
    die "unresolved shared libraries (see above)"
  fi
  mapfile -t LIBS < <(
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"${ldd_out}" | sort -u
  )
fi

# ---------------------------------------------------------------------------
# 2. Idempotency: hash of this script + stat of every input. Skip if the
#    existing image carries the same hash.
# ---------------------------------------------------------------------------
BUILD_HASH="$(
  {
    sha256sum "${SELF}"
    printf '%s\n' "${TAG}"
    for f in "${NATS_SERVER}" "${BUSYBOX}" ${LIBS[@]+"${LIBS[@]}"}; do stat -L -c '%n %s %Y' "$f"; done
  } | sort | sha256sum | cut -c1-32
)"

OLD_ID="$(docker image inspect -f '{{.Id}}' "${TAG}" 2>/dev/null || true)"
if [ -n "${OLD_ID}" ] && [ "${FORCE:-0}" != "1" ]; then
  old_hash="$(docker image inspect -f "{{ index .Config.Labels \"${HASH_LABEL}\" }}" "${TAG}" 2>/dev/null || true)"
  if [ "${old_hash}" = "${BUILD_HASH}" ]; then
    log "${TAG} is up to date (hash ${BUILD_HASH}); skipping build"
    echo "${OLD_ID}"
    exit 0
  fi
fi

# ---------------------------------------------------------------------------
# 3. Assemble the root filesystem (merged-/usr layout like Debian).
# ---------------------------------------------------------------------------
WORKDIR="$(mktemp -d "${TMPDIR:-/tmp}/testbed-nats-image.XXXXXX")"
trap 'rm -rf "${WORKDIR}"' EXIT
ROOT="${WORKDIR}/rootfs"

mkdir -p "${ROOT}"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,root,tmp,run,dev,proc,sys,data}
ln -s usr/bin "${ROOT}/bin"
ln -s usr/sbin "${ROOT}/sbin"
ln -s usr/lib "${ROOT}/lib"
ln -s usr/lib64 "${ROOT}/lib64"
chmod 1777 "${ROOT}/tmp"
chmod 700 "${ROOT}/root"

cp "${NATS_SERVER}" "${ROOT}/usr/sbin/nats-server"
# The official image's path, for anything that calls it by that name.
ln -s usr/sbin/nats-server "${ROOT}/nats-server"

# Shared libraries (incl. the dynamic loader), dereferenced, at the path ldd reported.
for l in ${LIBS[@]+"${LIBS[@]}"}; do
  mkdir -p "${ROOT}$(dirname "$l")"
  cp -L "$l" "${ROOT}$l"
done

# busybox: /bin/sh and all applets (for `docker exec` debugging).
cp "${BUSYBOX}" "${ROOT}/usr/bin/busybox"
for applet in $("${BUSYBOX}" --list); do
  [ -e "${ROOT}/usr/bin/${applet}" ] || ln -s busybox "${ROOT}/usr/bin/${applet}"
done

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"${ROOT}/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"${ROOT}/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"${ROOT}/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"${ROOT}/etc/hosts"

# Smoke test the rootfs before importing: can the binary actually run there?
if command -v chroot >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  chroot "${ROOT}" /usr/sbin/nats-server --version >/dev/null || die "rootfs smoke test failed: nats-server --version"
fi

# ---------------------------------------------------------------------------
# 4. Import.
# ---------------------------------------------------------------------------
NATS_VERSION="$("${NATS_SERVER}" --version | awk '{print $2}')"
log "importing ${TAG} (nats-server ${NATS_VERSION}, $(du -sh "${ROOT}" | cut -f1) rootfs)"
NEW_ID="$(
  tar --numeric-owner -C "${ROOT}" -cf - . | docker import \
    --change "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NATS_SERVER=${NATS_VERSION#v}" \
    --change "LABEL ${HASH_LABEL}=${BUILD_HASH}" \
    --change "LABEL org.opencontainers.image.description=\"nats-server ${NATS_VERSION} built offline from the host's binary\"" \
    --change 'EXPOSE 4222 6222 8222' \
    --change 'WORKDIR /data' \
    --change 'ENTRYPOINT ["/usr/sbin/nats-server"]' \
    --change 'CMD ["-js", "-sd", "/data"]' \
    - "${TAG}"
)"
[ -n "${NEW_ID}" ] || die "docker import returned no image id"

# Drop the superseded image if nothing else references it.
if [ -n "${OLD_ID}" ] && [ "${OLD_ID}" != "${NEW_ID}" ]; then
  docker rmi "${OLD_ID}" >/dev/null 2>&1 || true
fi

docker image inspect -f '{{.Id}}' "${TAG}"
