/**
 * @module catalog/testutil
 * Helpers for the catalogue tests: fresh, mutable copies of the shipped files.
 */
import { readCatalogFiles } from './node.js';
import type { Accelerator, CatalogData, CatalogSchemas, Model, System } from './types.js';

export interface MutableCopy {
  data: CatalogData;
  schemas: CatalogSchemas;
  accelerators: Accelerator[];
  systems: System[];
  models: Model[];
}

/** A deep copy of the shipped data (schemas shared) that a test may break at will. */
export function shippedCopy(): MutableCopy {
  const { data, schemas } = readCatalogFiles();
  const copy = structuredClone(data);
  return {
    data: copy,
    schemas,
    accelerators: (copy.accelerators as { accelerators: Accelerator[] }).accelerators,
    systems: (copy.systems as { systems: System[] }).systems,
    models: (copy.models as { models: Model[] }).models,
  };
}

/** The record with this id (throws if absent, so tests fail loudly). */
export function byId<T extends { id: string }>(list: T[], id: string): T {
  const hit = list.find((e) => e.id === id);
  if (!hit) throw new Error(`no ${id} in test data`);
  return hit;
}
