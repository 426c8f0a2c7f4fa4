#!/usr/bin/env bash
# Build a local S3 Docker image WITHOUT any registry: Testbed's S3 emulator (its CLI,
# `testbed-s3-emulator`) on this machine's Node.
#
#   .ci/images/s3.sh [TAG]          # default TAG: testbed/s3:local
#   FORCE=1 .ci/images/s3.sh        # rebuild even if the image is up to date
#
# Needs packages/s3 built (`npx tsc --build`) and its dependencies installed (`npm ci`). The root
# filesystem holds the node binary and the shared libraries `ldd` reports for it, a static busybox,
# /app/emulator (packages/s3/dist/emulator) and /app/node_modules (fast-xml-parser and what it needs,
# and @testbed/core's package.json and dist, for the emulator's `@testbed/core/standalone`).
# The container serves S3 on port 9000 and accepts the key pair in AWS_ACCESS_KEY_ID /
# AWS_SECRET_ACCESS_KEY, which is how @testbed/s3's container provider starts any image that is not
# LocalStack or S3Mock. Prints the image id at the end.
set -euo pipefail

IMAGE_NAME=s3
TAG="${1:-testbed/s3:local}"
REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
NODE_BIN="$(readlink -f "${NODE_BIN:-$(command -v node)}")"
EMULATOR_DIR="${REPO}/packages/s3/dist/emulator"
CORE_DIR="${REPO}/packages/core"

# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

require_docker_and_busybox
[ -f "${EMULATOR_DIR}/cli.js" ] || die "${EMULATOR_DIR}/cli.js not found: run npm ci and npx tsc --build first"
[ -f "${CORE_DIR}/dist/standalone.js" ] || die "${CORE_DIR}/dist/standalone.js not found: run npx tsc --build first"

# The emulator's runtime dependencies, resolved as Node resolves them from packages/s3.
mapfile -t MODULES < <(
  cd "${REPO}/packages/s3" && "${NODE_BIN}" -e '
    const { dirname, join } = require("node:path")
    const { existsSync, readFileSync } = require("node:fs")
    const seen = new Set()
    // Node'"'"'s lookup: node_modules/<name> in this folder, then in each parent.
    const locate = (name, from) => {
      for (let at = from; ; at = dirname(at)) {
        const dir = join(at, "node_modules", name)
        if (existsSync(join(dir, "package.json"))) return dir
        if (dirname(at) === at) throw new Error(`cannot find ${name} from ${from}`)
      }
    }
    const visit = (name, from) => {
      const dir = locate(name, from)
      const manifest = join(dir, "package.json")
      if (seen.has(dir)) return
      seen.add(dir)
      for (const dep of Object.keys(JSON.parse(readFileSync(manifest, "utf8")).dependencies ?? {})) visit(dep, dir)
    }
    visit("fast-xml-parser", process.cwd())
    for (const dir of seen) console.log(dir)
  '
)
[ "${#MODULES[@]}" -gt 0 ] || die "could not resolve fast-xml-parser from packages/s3"

collect_libs "${NODE_BIN}"
exit_if_up_to_date "${NODE_BIN}" "${EMULATOR_DIR}" "${CORE_DIR}/package.json" "${CORE_DIR}/dist" "${MODULES[@]}"

create_rootfs app/node_modules
cp "${NODE_BIN}" "${ROOT}/usr/bin/node"
cp -r "${EMULATOR_DIR}" "${ROOT}/app/emulator"
mkdir -p "${ROOT}/app/node_modules/@testbed/core"
cp "${CORE_DIR}/package.json" "${ROOT}/app/node_modules/@testbed/core/"
cp -r "${CORE_DIR}/dist" "${ROOT}/app/node_modules/@testbed/core/dist"
find "${ROOT}/app/emulator" "${ROOT}/app/node_modules/@testbed/core" -name '*.map' -delete
printf '{ "type": "module" }\n' >"${ROOT}/app/package.json"
for dir in "${MODULES[@]}"; do
  # Flattened under /app/node_modules by package name (scoped ones keep their scope folder).
  name="${dir##*/node_modules/}"
  mkdir -p "${ROOT}/app/node_modules/$(dirname "${name}")"
  cp -r "${dir}" "${ROOT}/app/node_modules/${name}"
done

install_libs
install_busybox
write_etc_files "s3:999:999:S3 emulator:/app"
smoke_test /usr/bin/node

import_rootfs "Testbed's S3 emulator on Node $("${NODE_BIN}" --version)" \
  "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  "LABEL org.opencontainers.image.description=\"Testbed's S3 emulator, built offline\"" \
  'EXPOSE 9000' \
  'WORKDIR /app' \
  'USER s3' \
  'ENTRYPOINT ["/usr/bin/node", "/app/emulator/cli.js", "--host", "0.0.0.0", "--port", "9000"]'
