#!/usr/bin/env bash
# run.sh builds the zohoemu emulator, starts it on loopback with a seeded
# world, runs Zoho's official Node SDK for CRM v8 against it (sdk_check.mjs)
# and stops it. Exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d)"
emu_pid=""
cleanup() {
  if [[ -n "$emu_pid" ]]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$root" && go build -o "$tmp/zohoemu" ./crm/zoho/zohotest/cmd/zohoemu)
if [[ ! -d "$here/node_modules/@zohocrm/nodejs-sdk-8.0" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
fi

"$tmp/zohoemu" -seed 7 -records 500 >"$tmp/info.json" 2>"$tmp/emu.log" &
emu_pid=$!
for _ in $(seq 1 100); do
  [[ -s "$tmp/info.json" ]] && break
  sleep 0.1
done
if [[ ! -s "$tmp/info.json" ]]; then
  echo "zohoemu did not start:" >&2
  cat "$tmp/emu.log" >&2
  exit 1
fi
info="$(head -n1 "$tmp/info.json")"
echo "emulator: $info"
(cd "$here" && node sdk_check.mjs "$info")
