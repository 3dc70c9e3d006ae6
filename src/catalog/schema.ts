/**
 * @module catalog/schema
 * JSON Schema validation of the three data files with ajv, turning ajv's errors into lines that
 * name the file, the record id and the field: `accelerators.json: h100-sxm: figures.tdpW.value must be number,null`.
 */

import type { ErrorObject, ValidateFunction } from 'ajv';
import AjvModule from 'ajv';
import type { CatalogData, CatalogSchemas } from './types.js';

// ajv is CommonJS: Node hands us module.exports (the class), bundlers may hand us the namespace.
type AjvClass = typeof AjvModule.default;
const Ajv: AjvClass =
  (AjvModule as unknown as { default?: AjvClass }).default ?? (AjvModule as unknown as AjvClass);

/** The `$id` of `data/schema/common.schema.json`: `$ref` `${COMMON_SCHEMA_ID}#/$defs/figure` for a sourced figure. */
export const COMMON_SCHEMA_ID = 'urn:chipstack:schema:common';

/** The data files and the key of the list each holds. */
export const DATA_FILES = [
  { key: 'accelerators', file: 'accelerators.json' },
  { key: 'systems', file: 'systems.json' },
  { key: 'models', file: 'models.json' },
] as const;

type Validators = Record<(typeof DATA_FILES)[number]['key'], ValidateFunction>;
const compiled = new WeakMap<CatalogSchemas, Validators>();

function validators(schemas: CatalogSchemas): Validators {
  let v = compiled.get(schemas);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addSchema(schemas.common);
    v = {
      accelerators: ajv.compile(schemas.accelerators),
      systems: ajv.compile(schemas.systems),
      models: ajv.compile(schemas.models),
    };
    compiled.set(schemas, v);
  }
  return v;
}

/** Describe one ajv error as "file: id: field message". */
function describe(file: string, listKey: string, data: unknown, err: ErrorObject): string {
  const parts = err.instancePath.split('/').slice(1);
  let where = '(top level)';
  let field = parts.join('.');
  if (parts[0] === listKey && parts.length >= 2) {
    const index = Number(parts[1]);
    const list = (data as Record<string, unknown>)[listKey] as Array<{ id?: unknown }>;
    const id = list?.[index]?.id;
    where = typeof id === 'string' ? id : `${listKey}[${index}]`;
    field = parts.slice(2).join('.');
  }
  let message = err.message ?? err.keyword;
  const params = err.params as Record<string, unknown>;
  if (err.keyword === 'required') {
    field = field ? `${field}.${params.missingProperty}` : String(params.missingProperty);
    message = 'is required';
  } else if (err.keyword === 'additionalProperties' || err.keyword === 'propertyNames') {
    // A closed figure lists its field names with propertyNames (common.schema.json), other objects with additionalProperties.
    const name = params.additionalProperty ?? params.propertyName;
    field = field ? `${field}.${name}` : String(name);
    message = 'is not a known field';
  } else if (err.keyword === 'enum') {
    message = `must be one of ${(params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
  }
  return `${file}: ${where}: ${field || '(record)'} ${message}`;
}

/** Validate the parsed data files against the schemas; returns one line per problem (empty when valid). */
export function schemaProblems(data: CatalogData, schemas: CatalogSchemas): string[] {
  const v = validators(schemas);
  const problems: string[] = [];
  for (const { key, file } of DATA_FILES) {
    const validate = v[key];
    const doc = data[key];
    if (!validate(doc)) {
      const seen = new Set<string>();
      for (const err of validate.errors ?? []) {
        // propertyNames reports the inner enum failure too (carrying `propertyName`); the outer error says it.
        if ((err as ErrorObject & { propertyName?: string }).propertyName !== undefined) continue;
        const line = describe(file, key, doc, err);
        if (!seen.has(line)) problems.push(line);
        seen.add(line);
      }
    }
  }
  return problems;
}
