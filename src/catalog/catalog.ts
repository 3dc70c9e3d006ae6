/**
 * @module catalog/catalog
 * Build a validated, queryable catalogue from already-parsed JSON. Browser-safe: no file access,
 * so a bundler can inline `data/*.json` and `data/schema/*.json` and call {@link createCatalog}.
 */
import { consistencyProblems } from './checks.js';
import { displayName, isVendor, normalizeId, VENDOR_NAMES } from './ids.js';
import { schemaProblems } from './schema.js';
import type { Accelerator, CatalogData, CatalogSchemas, EntryKind, Model, System, Vendor } from './types.js';

/** The data failed schema validation or a consistency check; `problems` has one line per fault. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  constructor(readonly problems: string[]) {
    const shown = problems.slice(0, 20).join('\n  ');
    const more = problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : '';
    super(
      `invalid catalogue data (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${shown}${more}`,
    );
  }
}

/** A name or alias that matches nothing; the message lists close ids. */
export class CatalogLookupError extends Error {
  override readonly name = 'CatalogLookupError';
  constructor(
    readonly kind: EntryKind,
    readonly query: string,
    readonly suggestions: string[],
  ) {
    const hint = suggestions.length ? `; did you mean ${suggestions.join(', ')}?` : '';
    super(`unknown ${kind} "${query}"${hint}`);
  }
}

export interface AcceleratorFilter {
  vendor?: Vendor | string;
}

/** A loaded catalogue: canonical records plus alias-aware lookups. */
export interface Catalog {
  readonly accelerators: readonly Accelerator[];
  readonly systems: readonly System[];
  readonly models: readonly Model[];
  /** Every accepted spelling (ids and aliases, normalised) mapped to its canonical id. */
  readonly aliases: ReadonlyMap<string, { kind: EntryKind; id: string }>;
  /** Canonical id for a name or alias of the given kind, or undefined. */
  resolveId(kind: EntryKind, nameOrAlias: string): string | undefined;
  findAccelerator(nameOrAlias: string): Accelerator | undefined;
  /** Like find, but throws {@link CatalogLookupError} when nothing matches. */
  getAccelerator(nameOrAlias: string): Accelerator;
  /** Accelerators in file order, optionally of one vendor (throws CatalogLookupError for an unknown vendor). */
  listAccelerators(filter?: AcceleratorFilter): Accelerator[];
  findSystem(nameOrAlias: string): System | undefined;
  getSystem(nameOrAlias: string): System;
  listSystems(): System[];
  findModel(nameOrAlias: string): Model | undefined;
  getModel(nameOrAlias: string): Model;
  listModels(): Model[];
  /** Vendors that have at least one accelerator, in file order. */
  vendors(): Vendor[];
  displayName(entry: Accelerator | System | Model): string;
}

/** Validate parsed data without building a catalogue; returns the problems (empty when valid). */
export function catalogProblems(data: CatalogData, schemas: CatalogSchemas): string[] {
  const problems = schemaProblems(data, schemas);
  if (problems.length) return problems;
  return consistencyProblems(lists(data));
}

function lists(data: CatalogData) {
  return {
    accelerators: (data.accelerators as { accelerators: Accelerator[] }).accelerators,
    systems: (data.systems as { systems: System[] }).systems,
    models: (data.models as { models: Model[] }).models,
  };
}

/** Ids sharing the query's leading characters or containing it, for "did you mean". */
function suggest(query: string, ids: string[]): string[] {
  const q = normalizeId(query);
  const hits = ids.filter((id) => id.includes(q) || (q.length >= 2 && id.startsWith(q.slice(0, 3))));
  return hits.slice(0, 5);
}

/**
 * Validate parsed JSON (schema, then consistency) and build a catalogue.
 * Throws {@link CatalogError} listing every problem, each naming the file, the id and the field.
 */
export function createCatalog(data: CatalogData, schemas: CatalogSchemas): Catalog {
  const problems = catalogProblems(data, schemas);
  if (problems.length) throw new CatalogError(problems);
  const { accelerators, systems, models } = lists(data);

  const aliases = new Map<string, { kind: EntryKind; id: string }>();
  const add = (kind: EntryKind, e: { id: string; aliases: string[] }) => {
    for (const name of [e.id, ...e.aliases]) aliases.set(normalizeId(name), { kind, id: e.id });
  };
  for (const a of accelerators) add('accelerator', a);
  for (const s of systems) add('system', s);
  for (const m of models) add('model', m);

  const byId = {
    accelerator: new Map(accelerators.map((a) => [a.id, a])),
    system: new Map(systems.map((s) => [s.id, s])),
    model: new Map(models.map((m) => [m.id, m])),
  };
  const resolveId = (kind: EntryKind, nameOrAlias: string) => {
    const hit = aliases.get(normalizeId(nameOrAlias));
    return hit && hit.kind === kind ? hit.id : undefined;
  };
  function getter<T>(kind: EntryKind, map: Map<string, T>) {
    const find = (q: string) => {
      const id = resolveId(kind, q);
      return id === undefined ? undefined : map.get(id);
    };
    const get = (q: string) => {
      const hit = find(q);
      if (!hit) throw new CatalogLookupError(kind, q, suggest(q, [...map.keys()]));
      return hit;
    };
    return { find, get };
  }
  const acc = getter('accelerator', byId.accelerator);
  const sys = getter('system', byId.system);
  const mod = getter('model', byId.model);
  const vendors = [...new Set(accelerators.map((a) => a.vendor))];

  return {
    accelerators,
    systems,
    models,
    aliases,
    resolveId,
    findAccelerator: acc.find,
    getAccelerator: acc.get,
    listAccelerators(filter = {}) {
      if (filter.vendor === undefined) return [...accelerators];
      const v = normalizeId(filter.vendor);
      if (!isVendor(v)) {
        throw new CatalogLookupError('accelerator', `vendor ${filter.vendor}`, Object.keys(VENDOR_NAMES));
      }
      return accelerators.filter((a) => a.vendor === v);
    },
    findSystem: sys.find,
    getSystem: sys.get,
    listSystems: () => [...systems],
    findModel: mod.find,
    getModel: mod.get,
    listModels: () => [...models],
    vendors: () => [...vendors],
    displayName,
  };
}
