/**
 * @module web/server
 * A static file server for the built dashboard (`dist/web/`) on node:http.
 * - Serves only the built assets: the files listed in `assets.json`, which the build writes
 *   (never `server.js`, tests or source maps that share the folder). GET and HEAD only.
 * - Answers only its own origin: the Host header must be localhost, 127.0.0.1 or [::1] with the
 *   port the request came in on (DNS rebinding); anything else gets 421.
 * - Security headers on every response, errors included: a Content-Security-Policy that allows
 *   nothing but this origin (no eval, no inline script or style, no framing), nosniff, no referrer.
 * - JS, CSS, HTML and JSON go out gzip- or brotli-compressed when the client accepts it: the
 *   build's precompressed `.br`/`.gz` files, else compressed once here and cached.
 * - `shutdown` stops it in bounded time: idle connections close at once, busy ones after a grace.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, relative, sep } from 'node:path';
import { brotliCompressSync, gzipSync, constants as zlibConstants } from 'node:zlib';

const MIME: ReadonlyMap<string, string> = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.txt', 'text/plain; charset=utf-8'],
]);

/** Types worth compressing. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.txt']);

/** The list of servable files the build writes into the dashboard folder. */
export const ASSET_LIST = 'assets.json';

/**
 * Everything from this origin only: no eval (the build precompiles the JSON Schema validators),
 * no inline scripts or styles, not framed by anyone.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers sent with every response, whatever its status. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** Host names the server answers to (with the port it listens on). */
export const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

/** The file a URL path names under `root`, or null when it escapes the root or is malformed. */
export function resolvePath(root: string, urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  if (path.endsWith('/')) path += 'index.html';
  const full = normalize(join(root, path));
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  return full.startsWith(base) ? full : null;
}

/** The asset list the build wrote in `root`; an error naming the file when it is missing or malformed. */
export function readAssetList(root: string): string[] {
  const file = join(root, ASSET_LIST);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(
      `${file}: cannot read the dashboard's asset list (${(err as Error).message}); rebuild with node scripts/build-web.mjs`,
    );
  }
  const files = (parsed as { files?: unknown })?.files;
  if (!Array.isArray(files) || !files.every((f) => typeof f === 'string')) {
    throw new Error(`${file}: "files" must be a list of file names`);
  }
  return files as string[];
}

export interface DashboardServerOptions {
  /** The files to serve, relative to the root with `/` separators. Default: the build's `assets.json`. */
  files?: readonly string[];
  /** More host names (without port) to answer to, e.g. the address given to `--host`. */
  hosts?: readonly string[];
  /** Seconds a client has to send its request headers (slow clients). Default 10. */
  headersTimeoutS?: number;
}

interface Asset {
  type: string;
  body: Buffer;
  /** Compressed bodies by encoding; filled from the build's files or on first use. */
  encoded: Map<'br' | 'gzip', Buffer>;
  compressible: boolean;
}

/** Which encoding to send: brotli, then gzip, when the client accepts it (q=0 refuses). */
export function pickEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  if (!acceptEncoding) return null;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    let q = 1;
    for (const p of params) {
      const m = /^\s*q=([0-9.]+)\s*$/.exec(p);
      if (m) q = Number(m[1]);
    }
    if (name) accepted.set(name, Number.isFinite(q) ? q : 0);
  }
  const ok = (e: string) => (accepted.get(e) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

function loadAssets(root: string, files: readonly string[]): Map<string, Asset> {
  const listed = new Set(files);
  const assets = new Map<string, Asset>();
  for (const name of files) {
    if (name.endsWith('.br') || name.endsWith('.gz')) continue; // variants, not served by their own name
    const full = resolvePath(root, `/${name}`);
    if (!full || relative(root, full).split(sep).join('/') !== name) {
      throw new Error(`${join(root, ASSET_LIST)}: "${name}" is not a plain path under the dashboard folder`);
    }
    const ext = extname(name);
    const asset: Asset = {
      type: MIME.get(ext) ?? 'application/octet-stream',
      body: readFileSync(full),
      encoded: new Map(),
      compressible: COMPRESSIBLE.has(ext),
    };
    if (listed.has(`${name}.br`)) asset.encoded.set('br', readFileSync(`${full}.br`));
    if (listed.has(`${name}.gz`)) asset.encoded.set('gzip', readFileSync(`${full}.gz`));
    assets.set(name, asset);
  }
  return assets;
}

function compress(asset: Asset, encoding: 'br' | 'gzip'): Buffer {
  let body = asset.encoded.get(encoding);
  if (!body) {
    body =
      encoding === 'br'
        ? brotliCompressSync(asset.body, {
            params: {
              [zlibConstants.BROTLI_PARAM_QUALITY]: 9,
              [zlibConstants.BROTLI_PARAM_SIZE_HINT]: asset.body.length,
            },
          })
        : gzipSync(asset.body, { level: 9 });
    asset.encoded.set(encoding, body);
  }
  return body;
}

/** Whether a Host header names this server: a local name with the port the request came in on. */
export function hostAllowed(host: string | undefined, port: number, extra: readonly string[] = []): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  for (const name of [...LOCAL_HOSTS, ...extra]) {
    const n = name.toLowerCase();
    if (h === `${n}:${port}`) return true;
    if (port === 80 && h === n) return true;
  }
  return false;
}

/** A server for the built dashboard under `root`. */
export function createDashboardServer(root: string, opts: DashboardServerOptions = {}): Server {
  const assets = loadAssets(root, opts.files ?? readAssetList(root));
  const extraHosts = (opts.hosts ?? []).map((h) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const send = (status: number, text: string) => {
      res.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(text),
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    const port = req.socket.localPort ?? 0;
    if (!hostAllowed(req.headers.host, port, extraHosts)) {
      return send(
        421,
        `misdirected request: this server answers only ${LOCAL_HOSTS.map((h) => `http://${h}:${port}/`).join(', ')}\n`,
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(405, 'method not allowed\n');
    }
    const full = resolvePath(root, req.url ?? '/');
    if (!full) return send(400, 'bad path\n');
    const name = relative(root, full).split(sep).join('/');
    const asset = assets.get(name);
    if (!asset) return send(404, 'not found\n');
    const encoding = asset.compressible ? pickEncoding(req.headers['accept-encoding']) : null;
    const body = encoding ? compress(asset, encoding) : asset.body;
    const headers: Record<string, string | number> = {
      'content-type': asset.type,
      'content-length': body.length,
      'cache-control': 'no-cache',
    };
    if (asset.compressible) headers.vary = 'Accept-Encoding';
    if (encoding) headers['content-encoding'] = encoding;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  // Slow clients: headers within headersTimeoutS, the whole request within twice that.
  const t = Math.max(1, opts.headersTimeoutS ?? 10) * 1000;
  server.headersTimeout = t;
  server.requestTimeout = 2 * t;
  return server;
}

/** Listen on `host:port` (port 0: an ephemeral one) and give the URL. */
export function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const p = (server.address() as AddressInfo).port;
      const h = host.includes(':') ? `[${host}]` : host;
      resolve({ url: `http://${h}:${p}/`, port: p });
    });
  });
}

/**
 * Stop the server in bounded time: stop accepting, close idle keep-alive connections now, and
 * after `graceMs` close every connection still open (a slow or stalled client). Resolves when
 * the server has closed.
 */
export function shutdown(server: Server, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
