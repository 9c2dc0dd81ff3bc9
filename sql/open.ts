// Choosing a backend from the configuration. With CLICKHOUSE_URL: the server backend. Without:
// chDB under FAULTLINE_DATA. chDB locks its data directory (one process at a time), so while
// `faultline run` holds it, `sql`/`trace`/`alerts check` reach the data through the local
// query endpoint that process serves (its address is in <FAULTLINE_DATA>/endpoint.json), or
// fail with StoreBusyError saying so plainly.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../lib/config.ts';
import { ConfigError, StoreBusyError, type StoreError } from '../lib/errors.ts';
import { sleep } from '../lib/retry.ts';
import { DataDirLockedError, EmbeddedStore } from './embedded-store.ts';
import { ServerStore, type ServerStoreOptions } from './server-store.ts';
import type { Store } from './store.ts';

export type StoreConfig = Pick<
  Config,
  | 'CLICKHOUSE_URL'
  | 'CLICKHOUSE_USER'
  | 'CLICKHOUSE_PASSWORD'
  | 'CLICKHOUSE_DATABASE'
  | 'FAULTLINE_DATA'
  | 'FAULTLINE_RETENTION_DAYS'
  | 'CLICKHOUSE_CLUSTER'
>;

export interface OpenOptions {
  /** When the embedded data directory is locked, use the running process's endpoint (default true). */
  fallbackToEndpoint?: boolean;
  /**
   * Without the fallback: when the embedded data directory is locked by a process that serves no
   * endpoint — a `status`, `sql` or `trace` that opened the store itself, for a moment — wait up to
   * this long for it, trying again every 250 ms (default 0). A process that serves the store
   * (another `run`) is not waited for.
   */
  waitIfBusyMs?: number;
  /** Called once, when the wait starts. */
  onWait?: () => void;
  /** Server backend only: retry policy and timeouts (tests shorten them). */
  server?: Partial<Pick<ServerStoreOptions, 'retry' | 'requestTimeoutMs' | 'onRetry'>>;
}

/** What `serveStore` writes to <FAULTLINE_DATA>/endpoint.json. */
export interface EndpointInfo {
  url: string;
  /** Password the endpoint requires (user `faultline`); the file is readable by its owner only. */
  token: string;
  pid: number;
  readonly: boolean;
  database: string;
}

export function endpointFile(dataDir: string): string {
  return join(dataDir, 'endpoint.json');
}

export function readEndpointInfo(dataDir: string): EndpointInfo | undefined {
  const file = endpointFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as EndpointInfo;
    process.kill(info.pid, 0); // throws when the process is gone (stale file after a crash)
    return info;
  } catch {
    return undefined;
  }
}

/** Without a caller's own reporting, every retry of the server store is a line on stderr (stdout stays the command's output). */
function reportRetry(err: StoreError, attempt: number, delayMs: number): void {
  process.stderr.write(`faultline: ${err.message.split('\n')[0]} (attempt ${attempt}, retrying in ${delayMs} ms)\n`);
}

export async function openStore(config: StoreConfig, opts: OpenOptions = {}): Promise<Store> {
  if (config.CLICKHOUSE_URL) {
    return new ServerStore({
      url: config.CLICKHOUSE_URL,
      username: config.CLICKHOUSE_USER,
      password: config.CLICKHOUSE_PASSWORD,
      database: config.CLICKHOUSE_DATABASE,
      retentionDays: config.FAULTLINE_RETENTION_DAYS,
      cluster: config.CLICKHOUSE_CLUSTER,
      onRetry: reportRetry,
      ...opts.server,
    });
  }
  if (config.CLICKHOUSE_CLUSTER) {
    throw new ConfigError(
      `CLICKHOUSE_CLUSTER=${config.CLICKHOUSE_CLUSTER} needs a ClickHouse server (CLICKHOUSE_URL): the embedded store is one node`,
    );
  }
  const until = Date.now() + (opts.waitIfBusyMs ?? 0);
  let waiting = false;
  for (;;) {
    try {
      return await EmbeddedStore.open(config.FAULTLINE_DATA, config.CLICKHOUSE_DATABASE, config.FAULTLINE_RETENTION_DAYS);
    } catch (err) {
      if (!(err instanceof DataDirLockedError)) throw err;
      if (opts.fallbackToEndpoint !== false) return endpointStore(config, opts);
      if (Date.now() >= until || readEndpointInfo(config.FAULTLINE_DATA)) throw new StoreBusyError(config.FAULTLINE_DATA);
      if (!waiting) opts.onWait?.();
      waiting = true;
      await sleep(250);
    }
  }
}

/** The store served by the process holding the embedded data directory, or StoreBusyError. */
async function endpointStore(config: StoreConfig, opts: OpenOptions): Promise<Store> {
  const info = readEndpointInfo(config.FAULTLINE_DATA);
  if (!info) throw new StoreBusyError(config.FAULTLINE_DATA);
  const store = new ServerStore({
    url: info.url,
    username: 'faultline',
    password: info.token,
    database: config.CLICKHOUSE_DATABASE,
    retentionDays: config.FAULTLINE_RETENTION_DAYS,
    retry: { retries: 2 },
    onRetry: reportRetry,
    ...opts.server,
  });
  if (!(await store.ping().catch(() => false))) {
    await store.close();
    throw new StoreBusyError(config.FAULTLINE_DATA);
  }
  return store;
}
