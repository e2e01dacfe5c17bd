#!/usr/bin/env bash
# run.sh builds the Salesforce emulator (crm/salesforce/sftest/cmd/sfemu),
# starts it on loopback with a seeded world, runs the jsforce check against
# it and stops it. Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d)"
pid=""
cleanup() {
	if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$root" && go build -o "$tmp/sfemu" ./crm/salesforce/sftest/cmd/sfemu)
if [[ ! -d "$here/node_modules/jsforce" ]]; then
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

"$tmp/sfemu" -records "${SFEMU_RECORDS:-6000}" -seed "${SFEMU_SEED:-7}" >"$tmp/info.json" 2>"$tmp/sfemu.log" &
pid=$!
for _ in $(seq 1 300); do
	[[ -s "$tmp/info.json" ]] && break
	if ! kill -0 "$pid" 2>/dev/null; then cat "$tmp/sfemu.log" >&2; echo "sfemu exited early" >&2; exit 1; fi
	sleep 0.1
done
[[ -s "$tmp/info.json" ]] || { echo "sfemu did not start" >&2; exit 1; }

SF_EMU_JSON="$(head -n1 "$tmp/info.json")" node "$here/check.js"
