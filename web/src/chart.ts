/**
 * @module web/chart
 * A chart is an Observable Plot SVG plus its text alternative: an aria-label on the image and a
 * visible <details> with the same facts in words.
 */
import { type Child, h } from './dom.js';

export const PLOT_STYLE = {
  background: 'transparent',
  color: 'inherit',
  fontSize: '12px',
  overflow: 'visible',
};

/** Wrap a rendered plot with a caption and its text alternative. */
export function chartBlock(title: string, plot: Element, alt: string, more?: Child): HTMLElement {
  // Plot adds <style> elements; the page's CSP allows no inline styles, so they are removed
  // before the chart is attached, and style.css carries the same rules (section "Plot").
  for (const s of Array.from(plot.querySelectorAll('style'))) s.remove();
  plot.setAttribute('role', 'img');
  plot.setAttribute('aria-label', `${title}. ${alt}`);
  return h(
    'figure',
    { class: 'chart' },
    h('figcaption', null, title),
    plot,
    h('details', { class: 'alt' }, h('summary', null, 'Text alternative'), h('p', null, alt), more),
  );
}

/** Plot width for the current layout. */
export function plotWidth(max = 900): number {
  const main = document.querySelector('main');
  const w = main ? main.clientWidth - 32 : 800;
  return Math.max(320, Math.min(max, w));
}
