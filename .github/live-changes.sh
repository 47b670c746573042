#!/usr/bin/env bash
# Per scenario, what the fresh live recording (cassettes/test_live) changed against the committed copy in $1:
# status, error findings that appeared or went, undocumented fields. Appends to $GITHUB_STEP_SUMMARY.
# Run by the live job of .github/workflows/contract.yml; nothing here needs GitHub.
set -euo pipefail
committed="${1:?usage: live-changes.sh COMMITTED_DIR}"
report_dir="${REPORT_DIR:-reports}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
mkdir -p "$report_dir" "$committed" cassettes/test_live

# Exit 1 (findings) is the live step's news; only 2 (could not check) stops this step.
for side in committed:"$committed" recorded:cassettes/test_live; do
  status=0
  aimlapi-contract check --cassettes "${side#*:}" --format json --output "$report_dir/live-${side%%:*}.json" || status=$?
  if [ "$status" -ge 2 ]; then
    echo "::error title=aimlapi-contract::checking ${side#*:} failed (exit $status)"
    exit "$status"
  fi
done
python -m aimlapi_contract.live.changes "$report_dir/live-committed.json" "$committed" \
  "$report_dir/live-recorded.json" cassettes/test_live --output "$report_dir/live-changes.md"
cat "$report_dir/live-changes.md" >> "$summary"
