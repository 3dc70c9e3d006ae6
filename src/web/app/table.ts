/**
 * @module web/table
 * Data tables: optional sorting by any column (buttons in the headers, aria-sort), and CSV and
 * JSON downloads of the raw values.
 */
import { type Cell, toCsv, toJsonText } from '../../web/csv.js';
import { type Child, h } from './dom.js';
import { download } from './download.js';

export interface Column<R> {
  key: string;
  label: string;
  /** The raw value: what sorting and the downloads use. */
  value: (r: R) => Cell;
  /** What the cell shows (default: the value as text). */
  render?: (r: R) => Child;
  numeric?: boolean;
  /** Header tooltip / explanation. */
  title?: string;
  /** CSS class of the column's cells. */
  cls?: string;
}

export interface TableOptions<R> {
  /** File name stem of the downloads. */
  name: string;
  caption: Child;
  columns: Column<R>[];
  rows: R[];
  sortable?: boolean;
  sort?: { key: string; dir: 'asc' | 'desc' } | null;
  onSort?: (key: string, dir: 'asc' | 'desc') => void;
  /** Extra attributes of each row. */
  rowAttrs?: (r: R) => Record<string, unknown>;
}

function compare(a: Cell, b: Cell): number {
  const na = a === null || a === undefined || a === '';
  const nb = b === null || b === undefined || b === '';
  if (na || nb) return na === nb ? 0 : na ? 1 : -1; // unknowns last
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** A table with download buttons. */
export function dataTable<R>(o: TableOptions<R>): HTMLElement {
  let sort = o.sort ?? null;
  const tbody = h('tbody');
  const headCells: HTMLTableCellElement[] = [];
  const renderBody = () => {
    let rows = o.rows;
    if (sort) {
      const col = o.columns.find((c) => c.key === sort!.key);
      if (col) {
        const s = sort.dir === 'asc' ? 1 : -1;
        rows = [...rows].sort((a, b) => {
          const va = col.value(a);
          const vb = col.value(b);
          const unknown = (v: Cell) => v === null || v === undefined || v === '';
          if (unknown(va) || unknown(vb)) return compare(va, vb);
          return s * compare(va, vb);
        });
      }
    }
    tbody.replaceChildren(
      ...rows.map((r) =>
        h(
          'tr',
          o.rowAttrs?.(r),
          o.columns.map((c) => {
            const v = c.value(r);
            const shown = c.render ? c.render(r) : v === null || v === undefined ? '' : String(v);
            return h('td', { class: [c.numeric ? 'num' : '', c.cls ?? ''].join(' ').trim() || null }, shown);
          }),
        ),
      ),
    );
    headCells.forEach((th, i) => {
      const key = o.columns[i]!.key;
      th.setAttribute(
        'aria-sort',
        sort?.key === key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none',
      );
    });
  };
  for (const c of o.columns) {
    const label = o.sortable
      ? h(
          'button',
          {
            type: 'button',
            class: 'sort',
            title: c.title ? `${c.title} (sort)` : 'sort',
            onclick: () => {
              const dir = sort?.key === c.key && sort.dir === 'desc' ? 'asc' : 'desc';
              sort = { key: c.key, dir };
              o.onSort?.(c.key, dir);
              renderBody();
            },
          },
          c.label,
        )
      : c.title
        ? h('abbr', { title: c.title }, c.label)
        : c.label;
    headCells.push(h('th', { scope: 'col', class: c.numeric ? 'num' : null }, label));
  }
  renderBody();
  const headers = o.columns.map((c) => c.key);
  const raw = () => o.rows.map((r) => o.columns.map((c) => c.value(r)));
  const objects = () => o.rows.map((r) => Object.fromEntries(o.columns.map((c) => [c.key, c.value(r)])));
  const scroller = h(
    'div',
    {
      class: `table-scroll${o.rows.length > 14 ? ' tall' : ''}`,
      tabindex: 0,
      role: 'region',
      'aria-label': typeof o.caption === 'string' ? o.caption : o.name,
    },
    h('table', null, h('caption', null, o.caption), h('thead', null, h('tr', null, headCells)), tbody),
  );
  const cue = h('p', { class: 'scroll-cue', hidden: true, 'data-scroll-cue': o.name });
  const block = h(
    'div',
    { class: 'table-block' },
    cue,
    scroller,
    h(
      'div',
      { class: 'downloads' },
      h(
        'button',
        {
          type: 'button',
          'data-download': 'csv',
          onclick: () => download(`${o.name}.csv`, toCsv(headers, raw()), 'text/csv'),
        },
        'Download CSV',
      ),
      h(
        'button',
        {
          type: 'button',
          'data-download': 'json',
          onclick: () => download(`${o.name}.json`, toJsonText(objects()), 'application/json'),
        },
        'Download JSON',
      ),
    ),
  );
  watchOverflow(scroller, headCells, o.columns, cue);
  return block;
}

/**
 * Say which columns lie beyond the right edge of a sideways-scrolling table ("3 more columns to
 * the right: TDP W, Price USD, ..."), and mark the box for its edge shadow; updated on scroll and
 * resize.
 */
function watchOverflow<R>(
  box: HTMLElement,
  heads: HTMLTableCellElement[],
  columns: Column<R>[],
  cue: HTMLElement,
): void {
  const check = () => {
    if (!box.isConnected) return;
    const right = box.getBoundingClientRect().right;
    const hidden = heads
      .map((th, i) => [th.getBoundingClientRect(), columns[i]!.label] as const)
      .filter(([r]) => r.right > right + 2)
      .map(([, label]) => label);
    const more = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle('more-right', hidden.length > 0);
    box.classList.toggle('more-left', more && box.scrollLeft > 1);
    cue.hidden = hidden.length === 0;
    cue.textContent = hidden.length
      ? `Scroll the table sideways: ${hidden.length} more column${hidden.length > 1 ? 's' : ''} to the right (${hidden.join(', ')}) \u2192`
      : '';
  };
  box.addEventListener('scroll', check, { passive: true });
  if (typeof ResizeObserver === 'function') new ResizeObserver(check).observe(box);
  requestAnimationFrame(check);
}
