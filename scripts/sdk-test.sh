#!/usr/bin/env bash
# The official Python SDK as the client (SPEC §13, issue 17): makes a venv,
# installs the pinned alibabacloud-ecs20140526, starts sg-egress-server on
# port 0 with a credentials file and a copy of the demo state (--save), and
# runs scripts/sdk-scenario.py with both signature schemes. The server must
# then stop on SIGTERM with status 0.
#
#   scripts/sdk-test.sh            # venv in target/sdk-venv (reused)
#   SDK_LIFECYCLE=1 scripts/sdk-test.sh   # also Authorize/Revoke/Describe/by id
set -euo pipefail
cd "$(dirname "$0")/.."
SDK_VERSION=7.11.8
target=${CARGO_TARGET_DIR:-target}
venv=${SDK_VENV:-$target/sdk-venv}

cargo build -q -p aliyun-sg-egress-server
server="$target/debug/sg-egress-server"

if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('alibabacloud-ecs20140526') != '$SDK_VERSION')" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "alibabacloud-ecs20140526==$SDK_VERSION"
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
printf '[{"AccessKeyId":"ak-sdk-test","AccessKeySecret":"sk-sdk-test-secret"}]\n' > "$work/credentials.json"
cp examples/demo_state.json "$work/state.json"

"$server" --listen 127.0.0.1:0 --credentials "$work/credentials.json" \
  --state "$work/state.json" --save >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 100); do
  [ -s "$work/stdout" ] && break
  sleep 0.1
done
endpoint=$(sed -n '1s#^listening on http://##p' "$work/stdout")
[ -n "$endpoint" ] || { echo "server did not start"; cat "$work/stderr"; exit 1; }

if ! "$venv/bin/python" scripts/sdk-scenario.py --endpoint "$endpoint" \
    --key ak-sdk-test --secret sk-sdk-test-secret; then
  echo "--- server log"; tail -30 "$work/stderr"; exit 1
fi
grep -q '"Description": "sdk HMAC-SHA1 a+b&c=d\*e~f é中"' "$work/state.json" \
  || { echo "the last acknowledged description is not in the saved state"; exit 1; }
if grep -q 'sk-sdk-test-secret' "$work/stderr"; then echo "the secret was logged"; exit 1; fi

kill -TERM "$server_pid"
status=0; wait "$server_pid" || status=$?
server_pid=
[ "$status" -eq 0 ] || { echo "server exited $status on SIGTERM"; exit 1; }
echo "sdk test passed"
