#!/usr/bin/env bash
# The one test command (`npm test`): builds the package, makes sure the Pulumi CLI is in
# .tools/bin, and runs every test suite (unit, provider, resource, test-double, engine) with
# node's test runner. Needs PostgreSQL and MariaDB running (scripts/ensure-services.sh).
# Pass file paths to run only those: npm test -- test/unit/foo.test.ts (CRDB_PROFILE=v24.3 npm test -- …
# runs them against the CockroachDB test server's v24.3 profile).
set -euo pipefail
cd "$(dirname "$0")/.."
export PULUMI_SKIP_UPDATE_CHECK=true

bash scripts/install-pulumi-tools.sh >/dev/null
[ -d policy/node_modules ] || npm ci --prefix policy --no-audit --no-fund --prefer-offline
npm run --silent build

run_tests() {
  node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" \
    --test-timeout="${TEST_TIMEOUT_MS:-600000}" "$@"
}

if [ "$#" -gt 0 ]; then
  run_tests "$@"
  exit
fi

mapfile -t files < <(find test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
run_tests "${files[@]}"

# The CockroachDB-facing tests once more against the previous long-term release (the CockroachDB
# test server reads CRDB_PROFILE; docs/cockroachdb-behaviour.md, "Version profiles").
mapfile -t profiled < <(
  {
    find test/providers/changefeed test/providers/clusterSettings -name '*.test.ts'
    ls test/support/cockroach/{changefeedGrammar,jobs,settings,sourceFidelity}.test.ts
  } | sort
)
CRDB_PROFILE=v24.3 run_tests "${profiled[@]}"
