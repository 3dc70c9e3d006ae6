/**
 * @module web/build
 * Build the dashboard when needed: when `dist/web/` is missing or older than any file of `web/`,
 * `src/` or `data/`, run `scripts/build-web.mjs` (esbuild). An installed package ships a built
 * `dist/web/` and no build script, so it is served as it is.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The package root (dist/web/build.js -> ../../). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.') || /\.(md|test\.ts)$|testutil\.ts$/.test(e.name))
      continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Whether `dist/web/` is missing or older than its sources. */
export function isStale(root = PACKAGE_ROOT): boolean {
  const stamp = join(root, 'dist', 'web', 'index.html');
  if (!existsSync(stamp) || !existsSync(join(root, 'dist', 'web', 'assets.json'))) return true;
  const built = statSync(stamp).mtimeMs;
  return ['src', 'data'].some((d) => newest(join(root, d)) > built);
}

export interface EnsureResult {
  dir: string;
  built: boolean;
  /** Why the build was skipped or could not run, when it was. */
  note?: string;
}

/** Build `dist/web/` if it is stale and the build script is there; throw if there is nothing to serve. */
export async function ensureBuilt(root = PACKAGE_ROOT): Promise<EnsureResult> {
  const dir = join(root, 'dist', 'web');
  const script = join(root, 'scripts', 'build-web.mjs');
  if (!isStale(root)) return { dir, built: false };
  if (existsSync(script)) {
    try {
      const mod = (await import(pathToFileURL(script).href)) as {
        buildWeb: (o: { root: string; quiet?: boolean }) => Promise<void>;
      };
      await mod.buildWeb({ root, quiet: true });
      return { dir, built: true };
    } catch (err) {
      if (!existsSync(join(dir, 'index.html')))
        throw new Error(`cannot build the dashboard: ${(err as Error).message}`);
      return { dir, built: false, note: `rebuild failed, serving the last build: ${(err as Error).message}` };
    }
  }
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`the dashboard is not built (${dir} is missing) and scripts/build-web.mjs is not there`);
  }
  return { dir, built: false, note: 'sources are newer than the build, but there is no build script' };
}
