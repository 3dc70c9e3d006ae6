/**
 * @module catalog
 * The sourced accelerator, system and model catalogue (browser-safe surface).
 * Node callers that want the shipped files read for them import `catalog/node.js`.
 */
export {
  type AcceleratorFilter,
  type Catalog,
  CatalogError,
  CatalogLookupError,
  catalogProblems,
  createCatalog,
} from './catalog.js';
export {
  collectFigures,
  type FigurePick,
  type FigureSite,
  figureValue,
  formatFigure,
  isKnown,
} from './figure.js';
export {
  isFp8,
  isMxScaled,
  NATIVE_FORMAT_ALIASES,
  type NativeFormatInfo,
  nativeEightBit,
  resolveNativeFormat,
  WIDE_FORMATS,
} from './formats.js';
export { displayName, isVendor, normalizeId, VENDOR_NAMES } from './ids.js';
export { COMMON_SCHEMA_ID } from './schema.js';
export * from './types.js';
