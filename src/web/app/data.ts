/**
 * @module web/data
 * The shipped catalogue and perf JSON, inlined by the bundler, and the catalogue built from it with
 * the same `createCatalog` the CLI uses. The files were checked against their schemas by the build
 * (scripts/build-web.mjs, `checkDataAtBuild`: an invalid file fails it), so in the browser
 * `createCatalog` and `createPerfData` run their consistency checks but no schema validation. (The
 * supply data set is prepared at build time for the Supply page's own worker: `chipstack:supply-data`;
 * the Performance form's choices likewise: `chipstack:perf-choices`.)
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
import systems from '../../../data/systems.json' with { type: 'json' };
import { type Catalog, createCatalog } from '../../catalog/index.js';

let catalog: Catalog | undefined;

/** The catalogue, built on first use. */
export function getCatalog(): Catalog {
  catalog ??= createCatalog(
    { accelerators, systems, models },
    { common, accelerators: accSchema, systems: sysSchema, models: modelSchema },
  );
  return catalog;
}

/** data/perf/*.json as `createPerfData` takes them. */
export const PERF_FILES = {
  efficiency,
  energy,
  validation,
  schema: perfSchema as object,
  common: common as object,
};
