#!/usr/bin/env bash
# A real workload on a mounted overlay, the same on every mount it is compared across:
#   workload.sh MOUNT TARBALL OUT
# untars TARBALL into MOUNT, edits what it unpacked the way people and tools do (sed -i, appends,
# chmod, directory renames, removals, hard links, a git commit), then removes everything with
# rm -rf. After each stage it writes what the mount shows to OUT: every entry (type, mode, size,
# link count, path, symlink target; directories without size and link count, which overlayfs
# leaves to the filesystem) and every file's sha256, and to OUT/seconds each stage's wall time.
# Deterministic: choices are by sorted order.
set -euo pipefail
mount=$1 tarball=$2 out=$3
export LC_ALL=C
cd "$mount"

snapshot() {
  { find . -mindepth 1 -type d -printf 'd %#m %P\n'
    find . -mindepth 1 ! -type d -printf '%y %#m %s %n %P -> %l\n'; } | sort > "$out/entries.$1"
  find . -type f ! -path '*/.git/index' -print0 | sort -z | xargs -0 -r sha256sum > "$out/sha256.$1"
}

every() { awk -v n="$1" -v k="$2" 'NR % n == k'; }

started=$(date +%s.%N)
timed() {  # timed STAGE: the seconds since the last stage ended
  local now; now=$(date +%s.%N)
  awk -v stage="$1" -v a="$now" -v b="$started" 'BEGIN { printf "%s %.3f\n", stage, a - b }' >> "$out/seconds"
  started=$now
}

: > "$out/seconds"
tar -xf "$tarball"
timed untar
snapshot untarred
timed list+hash

find . -type f -name '*.txt' | sort | every 9 1 | xargs -d '\n' -r sed -i 's/e/E/g'
find . -type f | sort | every 13 2 | while IFS= read -r f; do echo appended >> "$f"; done
find . -type f | sort | every 17 3 | xargs -d '\n' -r chmod 0600
find . -type f | sort | every 29 4 | xargs -d '\n' -r rm -f
find . -type f | sort | every 31 6 | while IFS= read -r f; do ln "$f" "$f.link"; done
# Deepest first, so a renamed directory never hides another one still to rename.
find . -mindepth 1 -type d | sort -r | every 23 5 | while IFS= read -r d; do mv "$d" "$d.moved"; done
first=$(find . -mindepth 1 -maxdepth 1 -type d | sort | head -n 1)
( cd "$first"
  export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
  export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
  # No automatic gc: it detaches, runs on during rm -rf and writes its host and pid.
  git -c init.defaultBranch=main init -q . && git add -A && git -c gc.auto=0 commit -q -m tree )
timed edit+git
snapshot modified
timed list+hash

rm -rf -- ./* ./.[!.]*
timed rm-rf
snapshot removed
