#!/usr/bin/env bash
# The FUSE adapter's cost: the same work on a local directory directly and through `vfs mount local:DIR`.
# Sequential write and read of one large file (1 MiB blocks) and create/stat/unlink of many small files;
# prints each figure and the ratio (through the mount / direct; 1.00 = no cost).
# Usage: bench/fuse-local.sh [SIZE_MIB=1024] [FILES=5000]
# BENCH_MOUNT=bindfs measures bindfs (a libfuse high-level filesystem, with -o kernel_cache) instead: a peer reference
# for what any FUSE mount costs on this machine. Extra `vfs mount` options may be given in BENCH_VFS_OPTIONS.
# Reads are measured cold (caches dropped, when this user may) and warm (second read). Writes end with fdatasync,
# so both sides pay the disk; "cached" writes are also shown (page cache only). Not a test: run it by hand.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
size_mib="${1:-1024}"
files="${2:-5000}"
work="$(mktemp -d /tmp/vfs-bench-XXXXXX)"
backing="$work/backing"
mnt="$work/mnt"
mkdir -p "$backing/direct" "$mnt"
daemon_pid=""

cleanup() {
  if grep -q " $mnt " /proc/self/mountinfo; then fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -uz "$mnt"; fi
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    kill "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

drop_caches() { sync; if [ -w /proc/sys/vm/drop_caches ]; then echo 3 > /proc/sys/vm/drop_caches; fi; }
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

if [ "${BENCH_MOUNT:-vfs}" = bindfs ]; then
  bindfs -o kernel_cache "$backing" "$mnt"
else
  # shellcheck disable=SC2086 # options are words on purpose
  out=$("$root/vfs" mount "local:$backing" "$mnt" --daemon ${BENCH_VFS_OPTIONS:-} 2>&1)
  daemon_pid=$(sed -n 's/.*(pid \([0-9]*\).*/\1/p' <<<"$out")
fi
mkdir -p "$mnt/fuse"

declare -A t
run() { # name dir command...
  local name=$1 dir=$2; shift 2
  local start; start=$(now)
  (cd "$dir" && "$@")
  t[$name]=$(seconds "$start" "$(now)")
}

write_big()      { dd if=/dev/zero of=big bs=1M count="$size_mib" conv=fdatasync status=none; }
write_cached()   { dd if=/dev/zero of=big2 bs=1M count="$size_mib" status=none; rm -f big2; }
read_big()       { dd if=big of=/dev/null bs=1M status=none; }
create_small()   { for i in $(seq "$files"); do echo x > "f$i"; done; }
stat_small()     { stat -c %s f* > /dev/null; }
unlink_small()   { rm -f f*; }

for side in direct fuse; do
  dir="$backing/direct"; [ "$side" = fuse ] && dir="$mnt/fuse"
  drop_caches
  run "$side.write" "$dir" write_big
  run "$side.write_cached" "$dir" write_cached
  drop_caches
  run "$side.read_cold" "$dir" read_big
  run "$side.read_warm" "$dir" read_big
  rm -f "$dir/big"
  run "$side.create" "$dir" create_small
  run "$side.stat" "$dir" stat_small
  run "$side.unlink" "$dir" unlink_small
done

printf '%-28s %12s %12s %8s\n' "operation" "direct" "mount" "ratio"
rate() { awk -v mib="$1" -v s="$2" 'BEGIN { printf "%.0f MiB/s", mib / s }'; }
ops()  { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f /s", n / s }'; }
ratio() { awk -v d="$1" -v f="$2" 'BEGIN { printf "%.2f", d / f }'; }
for op in write write_cached read_cold read_warm; do
  printf '%-28s %12s %12s %8s\n' "seq $op (${size_mib} MiB, 1 MiB)" "$(rate "$size_mib" "${t[direct.$op]}")" \
    "$(rate "$size_mib" "${t[fuse.$op]}")" "$(ratio "${t[direct.$op]}" "${t[fuse.$op]}")"
done
for op in create stat unlink; do
  printf '%-28s %12s %12s %8s\n' "$op ($files small files)" "$(ops "$files" "${t[direct.$op]}")" \
    "$(ops "$files" "${t[fuse.$op]}")" "$(ratio "${t[direct.$op]}" "${t[fuse.$op]}")"
done
echo "(mount: ${BENCH_MOUNT:-vfs}; ratio = direct time / mount time: 1.00 means the mount costs nothing; load: $(cut -d' ' -f1-3 /proc/loadavg))"
