#!/usr/bin/env bash
# The official Python SDK as the client (SPEC §13, issue 17): makes a venv,
# installs the pinned alibabacloud-ecs20140526, starts sg-egress-server on
# port 0 with a credentials file and a copy of the demo state (--save), and
# runs scripts/sdk-scenario.py with both signature schemes. The server must
# then stop on SIGTERM with status 0.
#
#   scripts/sdk-test.sh              # venv in target/sdk-venv (reused)
#   scripts/sdk-test.sh --venv-only  # only make the venv (.ci/server.sh
#                                    # does it while the server builds)
#
# Every package the SDK pulls in is pinned (PINS below: what pip resolved
# for 7.11.8 on 2026-12-02), so a new release of a dependency cannot change
# the client under test.
set -euo pipefail
cd "$(dirname "$0")/.."
SDK_VERSION=7.11.8
target=${CARGO_TARGET_DIR:-target}
venv=${SDK_VENV:-$target/sdk-venv}

PINS="aiofiles==24.1.0 aiohappyeyeballs==2.7.1 aiohttp==3.14.5 aiosignal==1.4.0
alibabacloud-credentials==1.0.12 alibabacloud-credentials-api==1.0.1
alibabacloud-gateway-spi==0.0.4 alibabacloud-tea==0.4.3
alibabacloud-tea-openapi==0.4.6 alibabacloud-tea-util==0.3.15 APScheduler==3.11.3
attrs==26.1.0 certifi==2026.10.19.post1 cffi==2.1.1 charset-normalizer==3.5.3
cryptography==50.0.2 darabonba-core==1.0.9 frozenlist==1.8.0 idna==3.20
multidict==7.2.1 propcache==0.5.4 pycparser==3.12 requests==2.34.2
typing_extensions==4.16.0 tzlocal==5.4.5 urllib3==2.8.0 websocket-client==1.9.2
yarl==1.25.1"

if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('alibabacloud-ecs20140526') != '$SDK_VERSION')" 2>/dev/null; then
  if ! python3 -m venv "$venv"; then
    # Debian and Ubuntu ship venv's pip apart.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get install -y -q python3-venv >/dev/null
      python3 -m venv "$venv"
    else
      echo "python3 -m venv failed: install python3-venv"; exit 1
    fi
  fi
  constraints="$venv/constraints.txt"
  printf '%s\n' $PINS > "$constraints"
  "$venv/bin/pip" install -q --disable-pip-version-check -c "$constraints" \
    "alibabacloud-ecs20140526==$SDK_VERSION"
fi
[ "${1:-}" = --venv-only ] && exit 0

cargo build -q -p aliyun-sg-egress-server
server="$target/debug/sg-egress-server"

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
