# shellcheck shell=bash
# Shared helpers for the .ci/images/*.sh scripts, which build local Docker images WITHOUT any
# registry: a root filesystem is assembled in a temp dir from this machine's own binaries, the
# shared libraries `ldd` reports for them (incl. the dynamic loader), a static busybox and minimal
# /etc files, then streamed into `docker import`. A content hash is stored as a label so that
# re-running with unchanged inputs is a no-op (FORCE=1 rebuilds anyway).
#
# Usage, from an image script (which has already done `set -euo pipefail`):
#   IMAGE_NAME=redis                       # used in log lines and the temp dir name
#   TAG="${1:-testbed/redis:7}"
#   . "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
#   require_docker_and_busybox
#   collect_libs BIN...                    # -> LIBS
#   exit_if_up_to_date INPUT...            # -> BUILD_HASH, OLD_ID (exits 0 when up to date)
#   create_rootfs [EXTRA_DIR...]           # -> WORKDIR, ROOT (removed on exit)
#   install_libs; install_busybox; write_etc_files [USER:UID:GID:GECOS:HOME...]
#   install_entrypoint <<'EOF' ... EOF     # optional
#   smoke_test /path/in/rootfs...          # optional
#   import_rootfs "DESCRIPTION" "CHANGE"... # prints the image id
#
# Globals read: IMAGE_NAME, TAG, FORCE; globals set: SELF, LIB_SELF, BUSYBOX, HASH_LABEL, LIBS,
# BUILD_HASH, OLD_ID, WORKDIR, ROOT.

: "${IMAGE_NAME:?set IMAGE_NAME before sourcing lib.sh}"
: "${TAG:?set TAG before sourcing lib.sh}"

# The image script that sourced this file, and this file: both feed the build hash.
SELF="$(readlink -f "${BASH_SOURCE[1]}")"
LIB_SELF="$(readlink -f "${BASH_SOURCE[0]}")"
BUSYBOX="${BUSYBOX:-/usr/bin/busybox}"
HASH_LABEL="org.testbed.build-hash"
LIBS=()

# log MSG...: progress message on stderr, prefixed with the image name.
log() { printf '[%s-image] %s\n' "${IMAGE_NAME}" "$*" >&2; }

# die MSG...: log an error and exit 1.
die() {
  log "ERROR: $*"
  exit 1
}

# require_docker_and_busybox: the docker CLI + daemon must work and ${BUSYBOX} must be a static binary.
require_docker_and_busybox() {
  command -v docker >/dev/null || die "docker CLI not found"
  docker info >/dev/null 2>&1 || die "docker daemon not reachable (start dockerd / set DOCKER_HOST)"
  [ -x "${BUSYBOX}" ] || die "${BUSYBOX} not found (install busybox-static)"
  if ldd "${BUSYBOX}" >/dev/null 2>&1; then
    die "${BUSYBOX} is dynamically linked; a static busybox (busybox-static) is required"
  fi
}

# collect_libs [--static-ok] ELF...: set LIBS to every shared library (and the dynamic loader) that
# `ldd` reports for the given files. Dies on unresolved libraries, and on an empty result unless
# --static-ok is given (e.g. a statically linked Go binary).
collect_libs() {
  local static_ok=0 ldd_out f
  if [ "${1:-}" = "--static-ok" ]; then
    static_ok=1
    shift
  fi
  ldd_out="$(for f in "$@"; do ldd "$f" 2>/dev/null || true; done)"
  if grep -q 'not found' <<<"${ldd_out}"; then
    grep 'not found' <<<"${ldd_out}" | sort -u >&2
    die "unresolved shared libraries (see above)"
  fi
  LIBS=()
  mapfile -t LIBS < <(
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"${ldd_out}" | sort -u
  )
  [ "${static_ok}" = 1 ] || [ "${#LIBS[@]}" -gt 0 ] || die "ldd reported no libraries?"
}

# fingerprint PATH...: one "path size mtime mode" line per file (directories are walked).
fingerprint() {
  local p
  for p in "$@"; do
    if [ -d "$p" ] && [ ! -L "$p" ]; then
      find "$p" -printf '%p %s %T@ %m\n'
    else
      stat -L -c '%n %s %Y %a' "$p"
    fi
  done
}

# exit_if_up_to_date INPUT...: set BUILD_HASH from the image script, lib.sh, TAG, the busybox, LIBS
# and the given input paths, and OLD_ID to the current image id (if any). When the existing image
# carries the same hash (and FORCE != 1), print its id and exit 0.
exit_if_up_to_date() {
  local old_hash
  BUILD_HASH="$(
    {
      sha256sum "${SELF}" "${LIB_SELF}"
      printf '%s\n' "${TAG}"
      fingerprint "${BUSYBOX}" "$@" ${LIBS[@]+"${LIBS[@]}"}
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
}

# create_rootfs [DIR...]: make WORKDIR (a temp dir removed on exit) and an empty merged-/usr root
# filesystem ROOT inside it (Debian layout: /bin, /sbin, /lib, /lib64 -> usr/*, /var/run -> /run),
# plus the given extra directories (relative to the root).
create_rootfs() {
  WORKDIR="$(mktemp -d "${TMPDIR:-/tmp}/testbed-${IMAGE_NAME}-image.XXXXXX")"
  trap 'rm -rf "${WORKDIR}"' EXIT
  ROOT="${WORKDIR}/rootfs"
  mkdir -p "${ROOT}"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,root,tmp,run,dev,proc,sys,var}
  local d
  for d in "$@"; do mkdir -p "${ROOT}/${d}"; done
  ln -s usr/bin "${ROOT}/bin"
  ln -s usr/sbin "${ROOT}/sbin"
  ln -s usr/lib "${ROOT}/lib"
  ln -s usr/lib64 "${ROOT}/lib64"
  ln -s ../run "${ROOT}/var/run"
  chmod 1777 "${ROOT}/tmp"
  chmod 700 "${ROOT}/root"
}

# install_libs: copy LIBS (incl. the dynamic loader), dereferenced, to the path ldd reported.
install_libs() {
  local l
  for l in ${LIBS[@]+"${LIBS[@]}"}; do
    mkdir -p "${ROOT}$(dirname "$l")"
    cp -L "$l" "${ROOT}$l"
  done
}

# install_busybox: /usr/bin/busybox plus a symlink for every applet not already present (/bin/sh, …).
install_busybox() {
  local applet
  cp "${BUSYBOX}" "${ROOT}/usr/bin/busybox"
  for applet in $("${BUSYBOX}" --list); do
    [ -e "${ROOT}/usr/bin/${applet}" ] || ln -s busybox "${ROOT}/usr/bin/${applet}"
  done
}

# write_etc_files [NAME:UID:GID:GECOS:HOME...]: /etc/passwd, group and shadow (root, the given
# service users, nobody), shells, nsswitch.conf, hosts and ld.so.conf.
write_etc_files() {
  local spec name uid gid gecos home
  {
    echo 'root:x:0:0:root:/root:/bin/sh'
    for spec in "$@"; do
      IFS=: read -r name uid gid gecos home <<<"${spec}"
      echo "${name}:x:${uid}:${gid}:${gecos}:${home}:/bin/sh"
    done
    echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false'
  } >"${ROOT}/etc/passwd"
  {
    echo 'root:x:0:'
    for spec in "$@"; do
      IFS=: read -r name uid gid _ <<<"${spec}"
      echo "${name}:x:${gid}:"
    done
    echo 'nogroup:x:65534:'
  } >"${ROOT}/etc/group"
  {
    echo 'root:*::0:::::'
    for spec in "$@"; do echo "${spec%%:*}:*::0:::::"; done
    echo 'nobody:*::0:::::'
  } >"${ROOT}/etc/shadow"
  chmod 640 "${ROOT}/etc/shadow"
  printf '/bin/sh\n' >"${ROOT}/etc/shells"
  printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n' >"${ROOT}/etc/nsswitch.conf"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"${ROOT}/etc/hosts"
  printf '/usr/local/lib\n/usr/lib/x86_64-linux-gnu\n' >"${ROOT}/etc/ld.so.conf"
}

# install_entrypoint: write stdin to /usr/local/bin/docker-entrypoint.sh (mode 755), with the
# /docker-entrypoint.sh symlink the official images have.
install_entrypoint() {
  mkdir -p "${ROOT}/usr/local/bin"
  cat >"${ROOT}/usr/local/bin/docker-entrypoint.sh"
  chmod 755 "${ROOT}/usr/local/bin/docker-entrypoint.sh"
  ln -s usr/local/bin/docker-entrypoint.sh "${ROOT}/docker-entrypoint.sh"
}

# smoke_test PATH...: run each binary (a path inside the rootfs) with --version under chroot, to
# catch missing libraries before importing. Skipped without chroot or root.
smoke_test() {
  command -v chroot >/dev/null 2>&1 && [ "$(id -u)" = 0 ] || return 0
  local b
  for b in "$@"; do
    chroot "${ROOT}" "$b" --version >/dev/null || die "rootfs smoke test failed: ${b} --version"
  done
}

# import_rootfs DESCRIPTION CHANGE...: refresh the loader cache, `docker import` ROOT as TAG with the
# given Dockerfile instructions (as --change; STOPSIGNAL through a build) plus the build-hash label, remove the superseded image if
# unused, and print the new image id.
import_rootfs() {
  local description="$1" change new_id stop_signal=""
  shift
  local args=(--change "LABEL ${HASH_LABEL}=${BUILD_HASH}")
  for change in "$@"; do
    # `docker import` refuses STOPSIGNAL; a one-line build on top of the import sets it.
    if [[ "${change}" == STOPSIGNAL\ * ]]; then stop_signal="${change}"; else args+=(--change "${change}"); fi
  done
  # Loader cache (optional: the loader also searches the multiarch dirs itself).
  if command -v ldconfig >/dev/null 2>&1; then
    ldconfig -r "${ROOT}" 2>/dev/null || true
  fi
  log "importing ${TAG} (${description}, $(du -sh "${ROOT}" | cut -f1) rootfs)"
  new_id="$(tar --numeric-owner -C "${ROOT}" -cf - . | docker import "${args[@]}" - "${TAG}")"
  [ -n "${new_id}" ] || die "docker import returned no image id"
  if [ -n "${stop_signal}" ]; then
    new_id="$(printf 'FROM %s\n%s\n' "${new_id}" "${stop_signal}" | docker build -q -t "${TAG}" - 2>/dev/null)"
    [ -n "${new_id}" ] || die "docker build (${stop_signal}) returned no image id"
  fi
  if [ -n "${OLD_ID}" ] && [ "${OLD_ID}" != "${new_id}" ]; then
    docker rmi "${OLD_ID}" >/dev/null 2>&1 || true
  fi
  docker image inspect -f '{{.Id}}' "${TAG}"
}
