#!/usr/bin/env bash
# Build a local PostgreSQL 15 Docker image WITHOUT any registry.
#
#   .ci/images/postgres.sh [TAG]          # default TAG: testbed/postgres:15
#   FORCE=1 .ci/images/postgres.sh        # rebuild even if the image is up to date
#
# How it works: a root filesystem is assembled in a temp dir from the host's
# PostgreSQL 15 install (/usr/lib/postgresql/15 + /usr/share/postgresql/15),
# every shared library `ldd` reports for those binaries/modules, the dynamic
# loader, a static busybox (/bin/sh + applets), minimal /etc files and an
# entrypoint compatible with the official postgres image's docker-entrypoint.sh
# (POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB / PGDATA /
# POSTGRES_HOST_AUTH_METHOD / POSTGRES_INITDB_ARGS / docker-entrypoint-initdb.d).
# It is then streamed into `docker import`. A content hash is stored as a label
# so re-running with unchanged inputs is a no-op. Prints the image id at the end.
set -euo pipefail

IMAGE_NAME=postgres
TAG="${1:-testbed/postgres:15}"
PG_MAJOR=15
PG_LIB="/usr/lib/postgresql/${PG_MAJOR}"
PG_SHARE="/usr/share/postgresql/${PG_MAJOR}"
PG_UID=999
PG_GID=999

# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

require_docker_and_busybox
[ -x "${PG_LIB}/bin/postgres" ] || die "${PG_LIB}/bin/postgres not found (install postgresql-${PG_MAJOR})"
[ -d "${PG_SHARE}" ] || die "${PG_SHARE} not found"

# ---------------------------------------------------------------------------
# 1. Which ELF files go in, and which shared libraries they need.
#    llvmjit.so (+ bitcode) is left out: it drags in ~120MB of libLLVM, and
#    PostgreSQL silently disables JIT when the provider file is absent.
# ---------------------------------------------------------------------------
# glibc's `locale` binary: initdb runs `locale -a` to import system collations
# (without it: "sh: locale: not found" / "no usable system locales were found").
LOCALE_BIN=""
[ -x /usr/bin/locale ] && LOCALE_BIN=/usr/bin/locale
mapfile -t ELF_FILES < <(
  find "${PG_LIB}/bin" -type f
  find "${PG_LIB}/lib" -maxdepth 1 -type f -name '*.so' ! -name 'llvmjit*'
  [ -z "${LOCALE_BIN}" ] || echo "${LOCALE_BIN}"
)
collect_libs "${ELF_FILES[@]}"

LOCALE_DIR=""
for d in /usr/lib/locale/C.utf8 /usr/lib/locale/C.UTF-8; do
  if [ -d "$d" ]; then LOCALE_DIR="$d"; break; fi
done
ZONEINFO=""
[ -d /usr/share/zoneinfo ] && ZONEINFO=/usr/share/zoneinfo

# ---------------------------------------------------------------------------
# 2. Idempotency: skip if the existing image carries the same input hash.
# ---------------------------------------------------------------------------
exit_if_up_to_date "${PG_LIB}" "${PG_SHARE}" ${LOCALE_DIR:+"${LOCALE_DIR}"} ${LOCALE_BIN:+"${LOCALE_BIN}"} \
  ${ZONEINFO:+"${ZONEINFO}"}

# ---------------------------------------------------------------------------
# 3. Assemble the root filesystem.
# ---------------------------------------------------------------------------
create_rootfs usr/local/bin usr/share

# PostgreSQL binaries, modules and share files.
mkdir -p "${ROOT}${PG_LIB}" "${ROOT}/usr/share/postgresql"
cp -a "${PG_LIB}/bin" "${ROOT}${PG_LIB}/"
mkdir -p "${ROOT}${PG_LIB}/lib"
find "${PG_LIB}/lib" -maxdepth 1 \( -type f -o -type l \) ! -name 'llvmjit*' \
  -exec cp -a {} "${ROOT}${PG_LIB}/lib/" \;
cp -a "${PG_SHARE}" "${ROOT}/usr/share/postgresql/"
rm -rf "${ROOT}${PG_SHARE}/man"
# Same tweak the official image makes: listen on all interfaces by default.
sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" "${ROOT}${PG_SHARE}/postgresql.conf.sample"
grep -q "^listen_addresses = '\*'" "${ROOT}${PG_SHARE}/postgresql.conf.sample" \
  || die "failed to patch listen_addresses in postgresql.conf.sample"

install_libs

# Locale (C.UTF-8) and time zone data.
[ -z "${LOCALE_BIN}" ] || cp "${LOCALE_BIN}" "${ROOT}/usr/bin/locale"
if [ -n "${LOCALE_DIR}" ]; then
  mkdir -p "${ROOT}/usr/lib/locale"
  cp -a "${LOCALE_DIR}" "${ROOT}/usr/lib/locale/"
fi
if [ -n "${ZONEINFO}" ]; then
  cp -a "${ZONEINFO}" "${ROOT}/usr/share/"
  ln -s /usr/share/zoneinfo/Etc/UTC "${ROOT}/etc/localtime"
fi

install_busybox
write_etc_files "postgres:${PG_UID}:${PG_GID}:PostgreSQL administrator:/var/lib/postgresql"

# PostgreSQL directories (same modes as the official image).
mkdir -p "${ROOT}/var/lib/postgresql/data" "${ROOT}/run/postgresql" "${ROOT}/docker-entrypoint-initdb.d"
chown -R "${PG_UID}:${PG_GID}" "${ROOT}/var/lib/postgresql" "${ROOT}/run/postgresql"
chmod 1777 "${ROOT}/var/lib/postgresql/data"
chmod 3777 "${ROOT}/run/postgresql"

# ---------------------------------------------------------------------------
# 4. Entrypoint (busybox sh port of the official docker-entrypoint.sh).
# ---------------------------------------------------------------------------
install_entrypoint <<'ENTRYPOINT'
#!/bin/sh
# busybox-sh port of docker-library/postgres docker-entrypoint.sh
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

# usage: file_env VAR [DEFAULT]  (supports VAR_FILE, like the official image)
file_env() {
	_var="$1"; _fileVar="${1}_FILE"; _def="${2:-}"
	eval "_val=\${$_var:-}"
	eval "_fval=\${$_fileVar:-}"
	if [ -n "$_val" ] && [ -n "$_fval" ]; then
		printf >&2 'error: both %s and %s are set (but are exclusive)\n' "$_var" "$_fileVar"
		exit 1
	fi
	if [ -n "$_val" ]; then
		:
	elif [ -n "$_fval" ]; then
		_val="$(cat "$_fval")"
	else
		_val="$_def"
	fi
	export "$_var=$_val"
	unset "$_fileVar" _var _fileVar _def _val _fval
}

docker_setup_env() {
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER 'postgres'
	file_env POSTGRES_DB "$POSTGRES_USER"
	file_env POSTGRES_INITDB_ARGS
	: "${POSTGRES_HOST_AUTH_METHOD:=}"
	DATABASE_ALREADY_EXISTS=
	if [ -s "$PGDATA/PG_VERSION" ]; then
		DATABASE_ALREADY_EXISTS='true'
	fi
}

docker_create_db_directories() {
	mkdir -p "$PGDATA"
	chmod 00700 "$PGDATA" || :
	mkdir -p /var/run/postgresql || :
	chmod 03775 /var/run/postgresql || :
	if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
		mkdir -p "$POSTGRES_INITDB_WALDIR"
		if [ "$(id -u)" = '0' ]; then
			find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres:postgres '{}' +
		fi
		chmod 700 "$POSTGRES_INITDB_WALDIR"
	fi
	if [ "$(id -u)" = '0' ]; then
		find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
		find /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
	fi
}

docker_verify_minimum_env() {
	if [ -z "$POSTGRES_PASSWORD" ] && [ 'trust' != "$POSTGRES_HOST_AUTH_METHOD" ]; then
		cat >&2 <<'EOE'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.

       See PostgreSQL documentation about "trust":
       https://www.postgresql.org/docs/current/auth-trust.html
EOE
		exit 1
	fi
	if [ 'trust' = "$POSTGRES_HOST_AUTH_METHOD" ]; then
		cat >&2 <<'EOWARN'
********************************************************************************
WARNING: POSTGRES_HOST_AUTH_METHOD has been set to "trust". This will allow
         anyone with access to the Postgres port to access your database without
         a password, even if POSTGRES_PASSWORD is set.
         It is not recommended to use POSTGRES_HOST_AUTH_METHOD=trust.
********************************************************************************
EOWARN
	fi
}

docker_init_database_dir() {
	if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
		set -- --waldir "$POSTGRES_INITDB_WALDIR" "$@"
	fi
	# --pwfile refuses a properly-empty file, hence the "\n" (same as upstream)
	printf '%s\n' "$POSTGRES_PASSWORD" | eval 'initdb --username="$POSTGRES_USER" --pwfile=/dev/stdin '"$POSTGRES_INITDB_ARGS"' "$@"'
}

# quote args for pg_ctl -o (it passes them through /bin/sh -c)
_quote_args() {
	_out=''
	for _a; do
		_out="$_out '$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")'"
	done
	printf '%s' "$_out"
}

docker_temp_server_start() {
	if [ "${1:-}" = 'postgres' ]; then shift; fi
	# internal server for setup: no TCP listener, waits until ready
	set -- "$@" -c listen_addresses= -p "${PGPORT:-5432}"
	PGUSER="${PGUSER:-$POSTGRES_USER}" \
		pg_ctl -D "$PGDATA" -o "$(_quote_args "$@")" -w start
}

docker_temp_server_stop() {
	PGUSER="${PGUSER:-postgres}" \
		pg_ctl -D "$PGDATA" -m fast -w stop
}

pg_setup_hba_conf() {
	if [ "${1:-}" = 'postgres' ]; then shift; fi
	_auth="$(postgres -C password_encryption "$@")"
	: "${POSTGRES_HOST_AUTH_METHOD:=$_auth}"
	{
		printf '\n'
		if [ 'trust' = "$POSTGRES_HOST_AUTH_METHOD" ]; then
			printf '# warning trust is enabled for all connections\n'
			printf '# see https://www.postgresql.org/docs/current/auth-trust.html\n'
		fi
		printf 'host all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD"
	} >> "$PGDATA/pg_hba.conf"
}

docker_process_sql() {
	set -- -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
	if [ -n "$POSTGRES_DB" ]; then
		set -- --dbname "$POSTGRES_DB" "$@"
	fi
	PGHOST= PGHOSTADDR= psql "$@"
}

docker_setup_db() {
	_exists="$(
		psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc \
			--dbname postgres --set db="$POSTGRES_DB" --tuples-only <<'EOSQL'
SELECT 1 FROM pg_database WHERE datname = :'db' ;
EOSQL
	)"
	if [ -z "$(printf '%s' "$_exists" | tr -d ' \n')" ]; then
		psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc \
			--dbname postgres --set db="$POSTGRES_DB" <<'EOSQL'
CREATE DATABASE :"db" ;
EOSQL
		printf '\n'
	fi
}

docker_process_init_files() {
	printf '\n'
	for f; do
		case "$f" in
			*.sh)
				if [ -x "$f" ]; then
					printf '%s: running %s\n' "$0" "$f"
					"$f"
				else
					printf '%s: sourcing %s\n' "$0" "$f"
					. "$f"
				fi
				;;
			*.sql)    printf '%s: running %s\n' "$0" "$f"; docker_process_sql -f "$f"; printf '\n' ;;
			*.sql.gz) printf '%s: running %s\n' "$0" "$f"; gunzip -c "$f" | docker_process_sql; printf '\n' ;;
			*.sql.xz) printf '%s: running %s\n' "$0" "$f"; xzcat "$f" | docker_process_sql; printf '\n' ;;
			*)        printf '%s: ignoring %s\n' "$0" "$f" ;;
		esac
		printf '\n'
	done
}

_pg_want_help() {
	for arg; do
		case "$arg" in
			-'?'|--help|--describe-config|-V|--version) return 0 ;;
		esac
	done
	return 1
}

# "docker run image -c fsync=off" == "docker run image postgres -c fsync=off"
if [ "${1#-}" != "${1:-}" ]; then
	set -- postgres "$@"
fi

if [ "${1:-}" = 'postgres' ] && ! _pg_want_help "$@"; then
	docker_setup_env
	docker_create_db_directories
	if [ "$(id -u)" = '0' ]; then
		# drop root: re-exec this script as postgres (busybox su; no gosu needed).
		# -p keeps the environment; '--' stops su's option parsing.
		export HOME=/var/lib/postgresql
		exec su -p -s /bin/sh postgres -c 'exec "$0" "$@"' -- "$0" "$@"
	fi

	if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
		docker_verify_minimum_env
		ls /docker-entrypoint-initdb.d/ > /dev/null
		docker_init_database_dir
		pg_setup_hba_conf "$@"

		export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
		docker_temp_server_start "$@"

		docker_setup_db
		docker_process_init_files /docker-entrypoint-initdb.d/*

		docker_temp_server_stop
		unset PGPASSWORD

		printf '\nPostgreSQL init process complete; ready for start up.\n\n'
	else
		printf '\nPostgreSQL Database directory appears to contain a database; Skipping initialization\n\n'
	fi
fi

exec "$@"
ENTRYPOINT

# Can the binaries actually run in the rootfs?
smoke_test "${PG_LIB}"/bin/{postgres,initdb,pg_ctl,pg_isready,psql}

# ---------------------------------------------------------------------------
# 5. Import.
# ---------------------------------------------------------------------------
PG_VERSION="$("${PG_LIB}/bin/postgres" --version | awk '{print $3}')"
IMAGE_LANG=C
[ -n "${LOCALE_DIR}" ] && IMAGE_LANG=C.UTF-8
# STOPSIGNAL SIGINT as in the official image: PostgreSQL's "fast" shutdown, which does not wait
# for connected clients to leave (a restart with the pools' clients connected would wait out the timeout).
import_rootfs "PostgreSQL ${PG_VERSION}" \
  "ENV PATH=/usr/local/sbin:/usr/local/bin:${PG_LIB}/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  "ENV PG_MAJOR=${PG_MAJOR}" \
  "ENV PG_VERSION=${PG_VERSION}" \
  "ENV PGDATA=/var/lib/postgresql/data" \
  "ENV LANG=${IMAGE_LANG}" \
  "LABEL org.opencontainers.image.description=\"PostgreSQL ${PG_VERSION} built offline from host packages\"" \
  'EXPOSE 5432' \
  'STOPSIGNAL SIGINT' \
  'USER root' \
  'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
  'CMD ["postgres"]'
