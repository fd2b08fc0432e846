#!/usr/bin/env bash
# Instructions per request of the one-object GET, in process (bench/micro/in-process.ts) under
# callgrind: deterministic where CPU time on this shared machine is not.
# Usage: bench/micro/instructions.sh <tree> <sif|baseline> <json|xml> [n] [warmup]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
tree=$(cd "$1" && pwd); kind=$2; format=$3; n=${4:-4000}; warmup=${5:-6000}
out=$(mktemp -d /tmp/sif3-callgrind-XXXXXX)
# The driver is this tree's; the app and baseline it loads are those of <tree>.
cd "$here"
# tsconfig paths (`sif3-direct` → lib/index.ts) must resolve inside <tree>, not in this one.
TSX_TSCONFIG_PATH="$tree/tsconfig.json" valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/cg.%p" \
  node --expose-gc --import tsx bench/micro/in-process.ts "$kind" "$format" --tree "$tree" --n "$n" --warmup "$warmup" --callgrind >"$out/stdout" 2>"$out/stderr" || { cat "$out/stderr" >&2; exit 1; }
dump=$(ls "$out"/cg.*.1)
ir=$(grep '^summary:' "$dump" | awk '{print $2}')
echo "$kind $format ($tree): $((ir / n)) instructions per request (callgrind Ir, $n requests after $warmup; dump $dump)"
