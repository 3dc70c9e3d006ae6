/**
 * @module catalog/node
 * Node.js loader: reads `data/*.json` and `data/schema/*.json` relative to the package root and
 * builds the catalogue. Browser code should import `catalog/index.js` and call `createCatalog`.
 */
import { readFileSync } from 'node:fs';
import { type Catalog, CatalogError, createCatalog } from './catalog.js';
import type { CatalogData, CatalogSchemas } from './types.js';

export { COMMON_SCHEMA_ID } from './schema.js';

/** The shipped `data/` folder (dist/catalog/node.js -> ../../data/). */
export const DEFAULT_DATA_DIR = new URL('../../data/', import.meta.url);

function readJson(dir: URL, name: string): unknown {
  const url = new URL(name, dir);
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch (err) {
    throw new CatalogError([`${name}: cannot read ${url.pathname}: ${(err as Error).message}`]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CatalogError([`${name}: not valid JSON: ${(err as Error).message}`]);
  }
}

/** Read the three data files and four schemas from a data folder (default: the shipped one). */
export function readCatalogFiles(dataDir: URL = DEFAULT_DATA_DIR): {
  data: CatalogData;
  schemas: CatalogSchemas;
} {
  const dir = dataDir.href.endsWith('/') ? dataDir : new URL(`${dataDir.href}/`);
  return {
    data: {
      accelerators: readJson(dir, 'accelerators.json'),
      systems: readJson(dir, 'systems.json'),
      models: readJson(dir, 'models.json'),
    },
    schemas: {
      common: readJson(dir, 'schema/common.schema.json') as object,
      accelerators: readJson(dir, 'schema/accelerators.schema.json') as object,
      systems: readJson(dir, 'schema/systems.schema.json') as object,
      models: readJson(dir, 'schema/models.schema.json') as object,
    },
  };
}

/**
 * The one JSON-Schema definition of a sourced figure (`data/schema/common.schema.json`, id
 * {@link COMMON_SCHEMA_ID}), for other validators to `addSchema` and `$ref`
 * (`urn:chipstack:schema:common#/$defs/figure`): the perf calibration and supply schemas.
 */
export function readCommonSchema(dataDir: URL = DEFAULT_DATA_DIR): object {
  const dir = dataDir.href.endsWith('/') ? dataDir : new URL(`${dataDir.href}/`);
  return readJson(dir, 'schema/common.schema.json') as object;
}

/** Load and validate a catalogue from a data folder (default: the shipped one). */
export function loadCatalog(dataDir: URL = DEFAULT_DATA_DIR): Catalog {
  const { data, schemas } = readCatalogFiles(dataDir);
  return createCatalog(data, schemas);
}

let shipped: Catalog | undefined;

/** The shipped catalogue, loaded once and cached. */
export function defaultCatalog(): Catalog {
  shipped ??= loadCatalog();
  return shipped;
}
