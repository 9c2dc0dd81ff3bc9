// `faultline run` (or a test entry script) as a child process on its own data directory, and
// a store client that reaches the child's embedded store through the read-only endpoint it
// serves (chDB locks the directory to the child, and the test process must not open it).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Store } from '../../sql/index.ts';
import { readEndpointInfo } from '../../sql/open.ts';
import { ServerStore } from '../../sql/server-store.ts';
import { KEEP_FOREVER } from '../support/keep-forever.ts';
import { waitFor } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

export interface RunChild {
  proc: ChildProcess;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/** Spawn `node bin/faultline.js run ARGS` (or `node --import tsx SCRIPT ARGS`) with `env` added. */
export function startRun(env: Record<string, string>, args: string[] = [], script?: string): RunChild {
  const argv = script ? ['--import', 'tsx', script, ...args] : [BIN, 'run', ...args];
  const proc = spawn(process.execPath, argv, {
    env: { ...process.env, ...KEEP_FOREVER, CLICKHOUSE_URL: '', FAULTLINE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, stderr: () => err, exited, kill: (s) => void proc.kill(s) };
}

/** A client of the child's served store, once its endpoint is up. */
export async function endpointStore(dataDir: string, database: string, timeoutMs = 30_000): Promise<Store> {
  const info = await waitFor(
    'the child store endpoint',
    async () => readEndpointInfo(dataDir),
    (i) => i !== undefined,
    timeoutMs,
    100,
  );
  return new ServerStore({
    url: info!.url,
    username: 'faultline',
    password: info!.token,
    database,
    retentionDays: 0,
    retry: { retries: 1 },
  });
}
