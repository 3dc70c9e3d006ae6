// Bundle the dashboard: src/web/app/main.ts and src/web/app/worker.ts (with the library modules from
// src/ and the JSON under data/) into dist/web/, and copy the static files beside them.
// Then precompress the text assets (.br, .gz) and write dist/web/assets.json: the list of files
// the server may serve (tsc also writes src/web/*.js into dist/web/; those are never served).
// Usage: node scripts/build-web.mjs [--dev]   (--dev: no minification, with source maps)
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlibConstants } from 'node:zlib';

const STATIC = ['index.html', 'style.css'];

/**
 * The browser runs no JSON Schema validation: the bundled data is checked here, at build time, and
 * an invalid data set fails the build. The build runs the dashboard's schema checks once in Node
 * with the real ajv (the catalogue's and the perf data's, through the same `createCatalog` and
 * `createPerfData` calls as the pages and workers) and records, per compiled schema, the files of
 * data/ that passed. In the bundles, `ajv` is a small class whose `compile` returns a check of that
 * record: a document that is a bundled file of data/ (`dataFiles`: the very object its module
 * exports) checked at build against the same schema (same options and added schemas) passes,
 * anything else is an error naming this script, never a silent pass. So no validator code ships (ajv's generated code would also need
 * `new Function`, which the page's CSP forbids) and no page or worker spends time validating.
 */
const AJV_ENTRY = `
import { getCatalog, PERF_FILES } from './src/web/app/data.ts';
import { createPerfData } from './src/perf/index.ts';
getCatalog();
createPerfData(PERF_FILES);
export { checked } from 'chipstack:ajv-recorder';
`;

/** A 53-bit string hash (cyrb53): the key of a compilation. The same function runs in the shim. */
const HASH_SOURCE = `function keyOf(s) {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return s.length + ':' + (4294967296 * (2097151 & h2) + (h1 >>> 0));
}`;

/**
 * Bundle `entry` (TypeScript source resolved from the package root) for Node with `plugin`, import the
 * result through a temporary file (removed after) and return the module.
 */
async function importBundle(esbuild, root, entry, kind, plugin) {
  const out = await esbuild.build({
    absWorkingDir: root,
    stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: `${kind}-precompile.ts` },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    plugins: [plugin],
  });
  const tmp = join(tmpdir(), `chipstack-${kind}-${process.pid}-${Date.now()}.mjs`);
  writeFileSync(
    tmp,
    `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(join(root, 'package.json'))});\n${out.outputFiles[0].text}`,
  );
  try {
    return await import(pathToFileURL(tmp).href);
  } finally {
    rmSync(tmp, { force: true });
  }
}

async function checkDataAtBuild(esbuild, root) {
  const ajvDir = join(root, 'node_modules', 'ajv', 'dist');
  const recorder = `
import RealAjv from ${JSON.stringify(join(ajvDir, 'ajv.js'))};
import { fileOf } from 'chipstack:data-files';
const Base = RealAjv.default ?? RealAjv;
/** "compilation-key data-file" of every file of data/ that passed its schema. */
export const checked = new Set();
${HASH_SOURCE}
export default class RecordingAjv extends Base {
  constructor(opts = {}) {
    super(opts);
    this.chipstackKey = [opts, []];
  }
  addSchema(schema, key, meta, ...rest) {
    if (this.chipstackKey && meta !== true) this.chipstackKey[1].push([schema, key ?? null]);
    return super.addSchema(schema, key, meta, ...rest);
  }
  compile(schema, meta) {
    const v = super.compile(schema, meta);
    const key = keyOf(JSON.stringify([...this.chipstackKey, schema]));
    const recording = (doc) => {
      const ok = v(doc);
      recording.errors = v.errors;
      if (ok && fileOf(doc) !== undefined) checked.add(key + ' ' + fileOf(doc));
      return ok;
    };
    return recording;
  }
}
// ajv's class has itself as .default (CommonJS interop), inherited here: point it at this class.
Object.defineProperty(RecordingAjv, 'default', { value: RecordingAjv });
export { RecordingAjv as Ajv };
`;
  // getCatalog and createPerfData throw on invalid data: the build stops with their problems
  const files = dataFiles(root);
  const mod = await importBundle(esbuild, root, AJV_ENTRY, 'ajv', {
    name: 'ajv-recorder',
    setup(b) {
      files.setup(b);
      b.onResolve({ filter: /^ajv$|^chipstack:ajv-recorder$/ }, () => ({
        path: 'recorder',
        namespace: 'ajv-rec',
      }));
      b.onLoad({ filter: /.*/, namespace: 'ajv-rec' }, () => ({
        contents: recorder,
        resolveDir: root,
        loader: 'js',
      }));
    },
  });
  if (mod.checked.size === 0) throw new Error('build-web: no document was checked (see AJV_ENTRY)');
  const shim = `
import { fileOf } from 'chipstack:data-files';
const checked = new Set(${JSON.stringify([...mod.checked].sort())});
${HASH_SOURCE}
/**
 * ajv as the dashboard bundles it (scripts/build-web.mjs): the build checked the bundled data
 * against its schemas; compile() returns a check that a document is one the build checked
 * against this schema.
 */
export default class CheckedAtBuild {
  constructor(opts = {}) {
    this.chipstackKey = [opts, []];
  }
  addSchema(schema, key) {
    this.chipstackKey[1].push([schema, key ?? null]);
    return this;
  }
  compile(schema) {
    const key = keyOf(JSON.stringify([...this.chipstackKey, schema]));
    const validate = (doc) => {
      validate.errors = null;
      if (checked.has(key + ' ' + fileOf(doc))) return true;
      throw new Error('chipstack: this data was not checked against its JSON Schema by scripts/build-web.mjs (the dashboard checks the files of data/ it bundles at build time and runs no schema validation)');
    };
    return validate;
  }
}
export { CheckedAtBuild as Ajv };
`;
  return {
    count: mod.checked.size,
    plugin: {
      name: 'ajv-checked-at-build',
      setup(b) {
        b.onResolve({ filter: /^ajv$/ }, () => ({ path: 'shim', namespace: 'ajv-checked' }));
        b.onLoad({ filter: /.*/, namespace: 'ajv-checked' }, () => ({
          contents: shim,
          resolveDir: root,
          loader: 'js',
        }));
      },
    },
  };
}

/**
 * protobufjs (the ONNX reader of src/onnx) generates each message type's encoder, decoder,
 * verifier, converters and constructor with `new Function`, which the CSP forbids as it forbids
 * ajv's. So, as for ajv, the build runs the same generation in Node over the ONNX schema
 * (src/onnx/schema.ts), keeps each generated function's source, and bundles, in place of
 * protobufjs's `util/codegen`, the same code builder whose finish returns the precompiled
 * function for that exact source (with the scope protobufjs passes at run time). A function that
 * was not precompiled is an error naming this script.
 */
const PB_ENTRY = `
import { root } from './src/onnx/schema.ts';
export { recorded } from 'chipstack:pb-recorder';
root.resolveAll();
const walk = (ns) => {
  for (const n of ns.nestedArray ?? []) {
    if (Array.isArray(n.fieldsArray) && typeof n.setup === 'function') { void n.ctor; n.setup(); }
    if (n.nestedArray) walk(n);
  }
};
walk(root);
`;

/** protobufjs's util/codegen.js with its finish step replaced by `finish(source, scope)`. */
function codegenWith(finish) {
  const src = readFileSync(
    join(
      fileURLToPath(new URL('..', import.meta.url)),
      'node_modules',
      'protobufjs',
      'src',
      'util',
      'codegen.js',
    ),
    'utf8',
  );
  const start = src.indexOf('            var source = toString();');
  const end = src.indexOf('        // otherwise append to body');
  if (start < 0 || end < 0)
    throw new Error('build-web: protobufjs util/codegen.js changed; update scripts/build-web.mjs');
  const body = `            var source = "return " + toString();
            return chipstackFinish(source, formatStringOrScope || null);
        }

`;
  return `${src.slice(0, start)}${body}${src.slice(end)}\n${finish}`;
}

async function precompileProtobuf(esbuild, root) {
  const utilDir = join(root, 'node_modules', 'protobufjs', 'src', 'util');
  const recorder = codegenWith(`
var recorded = codegen.recorded = [];
${HASH_SOURCE}
function chipstackFinish(source, scope) {
  var keys = scope ? Object.keys(scope) : [];
  recorded.push({ key: keyOf(JSON.stringify([keys, source])), keys: keys, source: source });
  var values = keys.map(function (k) { return scope[k]; });
  return Function.apply(null, keys.concat([source])).apply(null, values);
}
`);
  const mod = await importBundle(esbuild, root, PB_ENTRY, 'pb', {
    name: 'pb-recorder',
    setup(b) {
      b.onResolve({ filter: /^\.\/util\/codegen$/ }, (a) =>
        a.importer.includes(`${join('protobufjs', 'src')}`)
          ? { path: 'codegen', namespace: 'pb-rec' }
          : undefined,
      );
      b.onResolve({ filter: /^chipstack:pb-recorder$/ }, () => ({
        path: 'recorded',
        namespace: 'pb-rec',
      }));
      b.onLoad({ filter: /.*/, namespace: 'pb-rec' }, (a) => ({
        contents:
          a.path === 'codegen'
            ? recorder
            : `import codegen from 'chipstack:pb-codegen'; export const recorded = codegen.recorded;`,
        resolveDir: a.path === 'codegen' ? utilDir : root,
        loader: 'js',
      }));
      b.onResolve({ filter: /^chipstack:pb-codegen$/ }, () => ({ path: 'codegen', namespace: 'pb-rec' }));
    },
  });
  if (mod.recorded.length === 0)
    throw new Error('build-web: no protobufjs code generation was recorded (see PB_ENTRY)');
  const table = new Map();
  for (const r of mod.recorded)
    if (!table.has(r.key)) table.set(r.key, `function (${r.keys.join(', ')}) {\n${r.source}\n}`);
  const shim = codegenWith(`
${HASH_SOURCE}
var table = new Map([
${[...table].map(([k, f]) => `[${JSON.stringify(k)}, ${f}]`).join(',\n')}
]);
function chipstackFinish(source, scope) {
  var keys = scope ? Object.keys(scope) : [];
  var make = table.get(keyOf(JSON.stringify([keys, source])));
  if (!make) throw new Error('chipstack: this protobufjs function was not precompiled by scripts/build-web.mjs (the dashboard runs no eval)');
  return make.apply(null, keys.map(function (k) { return scope[k]; }));
}
`);
  return {
    count: table.size,
    plugin: {
      name: 'pb-precompiled',
      setup(b) {
        b.onResolve({ filter: /^\.\/util\/codegen$/ }, (a) =>
          a.importer.includes(`${join('protobufjs', 'src')}`)
            ? { path: 'codegen', namespace: 'pb-pre' }
            : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: 'pb-pre' }, () => ({
          contents: shim,
          resolveDir: utilDir,
          loader: 'js',
        }));
      },
    },
  };
}

/**
 * src/onnx reads models from files (loadModel, external data) and writes them (writeParts) with
 * node:fs and node:path. The dashboard's model page parses an opened file's bytes instead
 * (parseModel, quantizeModelBytes), so in the browser bundle, and only for modules of src/onnx,
 * those two imports resolve to stand-ins whose every function throws one clear error: a model
 * whose tensors live in external data files cannot be read here. Any other module importing a
 * Node built-in still fails the build (platform: 'browser').
 */
function nodeShims(root) {
  const onnxDir = join(root, 'src', 'onnx');
  const names = {
    'node:fs': [
      'readFileSync',
      'statSync',
      'writeFileSync',
      'renameSync',
      'rmSync',
      'openSync',
      'closeSync',
      'writeSync',
      'fsyncSync',
      'existsSync',
      'lstatSync',
      'realpathSync',
      'mkdirSync',
      'unlinkSync',
    ],
    'node:path': ['dirname', 'basename', 'join', 'resolve', 'normalize', 'relative', 'isAbsolute'],
  };
  return {
    name: 'onnx-node-shims',
    setup(b) {
      b.onResolve({ filter: /^node:(fs|path)$/ }, (a) =>
        a.importer.startsWith(onnxDir) ? { path: a.path, namespace: 'onnx-node-shim' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'onnx-node-shim' }, (a) => ({
        contents: `const no = (name) => () => { throw new Error('this model keeps tensors in external data files, which the browser page cannot read (src/onnx called ' + name + '): open a model whose weights are inside the .onnx file, or use chipstack onnx quantize'); };
${names[a.path].map((n) => `export const ${n} = no('${n}');`).join('\n')}
export const sep = '/';`,
        loader: 'js',
      }));
    },
  };
}

/**
 * Data prepared once here in Node and bundled as modules, so that the pages and workers start from
 * it instead of preparing it in the browser:
 * - `chipstack:supply-data`: the supply model's data set as the CLI prepares it (`loadSupplyData`:
 *   every file of data/supply checked against its schema.json, then `dataFromFiles` with the
 *   catalogue's chip figures and `validateData`), for the Supply page's worker;
 * - `chipstack:perf-choices`: what the Performance and Compare forms offer (src/web/perf-choices.ts
 *   over the validated catalogue), for the router and those pages.
 * Invalid data fails this build.
 */
async function prepareModules(esbuild, root) {
  const dataUrl = pathToFileURL(join(root, 'data', '/')).href;
  const entry = `
import { loadCatalog, readCommonSchema } from './src/catalog/node.ts';
import { checkSchema, readSupplyFiles } from './src/supply/load.ts';
import { dataFromFiles } from './src/supply/index.ts';
import { perfChoices } from './src/web/perf-choices.ts';
const dataDir = new URL(${JSON.stringify(dataUrl)});
const files = readSupplyFiles(${JSON.stringify(join(root, 'data', 'supply'))});
checkSchema(files, readCommonSchema(dataDir));
const catalog = loadCatalog(dataDir);
export const supply = dataFromFiles(files, catalog);
export const choices = perfChoices(catalog);
`;
  const mod = await importBundle(esbuild, root, entry, 'prepare', { name: 'none', setup() {} });
  const modules = new Map([
    ['chipstack:supply-data', JSON.stringify(mod.supply)],
    ['chipstack:perf-choices', JSON.stringify(mod.choices)],
  ]);
  return {
    bytes: Object.fromEntries([...modules].map(([k, v]) => [k, v.length])),
    plugin: {
      name: 'prepared-modules',
      setup(b) {
        b.onResolve({ filter: /^chipstack:(supply-data|perf-choices)$/ }, (a) => ({
          path: a.path,
          namespace: 'prepared',
        }));
        b.onLoad({ filter: /.*/, namespace: 'prepared' }, (a) => ({
          // JSON.parse of one string: quicker to start than the same data as an object literal
          contents: `export default JSON.parse(${JSON.stringify(modules.get(a.path))});`,
          loader: 'js',
        }));
      },
    },
  };
}

/**
 * The JSON files of data/ that the bundles import (the catalogue, perf data and schemas): each as
 * `JSON.parse` of one string (V8 parses JSON text faster than the same data as an object literal,
 * which is what esbuild's JSON loader writes), its object registered with its file name in the
 * module `chipstack:data-files`, which the schema check above asks (`fileOf`).
 */
function dataFiles(root) {
  const dataDir = join(root, 'data');
  return {
    name: 'data-files',
    setup(b) {
      b.onResolve({ filter: /^chipstack:data-files$/ }, () => ({ path: 'files', namespace: 'data-files' }));
      b.onLoad({ filter: /.*/, namespace: 'data-files' }, () => ({
        contents: `const files = new WeakMap();
/** The object of a bundled data file, registered with its file name. */
export function dataFile(doc, file) { files.set(doc, file); return doc; }
/** The file a bundled data object came from (undefined for anything else). */
export const fileOf = (doc) => (doc !== null && typeof doc === 'object' ? files.get(doc) : undefined);`,
        loader: 'js',
      }));
      b.onLoad({ filter: /\.json$/ }, (a) => {
        if (!a.path.startsWith(dataDir)) return undefined;
        const text = JSON.stringify(JSON.parse(readFileSync(a.path, 'utf8')));
        const file = relative(root, a.path).split(sep).join('/');
        return {
          contents: `import { dataFile } from 'chipstack:data-files';\nexport default dataFile(JSON.parse(${JSON.stringify(text)}), ${JSON.stringify(file)});`,
          loader: 'js',
          resolveDir: root,
        };
      });
    },
  };
}

/**
 * Write each page's chunks into app.js (the router's `PAGE_CHUNKS` placeholder, main.ts): for every
 * page module that app.js imports dynamically, its chunk and all the chunks it imports statically,
 * less those app.js itself imports. The router preloads them at navigation.
 */
function writePageChunks(out, metafile) {
  const outputs = metafile.outputs;
  const name = (k) => k.split('/').pop();
  const byName = new Map(Object.entries(outputs).map(([k, o]) => [name(k), o]));
  const closure = (start) => {
    const seen = new Set();
    const visit = (n) => {
      if (seen.has(n)) return;
      seen.add(n);
      for (const i of byName.get(n)?.imports ?? []) if (i.kind === 'import-statement') visit(name(i.path));
    };
    visit(start);
    return seen;
  };
  const app = byName.get('app.js');
  if (!app) throw new Error('build-web: no app.js in the build');
  const shell = closure('app.js');
  const pages = {};
  for (const i of app.imports) {
    if (i.kind !== 'dynamic-import') continue;
    const entry = byName.get(name(i.path))?.entryPoint ?? '';
    const m = /src\/web\/app\/pages\/([a-z]+)\.ts$/.exec(entry);
    if (!m) continue;
    pages[m[1]] = [...closure(name(i.path))].filter((c) => !shell.has(c)).sort();
  }
  const file = join(out, 'app.js');
  const js = readFileSync(file, 'utf8');
  const holder = '{"chipstack:page-chunks":[]}';
  if (js.split(holder).length !== 2)
    throw new Error(`build-web: app.js must hold the placeholder ${holder} once (src/web/app/main.ts)`);
  writeFileSync(file, js.replace(holder, JSON.stringify(pages)));
}

/** Build dist/web under `root` (default: this package). */
export async function buildWeb({
  root = fileURLToPath(new URL('..', import.meta.url)),
  dev = false,
  quiet = false,
} = {}) {
  const esbuild = await import('esbuild');
  const out = join(root, 'dist', 'web');
  mkdirSync(out, { recursive: true });
  // chunks of earlier builds (their names carry a content hash), with their licence files and
  // compressed copies
  for (const f of readdirSync(out))
    if (/^chunk-.*\.js(\.map|\.LEGAL\.txt)?(\.br|\.gz)?$/.test(f)) rmSync(join(out, f));
  const t0 = Date.now();
  const ajv = await checkDataAtBuild(esbuild, root);
  const pb = await precompileProtobuf(esbuild, root);
  const prepared = await prepareModules(esbuild, root);
  const common = {
    plugins: [ajv.plugin, pb.plugin, prepared.plugin, dataFiles(root), nodeShims(root)],
    absWorkingDir: root,
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify: !dev,
    // Source maps only in a dev build: a production build ships (and serves) none.
    sourcemap: dev,
    metafile: true,
    legalComments: 'linked',
    logLevel: quiet ? 'silent' : 'warning',
  };
  // The workers started at navigation (Performance's and Supply's) as single files: one fetch and
  // one compile when the page opens, no chain of chunk requests (they share no module map with
  // the page anyway).
  const single = await esbuild.build({
    ...common,
    entryPoints: {
      'supply-worker': 'src/web/app/supply-worker.ts',
      'perf-worker': 'src/web/app/perf-worker.ts',
    },
    splitting: false,
  });
  const result = await esbuild.build({
    ...common,
    entryPoints: {
      app: 'src/web/app/main.ts',
      worker: 'src/web/app/worker.ts',
    },
    // each page, Plot and the data load as shared chunks on first use: the first paint needs only
    // app.js and the page shown (chunks sit beside app.js, so worker.js resolves the same)
    splitting: true,
    chunkNames: 'chunk-[hash]',
  });
  const built = [...Object.keys(result.metafile.outputs), ...Object.keys(single.metafile.outputs)].map((f) =>
    f.split('/').pop(),
  );
  writePageChunks(out, result.metafile);
  if (!dev)
    for (const f of ['app.js.map', 'worker.js.map', 'supply-worker.js.map', 'perf-worker.js.map'])
      rmSync(join(out, f), { force: true });
  // index.html last: its time stamp marks the build as complete (see src/web/build.ts). app.js's
  // own chunks are preloaded beside it (modulepreload), so they are fetched with app.js rather than
  // after it has been parsed.
  const appOut = Object.entries(result.metafile.outputs).find(([k]) => k.split('/').pop() === 'app.js');
  if (!appOut) throw new Error('build-web: no app.js in the build');
  const appChunks = appOut[1].imports
    .filter((i) => i.kind === 'import-statement')
    .map((i) => i.path.split('/').pop());
  for (const f of STATIC.slice().reverse()) {
    const src = join(root, 'src', 'web', 'app', f);
    if (f !== 'index.html') copyFileSync(src, join(out, f));
    else {
      const html = readFileSync(src, 'utf8');
      const tag = '<script type="module" src="app.js"></script>';
      if (!html.includes(tag)) throw new Error(`build-web: index.html has no ${tag}`);
      const preload = appChunks.map((c) => `<link rel="modulepreload" href="${c}">\n  `).join('');
      writeFileSync(join(out, f), html.replace(tag, `${preload}${tag}`));
    }
  }
  const files = [...new Set([...STATIC, ...built])].sort();
  const listed = [...files];
  for (const f of files) {
    if (!/\.(js|css|html|json|svg|txt)$/.test(f)) continue;
    const body = readFileSync(join(out, f));
    const br = brotliCompressSync(body, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
    writeFileSync(join(out, `${f}.br`), br);
    writeFileSync(join(out, `${f}.gz`), gzipSync(body, { level: 9 }));
    listed.push(`${f}.br`, `${f}.gz`);
  }
  // the asset list, written to a temp name and renamed: the server serves only these files
  writeFileSync(join(out, 'assets.json.tmp'), `${JSON.stringify({ files: listed.sort() }, null, 1)}\n`);
  renameSync(join(out, 'assets.json.tmp'), join(out, 'assets.json'));
  const now = new Date();
  utimesSync(join(out, 'index.html'), now, now);
  if (!quiet) {
    const sizes = Object.entries({ ...single.metafile.outputs, ...result.metafile.outputs })
      .filter(([f]) => f.endsWith('.js'))
      .map(([f, o]) => `${f.split('/').pop()} ${(o.bytes / 1024).toFixed(0)} KiB`);
    console.log(`dist/web: ${sizes.join(', ')} (${Date.now() - t0} ms)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildWeb({ dev: process.argv.includes('--dev') });
}
