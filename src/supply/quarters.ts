/**
 * @module supply/quarters
 * The model's calendar: 16 quarters, 2024Q1 to 2027Q4, and the period keys used in the data.
 */

export const FIRST_YEAR = 2024;
export const YEARS = [2024, 2025, 2026, 2027] as const;
export const QUARTER_COUNT = 16;

/** "2024Q1" … "2027Q4". */
export const QUARTERS: readonly string[] = YEARS.flatMap((y) => [1, 2, 3, 4].map((q) => `${y}Q${q}`));

const PERIOD = /^(20\d{2})(?:Q([1-4]))?$/;

/** Index of the first quarter of a period ("2025" → 4, "2025Q3" → 6); may fall outside 0..15. */
export function periodStart(period: string): number {
  const m = PERIOD.exec(period);
  if (!m) throw new RangeError(`"${period}" is not a period (expected YYYY or YYYYQn)`);
  return (Number(m[1]) - FIRST_YEAR) * 4 + (m[2] ? Number(m[2]) - 1 : 0);
}

/** Index of a quarter label in QUARTERS, or -1. */
export function quarterIndex(label: string): number {
  return QUARTERS.indexOf(label.toUpperCase());
}
