#!/usr/bin/env bash
# Checks the README's quick start from a clean clone of the current commit, exactly as a new user types it:
#   ./vfs mount memory: DIR --daemon; use DIR; ./vfs cache stats (none yet: one line, exit 1); ./vfs unmount DIR.
# Usage: scripts/quickstart-check.sh   (a CI step after ./test: about a minute, one Release build of a fresh clone)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/vfs-quickstart-XXXXXX)"
mnt="$work/mnt"
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount3 -u -z "$mnt" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

git clone -q "$repo" "$work/clone"
git -C "$work/clone" checkout -q "$(git -C "$repo" rev-parse HEAD)"
cd "$work/clone"
mkdir "$mnt"
export XDG_CACHE_HOME="$work/cache" # a fresh user: no caches yet

step() { echo "+ $*" >&2; "$@"; }
step ./vfs mount memory: "$mnt" --daemon
echo hello > "$mnt/hello.txt"
mkdir "$mnt/dir"
[ "$(cat "$mnt/hello.txt")" = hello ] || { echo "quick start: read back failed" >&2; exit 1; }
[ "$(ls "$mnt" | tr '\n' ' ')" = "dir hello.txt " ] || { echo "quick start: listing differs: $(ls "$mnt")" >&2; exit 1; }
set +e
stats="$(./vfs cache stats 2>&1)"; rc=$?
set -e
[ $rc -eq 1 ] && [[ "$stats" == "vfs: no content cache under"* ]] || { echo "quick start: cache stats said ($rc): $stats" >&2; exit 1; }
step ./vfs unmount "$mnt"
if mountpoint -q "$mnt"; then echo "quick start: still mounted after ./vfs unmount" >&2; exit 1; fi
echo "quick start: ok"
