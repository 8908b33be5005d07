#!/usr/bin/env bash
# Writes the fixture of LegacyMigrationTests: a data directory produced by the release before the
# segment store (commit 74c1fc1, memories in pika.sqlite), and what that release answered about it.
#
# Usage: Tests/PikaServiceTests/Fixtures/make-legacy-fixture.sh OLD_PIKA_BINARY
# (build it with: git worktree add /tmp/old 74c1fc1 && cd /tmp/old && swift build -c release --product pika)
set -euo pipefail
PIKA=${1:?usage: make-legacy-fixture.sh OLD_PIKA_BINARY}
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="$HERE/release-74c1fc1"
DATA=$(mktemp -d /tmp/pika-legacy.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEY="crash-test-admin-key-0123456789"
PIKA_LOG_LEVEL=warning "$PIKA" serve --data-dir "$DATA" --port "$PORT" --api-key "$KEY" --embedder hashing --workers 1 \
  > "$DATA/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$PORT/readyz" > /dev/null 2>&1 && break; sleep 0.1; done
python3 - "$PORT" "$KEY" "$OUT/expected.json" <<'PY'
import json, sys, urllib.request
port, key, out = sys.argv[1], sys.argv[2], sys.argv[3]
def call(method, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"X-API-Key": key, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        text = r.read()
        return json.loads(text) if text else {}
add = lambda user, text, infer=True: call("POST", "/v1/memories", {"user_id": user, "messages": text, "infer": infer, "async": False})
add("lan", "My name is Lan. I like cats. My dog is called Bim.")
add("lan", "My name is Linh.")                       # UPDATE of the name
add("lan", "We went to the zoo with grandma", infer=False)
gone = add("lan", "I played football today", infer=False)["results"][0]["id"]
call("DELETE", f"/v1/memories/{gone}")
for n in range(30):
    add(f"user{n % 3}", f"note {n} about kites and rivers", infer=False)
expected = {"users": {}, "histories": {}, "deleted": gone, "searches": {}}
for user in ["lan", "user0", "user1", "user2"]:
    items = call("GET", f"/v1/memories?user_id={user}&limit=100")["results"]
    expected["users"][user] = sorted([{"id": m["id"], "memory": m["memory"]} for m in items], key=lambda m: m["id"])
    for m in items:
        expected["histories"][m["id"]] = [[h["event"], h.get("old_memory"), h.get("new_memory")] for h in call("GET", f"/v1/memories/{m['id']}/history")["results"]]
expected["histories"][gone] = [[h["event"], h.get("old_memory"), h.get("new_memory")] for h in call("GET", f"/v1/memories/{gone}/history")["results"]]
for user, query in [("lan", "what is the dog called"), ("user1", "note 4 about kites")]:
    expected["searches"][f"{user}|{query}"] = [r["id"] for r in call("POST", "/v1/memories/search", {"user_id": user, "query": query, "mode": "vector", "limit": 3})["results"]]
json.dump(expected, open(out, "w"), indent=1, sort_keys=True)
PY
kill -TERM "$SERVER"; wait "$SERVER" || true
sqlite3 "$DATA/pika.sqlite" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
cp "$DATA/pika.sqlite" "$OUT/pika.sqlite"
echo "wrote $OUT"
