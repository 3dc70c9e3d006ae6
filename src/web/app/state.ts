/**
 * @module web/state
 * The dashboard's state lives in the URL hash, `#/page?key=value&...`, so every view is a link.
 * Pages read their parameters on render and write them back with `update` (replaceState: no
 * history entry per keystroke).
 */

export interface Route {
  page: string;
  params: URLSearchParams;
}

/** The page and parameters of the current URL. */
export function current(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  const page = (q < 0 ? hash : hash.slice(0, q)) || 'formats';
  return { page, params: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1)) };
}

/** Set (or, with null, remove) parameters of the current page in the URL. */
export function update(changes: Record<string, string | number | boolean | null | undefined>): void {
  const { page, params } = current();
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') params.delete(k);
    else params.set(k, String(v));
  }
  const qs = params.toString();
  history.replaceState(null, '', `#/${page}${qs ? `?${qs}` : ''}`);
}

export function getString(name: string, fallback: string, allowed?: readonly string[]): string {
  const v = current().params.get(name);
  if (v === null) return fallback;
  return allowed && !allowed.includes(v) ? fallback : v;
}

export function getNumber(name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const raw = current().params.get(name);
  const v = raw === null ? Number.NaN : Number(raw);
  return Number.isFinite(v) && v >= min && v <= max ? v : fallback;
}

/** A comma-separated list, filtered to `allowed` when given. */
export function getList(name: string, fallback: string[], allowed?: readonly string[]): string[] {
  const raw = current().params.get(name);
  if (raw === null) return fallback;
  const items = raw.split(',').filter((s) => s && (!allowed || allowed.includes(s)));
  return items;
}

/** Set a parameter that repeats (`pin=a&pin=b`), replacing its earlier values; other parameters stay. */
export function setList(name: string, values: string[]): void {
  const { page, params } = current();
  params.delete(name);
  for (const v of values) params.append(name, v);
  const qs = params.toString();
  history.replaceState(null, '', `#/${page}${qs ? `?${qs}` : ''}`);
}
