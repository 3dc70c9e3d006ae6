/**
 * @module catalog/ids
 * One vocabulary: canonical ids, user spellings normalised to them, and generated display names.
 */
import type { Accelerator, Model, System, Vendor } from './types.js';

/** Vendor display names; the only place a vendor is spelled for humans. */
export const VENDOR_NAMES: Record<Vendor, string> = {
  huawei: 'Huawei',
  cambricon: 'Cambricon',
  metax: 'MetaX',
  hygon: 'Hygon',
  'moore-threads': 'Moore Threads',
  biren: 'Biren',
  kunlunxin: 'Kunlunxin',
  alibaba: 'Alibaba',
  nvidia: 'Nvidia',
  amd: 'AMD',
  google: 'Google',
};

/** Lowercase, trim, and turn spaces, underscores and slashes into single hyphens: "Ascend 910C" -> "ascend-910c". */
export function normalizeId(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s_/]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** "Huawei Ascend 910C", "Nvidia H100 SXM"; systems and models use their own name. */
export function displayName(entry: Accelerator | System | Model): string {
  if ('vendor' in entry && 'formats' in entry) return `${VENDOR_NAMES[entry.vendor]} ${entry.name}`;
  return entry.name;
}

/** Is `text` one of the known vendor keys? */
export function isVendor(text: string): text is Vendor {
  return Object.hasOwn(VENDOR_NAMES, text);
}
