#!/usr/bin/env bash
# tandem's gate in someone else's CI: the one script behind action.yml (GitHub Actions),
# ci/gitlab-ci.yml (GitLab) and .pre-commit-hooks.yaml, so that all three behave the same and one
# test (tests/it/ci_integration.rs) covers them.
#
#   scripts/ci-check.sh [--base REV] [--format FORMAT] [--sarif FILE] [--config FILE] [PATH...]
#
# --base REV      check only the migrations added or changed since REV (a pull request's base),
#                 against the schema as it was there; without it, PATHs or the registry's directory
# --format F      what to print: github (annotations on the migration lines), text, markdown, json
# --sarif FILE    also write SARIF there (GitHub code scanning, GitLab's SAST widget)
# Exit status: tandem's own — 0 pass, 1 blocked, 2 bad input, 3 internal error.
# $TANDEM names the binary (default: tandem on the PATH).
set -euo pipefail

tandem=${TANDEM:-tandem}
base="" format=text sarif="" config=""
paths=()
while (($#)); do
  case $1 in
    --base) base=$2; shift 2 ;;
    --format) format=$2; shift 2 ;;
    --sarif) sarif=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --) shift; paths+=("$@"); break ;;
    -*) echo "ci-check: unknown option $1" >&2; exit 2 ;;
    *) paths+=("$1"); shift ;;
  esac
done

args=(check)
[[ -n $config ]] && args+=(--config "$config")
if [[ -n $base ]]; then
  # CI checkouts are often shallow: fetch the base commit when it is not here, and say so
  # plainly when it cannot be had (a pass without it would check nothing).
  if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
    git fetch --quiet --depth=1 origin "$base" 2>/dev/null || {
      echo "ci-check: the base revision $base is not in this clone and could not be fetched; fetch it (fetch-depth: 0) or pass another --base" >&2
      exit 2
    }
  fi
  args+=(--since "$base")
fi

status=0
"$tandem" "${args[@]}" --format "$format" "${paths[@]}" || status=$?
if [[ -n $sarif ]] && ((status <= 1)); then
  # The second run answers from the scan cache; its verdict is the first one's.
  "$tandem" -q "${args[@]}" --format sarif "${paths[@]}" >"$sarif" || (($? <= 1))
fi
exit "$status"
