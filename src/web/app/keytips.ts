/**
 * @module web/keytips
 * Tooltips from the keyboard. A chart's SVG is one tab stop; when it has focus, the arrow keys
 * (and Home, End, Page Up, Page Down) step through its points and bars in x order. Each step
 * shows the chart's own Plot tooltip at that point (the pointer move Plot listens for, at the
 * point's position) and, for a chart drawn without one, a tooltip of the same look naming the
 * point's values on the chart's scales. The text is also read out through a live region. Escape
 * or leaving the chart hides it.
 */

/** Plot's mark groups whose elements are points or bars (axes, grids, rules and tips are not). */
const MARK_LABELS = new Set(['dot', 'bar', 'tick', 'line', 'rect', 'cell', 'image']);

interface Point {
  /** Position in the SVG's user units. */
  x: number;
  y: number;
  /** The element's extent, for a bar: both ends are named by the fallback text. */
  box?: { x0: number; x1: number; y0: number; y1: number };
  el: SVGGraphicsElement;
}

interface PlotScale {
  type?: string;
  domain?: unknown[];
  label?: string;
  apply?: (v: unknown) => number;
  invert?: (v: number) => unknown;
  bandwidth?: number;
}

/** The points of a chart, in x then y order, one per distinct position. */
export function chartPoints(svg: SVGSVGElement): Point[] {
  const inv = svg.getCTM()?.inverse();
  const out: Point[] = [];
  const seen = new Set<string>();
  const add = (p: Point) => {
    const k = `${Math.round(p.x)},${Math.round(p.y)}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(p);
  };
  for (const g of Array.from(svg.querySelectorAll<SVGGElement>('g[aria-label]'))) {
    if (!MARK_LABELS.has(g.getAttribute('aria-label') ?? '')) continue;
    for (const el of Array.from(
      g.querySelectorAll<SVGGraphicsElement>('circle, rect, line, path, image, use'),
    )) {
      const m = el.getCTM();
      if (!m || !inv) continue;
      const toSvg = (x: number, y: number) => new DOMPoint(x, y).matrixTransform(inv.multiply(m));
      if (el instanceof SVGPathElement) {
        const len = el.getTotalLength();
        const n = Math.max(1, Math.min(60, Math.ceil(len / 12)));
        for (let i = 0; i <= n; i++) {
          const p = el.getPointAtLength((len * i) / n);
          const q = toSvg(p.x, p.y);
          add({ x: q.x, y: q.y, el });
        }
        continue;
      }
      const b = el.getBBox();
      const a = toSvg(b.x, b.y);
      const c = toSvg(b.x + b.width, b.y + b.height);
      const p: Point = { x: (a.x + c.x) / 2, y: (a.y + c.y) / 2, el };
      if (el instanceof SVGRectElement)
        p.box = {
          x0: Math.min(a.x, c.x),
          x1: Math.max(a.x, c.x),
          y0: Math.min(a.y, c.y),
          y1: Math.max(a.y, c.y),
        };
      add(p);
    }
  }
  return out.sort((a, b) => a.x - b.x || a.y - b.y);
}

const num = (v: number) =>
  Math.abs(v) >= 1e-3 && Math.abs(v) < 1e7
    ? v.toLocaleString('en-US', { maximumSignificantDigits: 4 })
    : v.toExponential(3);

function valueText(v: unknown): string {
  if (typeof v === 'number') return num(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}

/** The value of a scale at position `at` (user units): inverted, or the nearest category. */
function valueAt(s: PlotScale, at: number): string | null {
  if (typeof s.invert === 'function' && s.type !== 'band' && s.type !== 'point')
    return valueText(s.invert(at));
  if (!s.domain || typeof s.apply !== 'function') return null;
  let best: unknown = null;
  let d0 = Infinity;
  for (const d of s.domain) {
    const c = s.apply(d) + (s.bandwidth ?? 0) / 2;
    if (Math.abs(c - at) < d0) {
      d0 = Math.abs(c - at);
      best = d;
    }
  }
  return best === null ? null : valueText(best);
}

/** A point described on the chart's own scales, for charts drawn without a Plot tooltip. */
function describe(plot: Element, p: Point): string {
  const title =
    p.el.querySelector('title')?.textContent ?? p.el.parentElement?.querySelector('title')?.textContent;
  if (title) return title;
  const get = (n: string): PlotScale | undefined => {
    const f = (plot as unknown as { scale?: (n: string) => PlotScale | undefined }).scale;
    try {
      return typeof f === 'function' ? f.call(plot, n) : undefined;
    } catch {
      return undefined;
    }
  };
  const parts: string[] = [];
  for (const axis of ['x', 'y'] as const) {
    const s = get(axis);
    if (!s) continue;
    const label = (s.label ?? axis).replace(/\s*[↑↓←→]\s*/g, '').trim() || axis;
    const continuous = typeof s.invert === 'function' && s.type !== 'band' && s.type !== 'point';
    if (p.box && continuous) {
      const [lo, hi] = axis === 'x' ? [p.box.x0, p.box.x1] : [p.box.y1, p.box.y0];
      if (hi - lo > 1 || lo - hi > 1) {
        parts.push(`${label}: ${valueAt(s, lo)} to ${valueAt(s, hi)}`);
        continue;
      }
    }
    const v = valueAt(s, axis === 'x' ? p.x : p.y);
    if (v !== null) parts.push(`${label}: ${v}`);
  }
  const fill = p.el.getAttribute('fill') ?? p.el.parentElement?.getAttribute('fill');
  const colour = get('color');
  if (colour?.domain && fill) {
    const range = (colour as unknown as { range?: unknown[] }).range ?? [];
    const i = range.indexOf(fill);
    if (i >= 0 && colour.domain[i] !== undefined) parts.unshift(valueText(colour.domain[i]));
  }
  return parts.join('\n');
}

/**
 * Make the chart's SVG a tab stop whose arrow keys show the tooltip of each point in turn.
 * `live` is a polite live region that receives each tooltip's text.
 */
export function keyboardTooltips(
  plot: Element,
  svg: SVGSVGElement,
  box: HTMLElement,
  live: HTMLElement,
): void {
  svg.setAttribute('tabindex', '0');
  svg.setAttribute('aria-roledescription', 'chart: arrow keys step through its points');
  let points: Point[] = [];
  let at = -1;
  const own = document.createElement('div');
  own.className = 'keytip';
  own.hidden = true;
  own.setAttribute('aria-hidden', 'true');
  box.append(own);
  const plotTip = () =>
    Array.from(svg.querySelectorAll('g[aria-label="tip"] text'))
      .map(
        (t) =>
          Array.from(t.querySelectorAll('tspan'))
            .map((s) => s.textContent ?? '')
            .join('\n') || t.textContent,
      )
      .join('\n')
      .trim();
  const hide = () => {
    svg.dispatchEvent(new PointerEvent('pointerleave', { pointerType: 'mouse' }));
    own.hidden = true;
    svg.removeAttribute('data-key-point');
  };
  const show = (i: number) => {
    if (points.length === 0) return;
    at = Math.max(0, Math.min(points.length - 1, i));
    const p = points[at]!;
    const ctm = svg.getScreenCTM();
    if (!ctm) return;
    const c = new DOMPoint(p.x, p.y).matrixTransform(ctm);
    svg.dispatchEvent(
      new PointerEvent('pointermove', { clientX: c.x, clientY: c.y, pointerType: 'mouse', bubbles: true }),
    );
    const place = (t: string) => {
      own.textContent = t;
      own.hidden = t === '';
      const b = box.getBoundingClientRect();
      own.style.left = `${Math.max(0, Math.min(c.x - b.left + box.scrollLeft + 8, box.scrollWidth - 200))}px`;
      own.style.top = `${c.y - b.top + 8}px`;
    };
    let text = plotTip();
    if (text) {
      own.hidden = true;
      // Plot hides its tip again when the real pointer rests on another chart: then show ours.
      const mine = at;
      const shown = text;
      setTimeout(() => {
        if (at === mine && document.activeElement === svg && !plotTip()) place(shown);
      }, 30);
    } else {
      text = describe(plot, p);
      place(text);
    }
    svg.setAttribute('data-key-point', `${at + 1}/${points.length}`);
    live.textContent = `Point ${at + 1} of ${points.length}. ${text.replace(/\n/g, ', ')}`;
  };
  svg.addEventListener('focus', () => {
    points = chartPoints(svg);
    show(Math.max(0, at));
  });
  svg.addEventListener('blur', hide);
  svg.addEventListener('keydown', (e) => {
    const step: Record<string, number> = {
      ArrowRight: 1,
      ArrowDown: 1,
      ArrowLeft: -1,
      ArrowUp: -1,
      PageDown: 10,
      PageUp: -10,
    };
    if (e.key === 'Escape') hide();
    else if (e.key === 'Home') show(0);
    else if (e.key === 'End') show(points.length - 1);
    else if (Object.hasOwn(step, e.key)) show(at + step[e.key]!);
    else return;
    e.preventDefault();
  });
}
