/** Modules the build (scripts/build-web.mjs) generates. */
declare module 'chipstack:supply-data' {
  import type { SupplyData } from '../../supply/index.js';

  /** data/supply as `loadSupplyData` prepares it (schema-checked, validated), built once at build time. */
  const data: SupplyData;
  export default data;
}
