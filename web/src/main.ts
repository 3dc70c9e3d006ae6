/**
 * @module web/main
 * The dashboard shell: navigation, theme, and the page router over the URL hash.
 */
import { h } from './dom.js';
import { renderChips } from './pages/chips.js';
import { renderFormats } from './pages/formats.js';
import { renderPerformance } from './pages/performance.js';
import { renderSupply } from './pages/supply.js';
import { current } from './state.js';

const PAGES: Record<string, { title: string; render: (root: HTMLElement) => void }> = {
  formats: { title: 'Formats', render: renderFormats },
  chips: { title: 'Chips', render: renderChips },
  performance: { title: 'Performance', render: renderPerformance },
  supply: { title: 'Supply', render: renderSupply },
};

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

function route(): void {
  const { page } = current();
  const key = PAGES[page] ? page : 'formats';
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-page]')) {
    if (a.dataset.page === key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const root = document.getElementById('app')!;
  const changedPage = key !== shown;
  shown = key;
  document.title = `${PAGES[key]!.title} - chipstack`;
  root.replaceChildren();
  PAGES[key]!.render(root);
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
    route();
  });
  applyTheme(initialTheme());
  window.addEventListener('hashchange', route);
  route();
}

start();
