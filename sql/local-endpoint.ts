// A local endpoint serving an embedded (chDB) store over ClickHouse's HTTP interface, enough
// of it for @clickhouse/client: GET /ping, POST/GET `/` with `query`, `database`, `param_*`
// and settings in the URL, the query or `INSERT … FORMAT JSONEachRow` data in the body, gzip
// bodies, `X-ClickHouse-*` response headers, and errors as ClickHouse writes them
// (`Code: N. DB::Exception: … (TYPE)` with `X-ClickHouse-Exception-Code`).
//
// Why it exists: chDB locks its data directory to one process, so while `faultline run` holds
// the store, `sql`, `trace` and `alerts check` reach the data through this endpoint (found via
// <FAULTLINE_DATA>/endpoint.json, which names a per-run password). Loopback only.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { StoreError } from '../lib/errors.ts';
import { EmbeddedStore } from './embedded-store.ts';
import {
  bindParams,
  isMultiStatement,
  isReadOnlyKind,
  outputFormat,
  parseInsert,
  ProtocolError,
  splitUrlParams,
  statementKind,
  withFormatAndSettings,
} from './http-statement.ts';
import { endpointFile, type EndpointInfo } from './open.ts';
import type { Store } from './store.ts';

export interface ServeOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** Refuse everything but SELECT/SHOW/DESCRIBE/EXPLAIN/EXISTS (default true). */
  readonly?: boolean;
  /** Required password (user `faultline`); default: a random one. `null`: no authentication (tests). */
  token?: string | null;
  /** Write <FAULTLINE_DATA>/endpoint.json so other faultline processes find this endpoint (default true). */
  advertise?: boolean;
}

export interface ServedStore {
  url: string;
  port: number;
  token: string | null;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  JSON: 'application/json; charset=UTF-8',
  JSONEachRow: 'application/x-ndjson; charset=UTF-8',
  JSONCompact: 'application/json; charset=UTF-8',
  CSV: 'text/csv; charset=UTF-8; header=absent',
};

/** HTTP status ClickHouse answers for some exception codes; 500 otherwise. */
function httpStatusFor(code: number): number {
  if (code === 516 || code === 164 || code === 497) return 403;
  if (code === 60 || code === 81) return 404;
  if (code === 62 || code === 27 || code === 26 || code === 117 || code === 457 || code === 456 || code === 73) return 400;
  return 500;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function credentials(req: IncomingMessage, url: URL): { user: string; password: string } {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const text = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const i = text.indexOf(':');
    return { user: text.slice(0, i), password: text.slice(i + 1) };
  }
  return {
    user: String(req.headers['x-clickhouse-user'] ?? url.searchParams.get('user') ?? 'default'),
    password: String(req.headers['x-clickhouse-key'] ?? url.searchParams.get('password') ?? ''),
  };
}

export async function serveStore(given: Store, opts: ServeOptions = {}): Promise<ServedStore> {
  if (!(given instanceof EmbeddedStore)) {
    throw new StoreError('serveStore serves an embedded (chDB) store; a server store is already reachable over HTTP', { retriable: false });
  }
  const store: EmbeddedStore = given;
  const readonly = opts.readonly ?? true;
  const token = opts.token === undefined ? randomBytes(18).toString('base64url') : opts.token;
  // One statement at a time: requests may switch the session's default database.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn, fn);
    chain = p.catch(() => undefined);
    return p;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/ping' || url.pathname === '/replicas_status' || (url.pathname === '/' && req.method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    if (url.pathname !== '/' || (req.method !== 'POST' && req.method !== 'GET')) {
      throw new ProtocolError(0, 'UNKNOWN', `There is no handle ${url.pathname} for method ${req.method}`);
    }
    if (token !== null && credentials(req, url).password !== token) {
      throw new ProtocolError(
        516,
        'AUTHENTICATION_FAILED',
        'faultline: Authentication failed: password is incorrect, or there is no user with such name',
      );
    }
    let body = req.method === 'POST' ? await readBody(req) : Buffer.alloc(0);
    if (/gzip/i.test(String(req.headers['content-encoding'] ?? ''))) body = gunzipSync(body);
    const { params, settings } = splitUrlParams(url.searchParams);
    const database = url.searchParams.get('database') ?? store.database;
    const urlQuery = url.searchParams.get('query') ?? '';
    const queryId = url.searchParams.get('query_id') ?? randomUUID();
    const defaultFormat = url.searchParams.get('default_format') ?? 'TabSeparated';
    const kind = statementKind(urlQuery || body.toString('utf8', 0, Math.min(body.length, 4096)));
    const headers: Record<string, string> = {
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Timezone': 'UTC',
      'X-ClickHouse-Server-Display-Name': 'faultline-local',
    };

    if (kind === 'INSERT') {
      const ins = urlQuery ? parseInsert(urlQuery, body, settings) : parseInsert(body.toString('utf8'), undefined, settings);
      if (ins) {
        if (readonly || req.method === 'GET') throw new ProtocolError(164, 'READONLY', 'faultline: Cannot execute query in readonly mode');
        if (!ins.table.includes('.')) ins.table = `${database}.${ins.table}`;
        const start = process.hrtime.bigint();
        const written = await serial(() => store.insertRaw(ins));
        const summary = {
          read_rows: '0',
          read_bytes: '0',
          written_rows: String(written),
          written_bytes: String(ins.body.length),
          total_rows_to_read: '0',
          result_rows: '0',
          result_bytes: '0',
          elapsed_ns: String(process.hrtime.bigint() - start),
        };
        res
          .writeHead(200, { ...headers, 'X-ClickHouse-Summary': JSON.stringify(summary), 'Content-Type': 'text/plain; charset=UTF-8' })
          .end();
        return;
      }
    }
    const sql = urlQuery ? (body.length ? `${urlQuery}\n${body.toString('utf8')}` : urlQuery) : body.toString('utf8');
    if (!sql.trim()) throw new ProtocolError(62, 'SYNTAX_ERROR', 'Empty query');
    if (isMultiStatement(sql)) throw new ProtocolError(62, 'SYNTAX_ERROR', 'Multi-statements are not allowed');
    const reading = isReadOnlyKind(kind);
    if (!reading && (readonly || req.method === 'GET')) {
      throw new ProtocolError(
        164,
        'READONLY',
        `faultline: Cannot execute query in readonly mode (the running faultline process serves reads only; ${kind || 'this'} ` +
          `statements are refused)`,
      );
    }
    const text = reading ? withFormatAndSettings(sql, defaultFormat, readonly ? { ...settings, readonly: '2' } : settings) : sql;
    const format = reading ? outputFormat(text, defaultFormat) : defaultFormat;
    const start = process.hrtime.bigint();
    // A write's settings (an INSERT … SELECT's insert_deduplication_token, …) apply to it alone;
    // a read carries them in its SETTINGS clause above.
    let out = await serial(() =>
      store.execRaw({ sql: text, params: bindParams(text, params), format, database, ...(reading ? {} : { settings }) }),
    );
    const summary = {
      read_rows: '0',
      read_bytes: '0',
      written_rows: '0',
      written_bytes: '0',
      total_rows_to_read: '0',
      result_rows: '0',
      result_bytes: String(out.length),
      elapsed_ns: String(process.hrtime.bigint() - start),
    };
    headers['X-ClickHouse-Format'] = format;
    headers['X-ClickHouse-Summary'] = JSON.stringify(summary);
    headers['Content-Type'] = CONTENT_TYPES[format] ?? 'text/plain; charset=UTF-8';
    if (url.searchParams.get('enable_http_compression') === '1' && /gzip/.test(String(req.headers['accept-encoding'] ?? ''))) {
      out = gzipSync(out);
      headers['Content-Encoding'] = 'gzip';
    }
    res.writeHead(200, headers).end(out);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const { code, text } = describe(err);
      if (res.headersSent) return void res.destroy();
      res
        .writeHead(httpStatusFor(code), {
          'Content-Type': 'text/plain; charset=UTF-8',
          'X-ClickHouse-Exception-Code': String(code),
        })
        .end(text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const file = endpointFile(store.dataDir);
  const advertise = opts.advertise ?? true;
  const removeFile = () => rmSync(file, { force: true });
  if (advertise) {
    const info: EndpointInfo = { url, token: token ?? '', pid: process.pid, readonly, database: store.database };
    writeFileSync(`${file}.tmp`, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    process.once('exit', removeFile);
  }
  let closed = false;
  return {
    url,
    port,
    token,
    async close() {
      if (closed) return;
      closed = true;
      if (advertise) {
        removeFile();
        process.off('exit', removeFile);
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The error as ClickHouse's HTTP interface writes it. */
function describe(err: unknown): { code: number; type: string; text: string } {
  if (err instanceof ProtocolError) {
    return {
      code: err.code,
      type: err.type,
      text: `Code: ${err.code}. DB::Exception: ${err.message}. (${err.type}) (version faultline-local)\n`,
    };
  }
  const code = err instanceof StoreError ? (err.clickhouseCode ?? 1) : 1;
  const type = err instanceof StoreError ? (err.clickhouseType ?? 'UNSUPPORTED_METHOD') : 'UNSUPPORTED_METHOD';
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
  const text = /^Code: \d+\./.test(cause) ? cause : `Code: ${code}. DB::Exception: ${cause}. (${type})`;
  return { code, type, text: `${text.trimEnd()}\n` };
}
