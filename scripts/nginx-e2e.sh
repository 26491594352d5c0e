#!/usr/bin/env bash
# End to end through a real nginx: nginx (auth_request, configured as scripts/nginx.conf.example)
# in front of a toy upstream, asking `iamc serve` (from dist/) about every request, on loopback
# ports in a temporary directory. Checks allow, implicit and explicit deny, a bad and a missing
# token, a malformed path, a forged header, and a hot reload that flips a decision.
#
# Prints `PASS nginx-e2e: N checks` and exits 0; or `FAIL nginx-e2e: ...` with the curl output
# and the logs, exit 1. Without nginx (and unable to install it: scripts/install-nginx.sh) it
# prints `SKIPPED: nginx is not installed and could not be installed (REASON)` and exits 0.
# Everything it starts is stopped on exit; it takes well under a minute once nginx is there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="$ROOT/dist/compiler/cli.js"
EXAMPLE="$ROOT/scripts/nginx.conf.example"

skip() {
  echo "SKIPPED: $*"
  exit 0
}

# --- nginx, installed if it can be ---------------------------------------------------------------
find_nginx() {
  command -v nginx 2>/dev/null && return 0
  [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx && return 0
  return 1
}
if ! NGINX="$(find_nginx)"; then
  reason="$(bash "$ROOT/scripts/install-nginx.sh" 2>&1 | tail -n 1 | sed 's/^install-nginx: //')"
  NGINX="$(find_nginx)" || skip "nginx is not installed and could not be installed (${reason:-no reason given})"
fi
if ! "$NGINX" -V 2>&1 | grep -q -- --with-http_auth_request_module; then
  skip "nginx is not installed and could not be installed (the nginx at $NGINX was built without http_auth_request_module)"
fi
command -v curl >/dev/null 2>&1 || skip "nginx is not installed and could not be installed (no curl to test it with)"

if [ ! -f "$CLI" ]; then
  (cd "$ROOT" && npx tsc -p tsconfig.build.json >/dev/null) || true
  [ -f "$CLI" ] || { echo "FAIL nginx-e2e: $CLI is missing and the build did not make it"; exit 1; }
fi

# --- a temporary directory, and everything stopped on exit ---------------------------------------
DIR="$(mktemp -d "${TMPDIR:-/tmp}/iamc-nginx-e2e.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# nginx's workers drop root privileges and still need to reach their temp directories
chmod 755 "$DIR"
mkdir -p "$DIR/ws" "$DIR/tmp" && chmod 777 "$DIR/tmp"

fail() {
  echo "FAIL nginx-e2e: $*"
  for log in serve.log upstream.log error.log; do
    [ -s "$DIR/$log" ] && { echo "--- $log (last 30 lines)"; tail -n 30 "$DIR/$log"; }
  done
  exit 1
}

# waits up to $1 tenths of a second for a command to succeed
wait_for() {
  local tries="$1"; shift
  for _ in $(seq "$tries"); do "$@" && return 0; sleep 0.1; done
  return 1
}

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# --- the workspace: alice reads acme's objects but not its secrets; revision 2 also lets her write -
write_workspace() {
  local writes="$1"
  node - "$DIR/ws/iamc.json" "$writes" <<'EOF'
const [file, writes] = process.argv.slice(2);
const statements = [
  { Sid: "ReadObjects", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme/*" },
  { Sid: "NoSecrets", Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::acme/secret/*" },
];
if (writes === "yes") statements.push({ Sid: "WriteObjects", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::acme/*" });
require("fs").writeFileSync(file, JSON.stringify({
  model: "aws",
  policies: [{ id: "Store", document: { Version: "2012-10-17", Statement: statements } }],
  accounts: [{ id: "111111111111" }],
  principals: [{ id: "arn:aws:iam::111111111111:user/alice", account: "111111111111", policies: ["Store"] }],
}, null, 2));
EOF
}
compile() {
  node "$CLI" compile "$DIR/ws/iamc.json" -o "$DIR/store.iamc" --revision "$1" >"$DIR/compile.log" 2>&1 \
    || { cat "$DIR/compile.log"; fail "compile --revision $1 failed"; }
}
write_workspace no
compile 1

cat >"$DIR/mapping.json" <<'EOF'
{
  "principal": { "jwt": { "claim": "sub", "template": "arn:aws:iam::111111111111:user/{value}" }, "required": true },
  "routes": [
    { "method": ["GET", "HEAD"], "path": "/buckets/:bucket/objects/*key", "action": "s3:GetObject", "resource": "arn:aws:s3:::{bucket}/{key}" },
    { "method": "PUT", "path": "/buckets/:bucket/objects/*key", "action": "s3:PutObject", "resource": "arn:aws:s3:::{bucket}/{key}" }
  ],
  "context": { "aws:SourceIp": "{ip}", "aws:SecureTransport": "{secure}" }
}
EOF
printf 'a shared secret of at least thirty-two bytes\n' >"$DIR/jwt.secret"

# HS256 tokens, made the way any issuer makes them
token() {
  node - "$DIR/jwt.secret" "$1" <<'EOF'
const crypto = require("crypto");
const [secretFile, sub] = process.argv.slice(2);
const secret = require("fs").readFileSync(secretFile, "utf8").replace(/\n$/, "");
const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const input = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub, exp: Math.floor(Date.now() / 1000) + 600 })}`;
process.stdout.write(`${input}.${crypto.createHmac("sha256", secret).update(input).digest("base64url")}`);
EOF
}
ALICE_TOKEN="$(token alice)"
FORGED_TOKEN="${ALICE_TOKEN%?}A"
[ "$FORGED_TOKEN" != "$ALICE_TOKEN" ] || FORGED_TOKEN="${ALICE_TOKEN%?}B"

# --- the toy upstream: echoes the x-iamc-* headers it received, logs every request -----------------
cat >"$DIR/upstream.cjs" <<'EOF'
const http = require("http");
const fs = require("fs");
const [portFile, hitsFile] = process.argv.slice(2);
const server = http.createServer((req, res) => {
  fs.appendFileSync(hitsFile, `${req.method} ${req.url}\n`);
  const seen = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name.startsWith("x-iamc-")));
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ upstream: "toy", method: req.method, url: req.url, headers: seen }) + "\n");
});
server.listen(0, "127.0.0.1", () => fs.writeFileSync(portFile, String(server.address().port)));
EOF
: >"$DIR/hits.log"
node "$DIR/upstream.cjs" "$DIR/upstream.port" "$DIR/hits.log" >"$DIR/upstream.log" 2>&1 &
PIDS+=($!)
wait_for 50 test -s "$DIR/upstream.port" || fail "the toy upstream did not start"
APP_PORT="$(cat "$DIR/upstream.port")"

# --- iamc serve --------------------------------------------------------------------------------------
node "$CLI" serve "$DIR/store.iamc" --mapping "$DIR/mapping.json" --port 0 --interval 100 \
  --jwt-key "$DIR/jwt.secret" --jwt-alg HS256 >"$DIR/decisions.log" 2>"$DIR/serve.log" &
PIDS+=($!)
wait_for 100 grep -q "listening on" "$DIR/serve.log" || fail "iamc serve did not start"
IAMC_PORT="$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DIR/serve.log" | head -n 1)"
[ -n "$IAMC_PORT" ] || fail "iamc serve's listening line has no port"

# --- nginx, with the documented configuration --------------------------------------------------------
NGINX_PORT="$(free_port)"
{
  echo "worker_processes 1;"
  echo "pid $DIR/nginx.pid;"
  echo "error_log $DIR/error.log info;"
  echo "events { worker_connections 64; }"
  echo "http {"
  echo "  access_log $DIR/access.log;"
  for temp in client_body proxy fastcgi uwsgi scgi; do echo "  ${temp}_temp_path $DIR/tmp/$temp;"; done
  sed -e "s/127\.0\.0\.1:8181/127.0.0.1:$IAMC_PORT/" -e "s/127\.0\.0\.1:8080/127.0.0.1:$APP_PORT/" \
      -e "s/^\([[:space:]]*\)listen 80;/\1listen 127.0.0.1:$NGINX_PORT;/" "$EXAMPLE"
  echo "}"
} >"$DIR/nginx.conf"
grep -q "listen 127.0.0.1:$NGINX_PORT;" "$DIR/nginx.conf" || fail "nginx.conf.example no longer has the lines this script rewrites"
ERROR_FLAG=()
"$NGINX" -h 2>&1 | grep -q -- " -e " && ERROR_FLAG=(-e "$DIR/error.log")
"$NGINX" -t -p "$DIR" "${ERROR_FLAG[@]}" -c "$DIR/nginx.conf" >"$DIR/nginx-t.log" 2>&1 \
  || { cat "$DIR/nginx-t.log"; fail "nginx -t refused the configuration"; }
"$NGINX" -p "$DIR" "${ERROR_FLAG[@]}" -c "$DIR/nginx.conf" -g 'daemon off;' >>"$DIR/error.log" 2>&1 &
PIDS+=($!)
wait_for 100 curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$NGINX_PORT/" || fail "nginx did not start"

# --- the checks --------------------------------------------------------------------------------------
CHECKS=0
BASE="http://127.0.0.1:$NGINX_PORT"
STATUS=""
# request NAME CURL-ARGS...: one request through nginx; the status, headers and body are kept
request() {
  NAME="$1"; shift
  STATUS="$(curl -s --path-as-is --max-time 5 -o "$DIR/body" -D "$DIR/headers" -w '%{http_code}' "$@")" || STATUS="curl-failed"
}
show() {
  echo "--- response headers"; cat "$DIR/headers" 2>/dev/null || true
  echo "--- response body"; cat "$DIR/body" 2>/dev/null || true
}
expect_status() {
  CHECKS=$((CHECKS + 1))
  [ "$STATUS" = "$1" ] || { show; fail "$NAME: wanted status $1, got $STATUS"; }
}
expect_header() {
  CHECKS=$((CHECKS + 1))
  local value
  value="$(grep -i "^$1:" "$DIR/headers" | head -n 1 | cut -d: -f2- | sed 's/^ *//' | tr -d '\r')"
  [ "$value" = "$2" ] || { show; fail "$NAME: wanted header $1: $2, got '${value}'"; }
}
expect_body() {
  CHECKS=$((CHECKS + 1))
  grep -qF -- "$1" "$DIR/body" || { show; fail "$NAME: wanted the body to hold $1"; }
}
expect_not_reached() {
  CHECKS=$((CHECKS + 1))
  ! grep -qF -- "$1" "$DIR/hits.log" || fail "$NAME: the upstream was reached with $1"
}
ALICE=(-H "Authorization: Bearer $ALICE_TOKEN")

request "allowed" "${ALICE[@]}" "$BASE/buckets/acme/objects/reports/q1.csv"
expect_status 200
expect_header X-Iamc-Decision Allow
expect_header X-Iamc-Statement "Store#ReadObjects"
expect_header X-Iamc-Revision 1
expect_body '"upstream":"toy"'
expect_body '"x-iamc-principal":"arn:aws:iam::111111111111:user/alice"'
expect_body '"x-iamc-decision":"Allow"'

request "a forged principal header" "${ALICE[@]}" -H "X-Iamc-Principal: arn:aws:iam::111111111111:root" "$BASE/buckets/acme/objects/a"
expect_status 200
expect_body '"x-iamc-principal":"arn:aws:iam::111111111111:user/alice"'

request "implicit deny" "${ALICE[@]}" "$BASE/buckets/other/objects/a"
expect_status 403
expect_header X-Iamc-Decision ImplicitDeny
expect_not_reached "/buckets/other/objects/a"

request "explicit deny" "${ALICE[@]}" "$BASE/buckets/acme/objects/secret/keys.txt"
expect_status 403
expect_header X-Iamc-Decision ExplicitDeny
expect_header X-Iamc-Statement "Store#NoSecrets"
expect_not_reached "/secret/"

request "a bad token" -H "Authorization: Bearer $FORGED_TOKEN" "$BASE/buckets/acme/objects/a"
expect_status 401
expect_header WWW-Authenticate 'Bearer error="invalid_token"'
expect_header X-Iamc-Code IAMC7103

request "no token" "$BASE/buckets/acme/objects/a"
expect_status 401
expect_header WWW-Authenticate Bearer

request "a malformed path" "${ALICE[@]}" "$BASE/buckets/acme/objects/x/../secret/keys.txt"
expect_status 403
expect_header X-Iamc-Decision Refused
expect_header X-Iamc-Code IAMC7102
expect_not_reached "/x/../"

request "no route" "${ALICE[@]}" -X DELETE "$BASE/buckets/acme/objects/a"
expect_status 403
expect_header X-Iamc-Code IAMC7101

request "a write before the reload" "${ALICE[@]}" -X PUT "$BASE/buckets/acme/objects/new.txt"
expect_status 403
expect_header X-Iamc-Decision ImplicitDeny

# hot reload: revision 2 lets alice write
write_workspace yes
compile 2
reloaded() { curl -s --max-time 1 "http://127.0.0.1:$IAMC_PORT/.iamc/health" | grep -q "ok revision 2"; }
wait_for 100 reloaded || fail "iamc serve did not load revision 2 within 10 s"
CHECKS=$((CHECKS + 1))
grep -q "loaded .*store.iamc (revision 2)" "$DIR/serve.log" || fail "iamc serve did not log the reload"

request "a write after the reload" "${ALICE[@]}" -X PUT "$BASE/buckets/acme/objects/new.txt"
expect_status 200
expect_header X-Iamc-Statement "Store#WriteObjects"
expect_header X-Iamc-Revision 2
expect_body '"method":"PUT"'

# a tampered bundle is refused; revision 2 keeps serving
cp "$DIR/store.iamc" "$DIR/tampered.iamc"
printf '\xff' | dd of="$DIR/tampered.iamc" bs=1 seek=64 conv=notrunc 2>/dev/null
mv "$DIR/tampered.iamc" "$DIR/store.iamc"
wait_for 100 grep -q "rejected .*store.iamc" "$DIR/serve.log" || fail "iamc serve did not reject the tampered bundle"
request "after a tampered bundle" "${ALICE[@]}" -X PUT "$BASE/buckets/acme/objects/new.txt"
expect_status 200
expect_header X-Iamc-Revision 2

echo "PASS nginx-e2e: $CHECKS checks ($("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), auth_request to iamc serve, hot reload)"
