#!/usr/bin/env bash
# Write every report of one `aimlapi-contract check` run into $REPORT_DIR and append the Markdown
# summary to $GITHUB_STEP_SUMMARY. Run by .github/workflows/contract.yml, and locally by its dry-run
# test: nothing here needs GitHub.
set -euo pipefail
report_dir="${REPORT_DIR:-reports}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
mkdir -p "$report_dir"

status=0
aimlapi-contract check \
  --format html --output "$report_dir/contract.html" \
  --format sarif --output "$report_dir/contract.sarif" \
  --format json --output "$report_dir/contract.json" \
  --format markdown --output "$report_dir/summary.md" || status=$?

if [ -f "$report_dir/summary.md" ]; then
  cat "$report_dir/summary.md" >> "$summary"
fi
# 1 means new findings: the pytest step already failed on them, and the reports must still be uploaded.
# 2 means nothing could be checked: that is this step's failure.
if [ "$status" -ge 2 ]; then
  echo "::error title=aimlapi-contract::the contract check could not run (exit $status)"
  exit "$status"
fi
