// The Kafka broker of the kit tests and benchmarks share (support/: neither test/ nor bench/
// imports the other): librdkafka's mock cluster in a small C
// process (support/broker/mock-broker.c), compiled here on first use (or when the source
// is newer than the binary) and driven over its stdin, one command per line.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(here, 'broker', 'mock-broker.c');
const BUILD_DIR = join(here, 'build');
const BINARY = join(BUILD_DIR, 'mock-broker');

/** Kafka protocol API keys that tests inject errors into. */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  SyncGroup: 14,
} as const;
/** Kafka error codes (retriable ones the consumer must ride out). */
export const KafkaErr = {
  NOT_LEADER_FOR_PARTITION: 6,
  REQUEST_TIMED_OUT: 7,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  REBALANCE_IN_PROGRESS: 27,
} as const;

export interface TestBroker {
  /** Comma-separated bootstrap list, e.g. `127.0.0.1:41234,127.0.0.1:40111`. */
  readonly bootstrap: string;
  readonly brokers: string[];
  createTopic(name: string, partitions: number): Promise<void>;
  brokerDown(id: number): Promise<void>;
  brokerUp(id: number): Promise<void>;
  setRtt(id: number, ms: number): Promise<void>;
  /** The next `errs.length` requests of `apiKey` fail with these Kafka error codes. */
  pushRequestErrors(apiKey: number, errs: number[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Compile the helper when missing or stale. Compiles to a temp name and renames, so test files
 * starting in parallel never run a half-written binary.
 */
function buildBroker(): string {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return BINARY;
  mkdirSync(BUILD_DIR, { recursive: true });
  const tmp = `${BINARY}.${process.pid}.tmp`;
  const r = spawnSync('gcc', ['-O2', '-Wall', '-o', tmp, SOURCE, '-lrdkafka'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(
      `cannot build the Kafka test broker (gcc ${SOURCE} -lrdkafka): ${r.error?.message ?? r.stderr}\n` +
        'install librdkafka-dev and gcc (apt-get install -y librdkafka-dev gcc)',
    );
  }
  renameSync(tmp, BINARY);
  return BINARY;
}

export async function startBroker(opts: { brokers?: number } = {}): Promise<TestBroker> {
  const bin = buildBroker();
  const child: ChildProcessWithoutNullStreams = spawn(bin, [String(opts.brokers ?? 1)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  let first: ((line: string) => void) | undefined;
  lines.on('line', (line) => {
    if (first) {
      const f = first;
      first = undefined;
      f(line);
    } else waiting.shift()?.(line);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const bootstrapLine = await new Promise<string>((resolve, reject) => {
    first = resolve;
    child.on('error', reject);
    void exited.then((code) => reject(new Error(`mock broker exited with ${code}: ${stderr}`)));
  });
  const bootstrap = bootstrapLine.replace(/^bootstrap /, '').trim();

  // Commands are answered in order, one line each, so a FIFO of resolvers pairs them up.
  let chain = Promise.resolve();
  const send = (cmd: string): Promise<void> => {
    const run = chain.then(
      () =>
        new Promise<void>((resolve, reject) => {
          waiting.push((line) => (line === 'ok' ? resolve() : reject(new Error(`mock broker: ${cmd}: ${line}`))));
          child.stdin.write(`${cmd}\n`);
        }),
    );
    chain = run.catch(() => undefined);
    return run;
  };

  return {
    bootstrap,
    brokers: bootstrap.split(','),
    createTopic: (name, partitions) => send(`topic ${name} ${partitions}`),
    brokerDown: (id) => send(`down ${id}`),
    brokerUp: (id) => send(`up ${id}`),
    setRtt: (id, ms) => send(`rtt ${id} ${ms}`),
    pushRequestErrors: (apiKey, errs) => send(`errors ${apiKey} ${errs.join(' ')}`),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end('quit\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
