/**
 * @module web/chart
 * A chart is an Observable Plot SVG plus its text alternative (an aria-label on the image and a
 * visible <details> with the same facts in words) and its exports: the picture as SVG and PNG and,
 * where the page passes them, the plotted figures as CSV.
 */
import { type Cell, toCsv } from '../../web/csv.js';
import { BACKGROUNDS, PALETTE } from '../../web/palette.js';
import { type Child, h } from './dom.js';
import { download } from './download.js';
import { keyboardTooltips } from './keytips.js';

/** Plot's functions (plot.ts) as a page that loads them on first use sees them. */
export type PlotModule = typeof import('./plot.js');
let plotLoad: Promise<PlotModule> | undefined;

/** Load Plot (once): a page's numbers are drawn without waiting for it, its charts when it is in. */
export const loadPlot = (): Promise<PlotModule> => {
  plotLoad ??= import('./plot.js');
  return plotLoad;
};

/** Run `fn` after the browser has painted what is on the page now (the next frame, then a task). */
export function afterPaint(fn: () => void): void {
  requestAnimationFrame(() => setTimeout(fn, 0));
}

/** A chart's place, filled once Plot has loaded (unless the page has replaced it meanwhile). */
export function chartSlot(draw: (Plot: PlotModule) => HTMLElement): HTMLElement {
  const slot = h('div', { class: 'chart-slot' });
  loadPlot().then(
    (Plot) => {
      if (slot.isConnected) slot.replaceWith(draw(Plot));
    },
    (err: Error) =>
      slot.replaceChildren(
        h('p', { class: 'error', role: 'alert' }, `Could not load the charts: ${err.message}`),
      ),
  );
  return slot;
}

export const PLOT_STYLE = {
  background: 'transparent',
  color: 'inherit',
  fontSize: '12px',
  overflow: 'visible',
};

/** The dashboard's colour-blind-safe categorical range (>= 3:1 on both themes). */
export const COLOURS = [...PALETTE];

/** Margins and label offsets that keep axis titles clear of the tick labels. */
export const AXES = { marginBottom: 46, marginTop: 28 } as const;
export const X_LABEL = { labelOffset: 40, labelAnchor: 'center' } as const;

/** The plotted data of a chart, written as CSV with the scenario repeated in a first column. */
export interface ChartData {
  /** File name stem. */
  name: string;
  /** Where the figures come from and what was chosen (kept in the file). */
  scenario: string;
  columns: string[];
  rows: Cell[][];
}

function plotSvg(plot: Element): SVGSVGElement | null {
  if (plot instanceof SVGSVGElement) return plot;
  const all = [...plot.querySelectorAll('svg')];
  return (all.reverse().find((s) => Number(s.getAttribute('width')) > 100) as SVGSVGElement) ?? null;
}

/** The colour legend entries of a Plot figure, when it has an ordinal colour scale. */
function legendEntries(plot: Element): [string, string][] {
  const scale = (plot as unknown as { scale?: (n: string) => { domain?: unknown[]; range?: unknown[] } })
    .scale;
  const c = typeof scale === 'function' ? scale.call(plot, 'color') : undefined;
  if (!c?.domain || !c.range || c.domain.length > 24 || typeof c.range[0] !== 'string') return [];
  return c.domain.map((d, i) => [String(d), String(c.range![i % c.range!.length])]);
}

/** A standalone SVG document of the chart, in the current theme's colours, with its legend. */
export function chartSvgText(plot: Element, title: string): { text: string; width: number; height: number } {
  const svg = plotSvg(plot);
  if (!svg) throw new Error('this chart has no SVG to export');
  const dark = document.documentElement.dataset.theme === 'dark';
  const fg = getComputedStyle(svg).color || (dark ? '#e6edf3' : '#1b1f24');
  const w = Number(svg.getAttribute('width')) || svg.clientWidth;
  const hgt = Number(svg.getAttribute('height')) || svg.clientHeight;
  const legend = legendEntries(plot);
  const perRow = Math.max(1, Math.floor(w / 170));
  const legendH = legend.length ? Math.ceil(legend.length / perRow) * 18 + 6 : 0;
  const top = 24;
  const total = top + hgt + legendH;
  const ns = 'http://www.w3.org/2000/svg';
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const inner = new XMLSerializer().serializeToString(svg);
  const items = legend
    .map(([label, colour], i) => {
      const x = (i % perRow) * 170;
      const y = top + hgt + 6 + Math.floor(i / perRow) * 18;
      return `<rect x="${x}" y="${y}" width="12" height="12" fill="${colour}"/><text x="${x + 16}" y="${y + 10}">${esc(label)}</text>`;
    })
    .join('');
  const text =
    `<svg xmlns="${ns}" width="${w}" height="${total}" viewBox="0 0 ${w} ${total}" ` +
    `font-family="system-ui, sans-serif" font-size="12" style="color:${fg}" fill="${fg}">` +
    `<rect width="100%" height="100%" fill="${dark ? BACKGROUNDS.dark : BACKGROUNDS.light}"/>` +
    `<text x="0" y="16" font-weight="700" font-size="14">${esc(title)}</text>` +
    `<g transform="translate(0 ${top})">${inner}</g>${items}</svg>`;
  return { text, width: w, height: total };
}

const fileStem = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'chart';

async function pngBlob(svgText: string, width: number, height: number, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the browser could not draw the chart as an image'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(width * scale);
    canvas.height = Math.ceil(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas in this browser');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Wrap a rendered plot with a caption, its text alternative, and export buttons. */
export function chartBlock(
  title: string,
  plot: Element,
  alt: string,
  more?: Child,
  data?: ChartData,
): HTMLElement {
  // Plot adds <style> elements; the page's CSP allows no inline styles, so they are removed
  // before the chart is attached, and style.css carries the same rules (section "Plot").
  for (const st of Array.from(plot.querySelectorAll('style'))) st.remove();
  const svg = plotSvg(plot) ?? plot;
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${title}. ${alt}`);
  if (svg !== plot) plot.setAttribute('aria-label', title);
  const stem = data?.name ?? fileStem(title);
  const status = h('span', { class: 'export-status', 'aria-live': 'polite' });
  const exportSvg = () => download(`${stem}.svg`, chartSvgText(plot, title).text, 'image/svg+xml');
  const exportPng = () => {
    const s = chartSvgText(plot, title);
    pngBlob(s.text, s.width, s.height).then(
      (b) => download(`${stem}.png`, b),
      (e: Error) => {
        status.textContent = e.message;
      },
    );
  };
  const exportCsv = () => {
    if (!data) return;
    const rows = data.rows.map((r) => [data.scenario, ...r]);
    download(`${stem}.csv`, toCsv(['scenario', ...data.columns], rows), 'text/csv');
  };
  const box = h('div', { class: 'plot-box' }, plot);
  const live = h('p', { class: 'sr-only', 'aria-live': 'polite', 'data-keytip-live': '' });
  if (svg instanceof SVGSVGElement) keyboardTooltips(plot, svg, box, live);
  return h(
    'figure',
    { class: 'chart' },
    h('figcaption', null, title),
    box,
    live,
    h(
      'div',
      { class: 'downloads' },
      h('button', { type: 'button', 'data-export': 'svg', onclick: exportSvg }, 'Download SVG'),
      h('button', { type: 'button', 'data-export': 'png', onclick: exportPng }, 'Download PNG'),
      data
        ? h('button', { type: 'button', 'data-export': 'csv', onclick: exportCsv }, 'Download data (CSV)')
        : null,
      status,
    ),
    h('details', { class: 'alt' }, h('summary', null, 'Text alternative'), h('p', null, alt), more),
  );
}

/** Plot width for the current layout. */
export function plotWidth(max = 900): number {
  const main = document.querySelector('main');
  const cs = main ? getComputedStyle(main) : null;
  const pad = cs ? Number.parseFloat(cs.paddingLeft) + Number.parseFloat(cs.paddingRight) : 32;
  const w = main ? main.clientWidth - pad : 800;
  return Math.max(300, Math.min(max, Math.floor(w)));
}

/** Whether the layout is phone-narrow (fewer ticks, legends below). */
export function narrow(): boolean {
  return plotWidth() < 520;
}
