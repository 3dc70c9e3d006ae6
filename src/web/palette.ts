/**
 * @module web/palette
 * The dashboard's chart colours and the WCAG 2 contrast ratio they are checked with. One palette
 * serves both themes: every colour is a mid-tone with at least 3:1 contrast against the light
 * background (#ffffff) and the dark one (#0d1117). The hues follow Okabe and Ito's colour-blind-safe
 * set (blue, vermillion, bluish green, reddish purple, orange), darkened where needed. Browser-safe.
 */

/** Page backgrounds of the light and dark themes (src/web/app/style.css --bg). */
export const BACKGROUNDS = { light: '#ffffff', dark: '#0d1117' } as const;

/** Series colours, in the order categories receive them. */
export const PALETTE = [
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#009E73', // bluish green
  '#B8588F', // reddish purple
  '#8A6D00', // dark orange-yellow
  '#5F6B73', // grey
  '#9C755F', // brown
  '#1E88A8', // teal
] as const;

/** Bottleneck colours of the performance breakdown. */
export const BOTTLENECK_COLOURS = { compute: '#0072B2', memory: '#D55E00', network: '#009E73' } as const;

/** Relative luminance of a #rrggbb colour (WCAG 2.x definition). */
export function luminance(hex: string): number {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new RangeError(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = Number.parseInt(m[1]!.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
