/**
 * @module web/main
 * The dashboard shell: navigation, theme, and the page router over the URL hash.
 */
import { h } from './dom.js';
import { startPerf } from './perf-state.js';
import { current } from './state.js';
import { startSupply } from './supply-state.js';

type Render = (root: HTMLElement) => void;

/**
 * Each page is its own chunk (esbuild splitting), fetched the first time it is shown. `start`, when
 * given, runs at navigation, before the page's chunk arrives: Supply starts its worker on its first
 * Monte Carlo then, Performance its worker on its first simulation (supply-state.ts and
 * perf-state.ts are small and in app.js), so the worker computes while the page loads.
 */
const PAGES: Record<string, { title: string; load: () => Promise<Render>; start?: () => void }> = {
  formats: { title: 'Formats', load: () => import('./pages/formats.js').then((m) => m.renderFormats) },
  chips: { title: 'Chips', load: () => import('./pages/chips.js').then((m) => m.renderChips) },
  performance: {
    title: 'Performance',
    load: () => import('./pages/performance.js').then((m) => m.renderPerformance),
    start: startPerf,
  },
  model: { title: 'Model', load: () => import('./pages/model.js').then((m) => m.renderModel) },
  compare: { title: 'Compare', load: () => import('./pages/compare.js').then((m) => m.renderCompare) },
  supply: {
    title: 'Supply',
    load: () => import('./pages/supply.js').then((m) => m.renderSupply),
    start: startSupply,
  },
  kernels: { title: 'Kernels', load: () => import('./pages/kernels.js').then((m) => m.renderKernels) },
};

/**
 * Each page's chunks (its own and every chunk it imports, beyond app.js's), written in by the build
 * (scripts/build-web.mjs replaces this placeholder): preloaded at navigation, so that they are
 * fetched together with the page's chunk instead of after it.
 */
const PAGE_CHUNKS: Record<string, string[]> = JSON.parse('{"chipstack:page-chunks":[]}');
const preloaded = new Set<string>();

function preload(page: string): void {
  for (const c of PAGE_CHUNKS[page] ?? []) {
    if (preloaded.has(c)) continue;
    preloaded.add(c);
    document.head.append(h('link', { rel: 'modulepreload', href: c }));
  }
}

const THEME_KEY = 'chipstack-theme';

function applyTheme(theme: string): void {
  document.documentElement.dataset.theme = theme;
  const b = document.getElementById('theme');
  if (b) {
    b.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
    b.setAttribute('aria-pressed', String(theme === 'dark'));
  }
}

function initialTheme(): string {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(THEME_KEY);
  } catch {
    // storage may be unavailable (private mode); fall back to the system preference
  }
  if (saved === 'dark' || saved === 'light') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

let shown = '';
let routing = 0;

async function route(): Promise<void> {
  const mine = ++routing;
  const { page } = current();
  const key = PAGES[page] ? page : 'formats';
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-page]')) {
    if (a.dataset.page === key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const root = document.getElementById('app')!;
  document.title = `${PAGES[key]!.title} - chipstack`;
  PAGES[key]!.start?.();
  preload(key);
  let render: Render;
  try {
    render = await PAGES[key]!.load();
  } catch (err) {
    root.replaceChildren(
      h('p', { class: 'error', role: 'alert' }, `Could not load the ${key} page: ${(err as Error).message}`),
    );
    return;
  }
  if (mine !== routing) return; // a newer navigation won
  const changedPage = key !== shown;
  shown = key;
  root.replaceChildren();
  render(root);
  if (changedPage) document.getElementById('page-title')?.focus({ preventScroll: true });
}

function start(): void {
  const nav = document.getElementById('nav')!;
  nav.replaceChildren(
    ...Object.entries(PAGES).map(([id, p]) => h('a', { href: `#/${id}`, 'data-page': id }, p.title)),
  );
  const themeButton = document.getElementById('theme')!;
  themeButton.addEventListener('click', () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      // not persisted; the toggle still works for this page
    }
    applyTheme(next);
    void route();
  });
  applyTheme(initialTheme());
  window.addEventListener('hashchange', () => void route());
  void route();
}

start();
