/**
 * @module catalog/figure
 * Reading sourced figures: pick a number out of one, print one, and visit every figure in the catalogue.
 */
import type { Accelerator, Figure, Model, System } from './types.js';

/**
 * How to turn a figure into a number:
 * - `value`: the point value, or null (ranges without a point value stay null);
 * - `best`: the point value, else the middle of the range;
 * - `low` / `high`: the range end, else the point value.
 */
export type FigurePick = 'value' | 'best' | 'low' | 'high';

/** The number a figure stands for, or null when it has none (unknown or not supported). */
export function figureValue(figure: Figure | undefined, pick: FigurePick = 'value'): number | null {
  if (!figure) return null;
  const hasRange = figure.low !== undefined && figure.high !== undefined;
  switch (pick) {
    case 'value':
      return figure.value;
    case 'best':
      return figure.value ?? (hasRange ? (figure.low! + figure.high!) / 2 : null);
    case 'low':
      return hasRange ? figure.low! : figure.value;
    case 'high':
      return hasRange ? figure.high! : figure.value;
  }
}

/** Is there any number (point or range) behind this figure? */
export function isKnown(figure: Figure | undefined): boolean {
  return figureValue(figure, 'best') !== null;
}

/** Short text for tables: "989", "313-376", "~780" (estimate or derived), "no" (not supported), "?" (unknown). */
export function formatFigure(figure: Figure | undefined, digits = 4): string {
  if (!figure) return '';
  if (figure.notSupported) return 'no';
  const fmt = (n: number) => String(Number(n.toPrecision(digits)));
  const approx = figure.confidence === 'analyst-estimate' || figure.confidence === 'derived' ? '~' : '';
  if (figure.value !== null) return approx + fmt(figure.value);
  if (figure.low !== undefined && figure.high !== undefined)
    return `${approx}${fmt(figure.low)}-${fmt(figure.high)}`;
  return '?';
}

/** One figure found in the catalogue, with where it lives. */
export interface FigureSite {
  file: 'accelerators.json' | 'systems.json' | 'models.json';
  id: string;
  /** Dotted path inside the record, e.g. "figures.bf16DenseTflops". */
  path: string;
  figure: Figure;
}

/** Every figure of every record, in file order. */
export function collectFigures(lists: {
  accelerators: readonly Accelerator[];
  systems: readonly System[];
  models: readonly Model[];
}): FigureSite[] {
  const out: FigureSite[] = [];
  for (const a of lists.accelerators) {
    for (const [key, figure] of Object.entries(a.figures)) {
      out.push({ file: 'accelerators.json', id: a.id, path: `figures.${key}`, figure });
    }
  }
  for (const s of lists.systems) {
    for (const [key, figure] of Object.entries(s.figures)) {
      if (figure) out.push({ file: 'systems.json', id: s.id, path: `figures.${key}`, figure });
    }
  }
  for (const m of lists.models) {
    out.push({ file: 'models.json', id: m.id, path: 'totalParamsB', figure: m.totalParamsB });
    out.push({ file: 'models.json', id: m.id, path: 'activeParamsB', figure: m.activeParamsB });
  }
  return out;
}
