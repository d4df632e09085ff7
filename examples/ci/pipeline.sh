#!/bin/sh
# A CI/CD pipeline's upgrade job against `quickup serve` (SPEC H1, issue 17): plain sh + curl.
# It walks the cut points of the outline design — assess, pre_stop, (the pipeline's own stop and
# deploy), in_stop, (the pipeline's own start), post_start — and stops at the first failure,
# printing the run's summary log and where to get the support bundle.
#
#   QUICKUP_URL=http://127.0.0.1:8770 QUICKUP_TOKEN=… \
#   examples/ci/pipeline.sh release.zip /srv/site-a/env.yaml V2.16.7 V2.17.0 [SERVICE]
#
# The token's `sha256:` line is in the server's --tokens file (`quickup serve --hash-token`).
# env.yaml is a path on the server. SERVICE limits every step to one component.
set -eu

ZIP=$1 ENV_FILE=$2 FROM=$3 TO=$4 SERVICE=${5:-}
URL=${QUICKUP_URL:-http://127.0.0.1:8770}
AUTH="Authorization: Bearer ${QUICKUP_TOKEN:?set QUICKUP_TOKEN}"

say() { printf '[pipeline] %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
# The string value of a top-level JSON field (quickup's answers are flat where this reads them).
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1; }

# call METHOD PATH [JSON]: prints the body; fails the job on an HTTP error, showing quickup's
# error (code, message, hint).
call() {
    out=$(mktemp)
    if [ $# -ge 3 ]; then
        code=$(curl -sS -o "$out" -w '%{http_code}' -X "$1" -H "$AUTH" -H 'Content-Type: application/json' --data "$3" "$URL$2")
    else
        code=$(curl -sS -o "$out" -w '%{http_code}' -X "$1" -H "$AUTH" "$URL$2")
    fi
    body=$(cat "$out"); rm -f "$out"
    case $code in 2??) printf '%s' "$body" ;; *) fail "$1 $2 → HTTP $code: $body" ;; esac
}

upgrade() {
    printf '{"release":"%s","env":"%s","from":"%s","to":"%s"%s%s}' "$RELEASE" "$ENV_FILE" "$FROM" "$TO" \
        "${SERVICE:+,\"service\":\"$SERVICE\"}" "${1:+,\"stage\":\"$1\"}"
}

# stage NAME: starts the stage, follows its events until the run ends, fails the job unless it succeeded.
stage() {
    run=$(call POST /v1/runs "$(upgrade "$1")" | field runId)
    [ -n "$run" ] || fail "no run id for $1"
    say "$1: run $run started; following its events"
    curl -sS -N -H "$AUTH" "$URL/v1/runs/$run/events" | while IFS= read -r line; do
        case $line in "event: "*) printf '[%s] %s\n' "$1" "${line#event: }" >&2 ;; esac
    done
    status=$(call GET "/v1/runs/$run?view=summary" | field status)
    if [ "$status" != succeeded ]; then
        call GET "/v1/runs/$run/logs" | tr ',' '\n' | sed -n 's/.*"text":"\(.*\)"}*/  \1/p' >&2
        fail "$1: run $run $status — fix the cause, then POST $URL/v1/runs/$run/resume (support bundle: GET $URL/v1/runs/$run/bundle)"
    fi
    say "$1: run $run succeeded"
}

[ -r "$ZIP" ] || fail "$ZIP: no such readable file (a release zip from \`quickup pack\`)"
say "uploading $ZIP"
out=$(mktemp)
code=$(curl -sS -o "$out" -w '%{http_code}' -H "$AUTH" -H 'Content-Type: application/zip' --data-binary "@$ZIP" "$URL/v1/releases") || code=000
body=$(cat "$out"); rm -f "$out"
case $code in 2??) ;; *) fail "POST $URL/v1/releases → HTTP $code: $body" ;; esac
RELEASE=$(printf '%s' "$body" | field id)
[ -n "$RELEASE" ] || fail "the release was not accepted: $body"

say "assess"
# The verdict is also in the Quickup-Assessment header, so no JSON parser is needed.
out=$(mktemp)
verdict=$(curl -sS -o "$out" -D - -X POST -H "$AUTH" -H 'Content-Type: application/json' --data "$(upgrade)" \
    "$URL/v1/assessments" | tr -d '\r' | sed -n 's/^[Qq]uickup-[Aa]ssessment: *//p')
body=$(cat "$out"); rm -f "$out"
case $verdict in
    PASS|WARN) say "assessment: $verdict" ;;
    FAIL) fail "assessment: FAIL — POST $URL/v1/assessments shows every check; nothing was run" ;;
    *) fail "assessment: no verdict — $body" ;;
esac

stage pre_stop
say "(the pipeline stops the services and deploys the new packages here)"
stage in_stop
say "(the pipeline starts the services here)"
stage post_start
say "upgrade $FROM → $TO done"
