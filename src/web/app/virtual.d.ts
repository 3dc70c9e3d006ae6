/** Modules the build (scripts/build-web.mjs) generates. */
declare module 'chipstack:supply-data' {
  import type { SupplyData } from '../../supply/index.js';

  /** data/supply as `loadSupplyData` prepares it (schema-checked, validated), built once at build time. */
  const data: SupplyData;
  export default data;
}

declare module 'chipstack:perf-choices' {
  /** The Performance and Compare forms' choices (a `PerfChoices`, src/web/perf-choices.ts), made at build time. */
  const choices: unknown;
  export default choices;
}
