#!/usr/bin/env bash
# The one test command (`npm test`): builds the package, makes sure the Pulumi CLI is in
# .tools/bin, and runs every test suite (unit, provider, resource, test-double, engine) with
# node's test runner. Needs PostgreSQL and MariaDB running (scripts/ensure-services.sh).
# Pass file paths to run only those: npm test -- test/unit/foo.test.ts
set -euo pipefail
cd "$(dirname "$0")/.."
export PULUMI_SKIP_UPDATE_CHECK=true

bash scripts/install-pulumi-tools.sh >/dev/null
[ -d policy/node_modules ] || npm ci --prefix policy --no-audit --no-fund --prefer-offline
npm run --silent build

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(find test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
fi
exec node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" \
  --test-timeout="${TEST_TIMEOUT_MS:-600000}" "${files[@]}"
