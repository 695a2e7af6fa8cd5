#!/usr/bin/env bash
# The GitHub Action's work, as one script a test (or a person) can run locally.
# Inputs come from SEGAUDIT_* variables (never interpolated into code), results go to
# $GITHUB_STEP_SUMMARY (Markdown) and $GITHUB_OUTPUT (sarif-file, findings, exit-code).
# Exits with segaudit's exit code, so fail-on gates the job; upload the SARIF with if: always().
set -uo pipefail

provider="${SEGAUDIT_PROVIDER:-}"
sarif="${SEGAUDIT_SARIF_FILE:-segaudit.sarif}"
fail_on="${SEGAUDIT_FAIL_ON:-high}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
outputs="${GITHUB_OUTPUT:-/dev/null}"
python="${SEGAUDIT_PYTHON:-python}"

case "$provider" in
  aws|gcp|azure) cmd=(segaudit scan "$provider") ;;
  snapshot) cmd=(segaudit audit) ;;
  *) echo "segaudit action: error: provider must be aws, gcp, azure or snapshot, not '$provider'" >&2
     echo "exit-code=2" >> "$outputs"
     exit 2 ;;
esac

# args: split like a shell would (quotes honoured), without eval; NUL-separated so an
# argument may hold any character. For snapshot, globs (snapshots/*.json) are expanded.
markdown="$(mktemp)"
split="$(mktemp)"
trap 'rm -f "$markdown" "$split"' EXIT
if ! "$python" - "${SEGAUDIT_ARGS:-}" "$provider" > "$split" <<'PY'
import glob, shlex, sys
try:
    args = shlex.split(sys.argv[1])
except ValueError:
    sys.exit(1)
if sys.argv[2] == "snapshot":
    args = [p for a in args for p in (sorted(glob.glob(a)) if any(c in a for c in "*?[") else []) or [a]]
sys.stdout.write("".join(a + "\0" for a in args))
PY
then
  echo "segaudit action: error: args: cannot split (unbalanced quotes?)" >&2
  echo "exit-code=2" >> "$outputs"
  exit 2
fi
mapfile -d '' -t extra < "$split"

options=(--format sarif --output "$sarif" --format markdown --output "$markdown" --format text --fail-on "$fail_on")
[ -n "${SEGAUDIT_ZONES:-}" ] && options+=(--zones "$SEGAUDIT_ZONES")
[ -n "${SEGAUDIT_SUPPRESSIONS:-}" ] && options+=(--suppressions "$SEGAUDIT_SUPPRESSIONS")
[ -n "${SEGAUDIT_CATEGORY:-}" ] && options+=(--sarif-category "$SEGAUDIT_CATEGORY")

mkdir -p "$(dirname "$sarif")"
rm -f "$sarif"  # never report a stale file from an earlier run
"${cmd[@]}" "${extra[@]}" "${options[@]}"
code=$?

findings=0
if [ -s "$sarif" ]; then
  findings="$("$python" - "$sarif" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1], encoding="utf-8"))["runs"]
print(sum(1 for run in runs for r in run["results"] if not r.get("suppressions")))
PY
)" || findings=0
  echo "sarif-file=$sarif" >> "$outputs"
fi
[ -s "$markdown" ] && cat "$markdown" >> "$summary"

# baseline-snapshot: what the snapshot in args opens and closes against it (segaudit diff).
if [ -n "${SEGAUDIT_BASELINE:-}" ] && [ "$code" -ne 2 ]; then
  snapshots=()
  for a in "${extra[@]}"; do [ -f "$a" ] && snapshots+=("$a"); done
  if [ "$provider" != "snapshot" ] || [ "${#snapshots[@]}" -ne 1 ]; then
    echo "segaudit action: error: baseline-snapshot needs provider snapshot and exactly one snapshot file in args" >&2
    code=2
  else
    diff_options=(--format markdown --output "$markdown" --fail-on "$fail_on")
    [ -n "${SEGAUDIT_ZONES:-}" ] && diff_options+=(--zones "$SEGAUDIT_ZONES")
    [ -n "${SEGAUDIT_SUPPRESSIONS:-}" ] && diff_options+=(--suppressions "$SEGAUDIT_SUPPRESSIONS")
    segaudit diff "$SEGAUDIT_BASELINE" "${snapshots[0]}" "${diff_options[@]}"
    diff_code=$?
    [ -s "$markdown" ] && { echo; cat "$markdown"; } >> "$summary"
    if [ "$diff_code" -eq 2 ]; then code=2; elif [ "$diff_code" -eq 1 ] && [ "$code" -eq 0 ]; then code=1; fi
  fi
fi
echo "findings=$findings" >> "$outputs"
echo "exit-code=$code" >> "$outputs"
exit "$code"
