/**
 * @module supply/load
 * The Node loader: reads data/supply/*.json, checks each file against data/supply/schema.json
 * with ajv, then builds and validates the data set. The only part of src/supply that touches fs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Catalog } from '../catalog/index.js';
import { defaultCatalog, readCommonSchema } from '../catalog/node.js';
import { dataFromFiles } from './dataset.js';
import type { SupplyData } from './types.js';
import { SupplyDataError } from './validate.js';

/** data/supply in the package (dist/supply → ../../data/supply). */
export const DEFAULT_SUPPLY_DIR = fileURLToPath(new URL('../../data/supply/', import.meta.url));

/** Parse every JSON file of a directory, keyed by file name. */
export function readSupplyFiles(dir = DEFAULT_SUPPLY_DIR): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    try {
      files[name] = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch (err) {
      throw new SupplyDataError(`${name}: ${(err as Error).message}`);
    }
  }
  return files;
}

/** Check parsed files against schema.json; throws SupplyDataError naming the file and path. */
export function checkSchema(files: Record<string, unknown>, common: object = readCommonSchema()): void {
  const schema = files['schema.json'];
  if (!schema) throw new SupplyDataError('schema.json is missing from the supply data directory');
  const ajv = new Ajv2020({ allErrors: false, strict: false });
  // The one definition of a sourced figure, which supply's parameters and targets $ref.
  ajv.addSchema(common);
  const id = (schema as { $id?: string }).$id ?? 'supply';
  ajv.addSchema(schema as object, id);
  const pick = (def: string) => {
    const v = ajv.getSchema(`${id}#/$defs/${def}`);
    if (!v) throw new SupplyDataError(`schema.json has no $defs/${def}`);
    return v;
  };
  const forParams = pick('parameterFile');
  const forScenarios = pick('scenarioFile');
  const forTargets = pick('targetFile');
  for (const [name, content] of Object.entries(files)) {
    if (name === 'schema.json') continue;
    const validate =
      name === 'scenarios.json' ? forScenarios : name === 'targets.json' ? forTargets : forParams;
    if (!validate(content)) {
      const e = validate.errors?.[0];
      throw new SupplyDataError(
        `${name}${e?.instancePath ?? ''}: ${e?.message ?? 'does not match schema.json'}`,
      );
    }
  }
}

/**
 * Load, schema-check and validate the supply data (default: the package's data/supply), with chip
 * peaks from the catalogue (default: the shipped one).
 */
export function loadSupplyData(dir = DEFAULT_SUPPLY_DIR, catalog: Catalog = defaultCatalog()): SupplyData {
  const files = readSupplyFiles(dir);
  checkSchema(files);
  return dataFromFiles(files, catalog);
}
