/**
 * @module web/data
 * The shipped JSON, inlined by the bundler, and the validated catalogue built from it with the
 * same `createCatalog` the CLI uses.
 */
import accelerators from '../../../data/accelerators.json' with { type: 'json' };
import models from '../../../data/models.json' with { type: 'json' };
import efficiency from '../../../data/perf/efficiency.json' with { type: 'json' };
import energy from '../../../data/perf/energy.json' with { type: 'json' };
import perfSchema from '../../../data/perf/schema.json' with { type: 'json' };
import validation from '../../../data/perf/validation.json' with { type: 'json' };
import accSchema from '../../../data/schema/accelerators.schema.json' with { type: 'json' };
import common from '../../../data/schema/common.schema.json' with { type: 'json' };
import modelSchema from '../../../data/schema/models.schema.json' with { type: 'json' };
import sysSchema from '../../../data/schema/systems.schema.json' with { type: 'json' };
import demand from '../../../data/supply/demand.json' with { type: 'json' };
import die from '../../../data/supply/die.json' with { type: 'json' };
import fab from '../../../data/supply/fab.json' with { type: 'json' };
import hbm from '../../../data/supply/hbm.json' with { type: 'json' };
import imports from '../../../data/supply/imports.json' with { type: 'json' };
import packaging from '../../../data/supply/packaging.json' with { type: 'json' };
import scenarios from '../../../data/supply/scenarios.json' with { type: 'json' };
import supplyTargets from '../../../data/supply/targets.json' with { type: 'json' };
import vendors from '../../../data/supply/vendors.json' with { type: 'json' };
import yieldData from '../../../data/supply/yield.json' with { type: 'json' };
import systems from '../../../data/systems.json' with { type: 'json' };
import { type Catalog, createCatalog } from '../../catalog/index.js';

let catalog: Catalog | undefined;

/** The catalogue, validated against its schemas on first use. */
export function getCatalog(): Catalog {
  catalog ??= createCatalog(
    { accelerators, systems, models },
    { common, accelerators: accSchema, systems: sysSchema, models: modelSchema },
  );
  return catalog;
}

/** data/supply/*.json keyed by file name, as `dataFromFiles` takes them. */
export const SUPPLY_FILES: Record<string, unknown> = {
  'demand.json': demand,
  'die.json': die,
  'fab.json': fab,
  'hbm.json': hbm,
  'imports.json': imports,
  'packaging.json': packaging,
  'scenarios.json': scenarios,
  'targets.json': supplyTargets,
  'vendors.json': vendors,
  'yield.json': yieldData,
};

/** data/perf/*.json as `createPerfData` takes them. */
export const PERF_FILES = {
  efficiency,
  energy,
  validation,
  schema: perfSchema as object,
  common: common as object,
};
