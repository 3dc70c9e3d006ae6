/**
 * @module web/dom
 * A tiny element factory (no framework): h('p', {class: 'x', onclick}, 'text', child).
 */
export type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, unknown> | null | undefined;

function append(el: Element, c: Child): void {
  if (c === null || c === undefined || c === false) return;
  if (Array.isArray(c)) for (const x of c) append(el, x);
  else el.append(c instanceof Node ? c : String(c));
}

/** Create an element; `on*` attributes add listeners, `value`/`checked` set properties. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'value' || k === 'checked' || k === 'selected')
      (el as unknown as Record<string, unknown>)[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** Replace the children of `el`. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

let uid = 0;
/** A fresh id for label/aria wiring. */
export function nextId(prefix = 'id'): string {
  return `${prefix}-${++uid}`;
}

/** A labelled form control: <label for=...>text</label> control. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  if (!control.id) control.id = nextId('f');
  return h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    control,
    hint ? h('small', null, hint) : null,
  );
}

/** A <select> over options [value, label]. */
export function select(
  options: (string | [string, string])[],
  value: string,
  onchange: (v: string) => void,
): HTMLSelectElement {
  const el = h(
    'select',
    { onchange: () => onchange(el.value) },
    options.map((o) => {
      const [v, l] = typeof o === 'string' ? [o, o] : o;
      return h('option', { value: v, selected: v === value }, l);
    }),
  );
  el.value = value;
  return el;
}

/** Format a number for display with `digits` significant digits (NaN, Inf spelled out). */
export function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return '?';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(digits - 1).replace('e+', 'e');
  return String(Number(v.toPrecision(digits)));
}

/** A percentage with one decimal. */
export function pct(v: number, decimals = 1): string {
  return `${(v * 100).toFixed(decimals)}%`;
}

/** Call `fn` after `ms` of quiet. */
export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms = 200): (...a: A) => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return (...a: A) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}

/** A headline figure: label, value (with `data-metric` for tests) and the formula behind it. */
export function card(label: string, value: string, formula: string, testid: string): HTMLElement {
  return h(
    'div',
    { class: 'card' },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value', 'data-metric': testid }, value),
    h('div', { class: 'formula' }, formula),
  );
}
