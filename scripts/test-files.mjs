// The compiled test files under the given folders or files, as `node --test` finds them (its default
// name patterns; node_modules skipped), sorted by path. Shared by scripts/test.mjs and
// scripts/time-tests.mjs so that both run the same set.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const TEST_FILE = /(\.test|-test|_test)\.[cm]?js$|(^|\/)test-[^/]*\.[cm]?js$/;

export function testFiles(roots) {
  const walk = (p, acc) => {
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p)) if (e !== 'node_modules') walk(join(p, e), acc);
    } else if (TEST_FILE.test(p)) acc.push(resolve(p));
    return acc;
  };
  return [...new Set(roots.flatMap((r) => walk(r, [])))].sort();
}
