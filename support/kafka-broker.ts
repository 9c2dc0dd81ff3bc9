// A real Apache Kafka broker for tests and benchmarks: one KRaft node (broker and controller in
// one JVM) on free loopback ports, its log directory formatted in a temporary directory with
// Kafka's own storage tool, started, awaited until it answers Metadata, and removed on stop.
// Settings follow Kafka's KRaft quickstart (config/server.properties of the release), with the
// replication factors of one node and the few test-bed settings marked below.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { checkJava, kafkaJars } from './kafka-dist.ts';

export interface KafkaBrokerOptions {
  /** Extra broker settings (server.properties keys), e.g. `{ 'log.retention.check.interval.ms': 500 }`. */
  settings?: Record<string, string | number>;
  /** JVM heap ceiling (default 512m; Kafka's scripts use 1g). */
  heap?: string;
}

export interface RealKafka {
  readonly version: string;
  readonly bootstrap: string;
  readonly brokers: string[];
  /** From starting the JVM to the first Metadata answer (format not included). */
  readonly startupMs: number;
  readonly formatMs: number;
  createTopic(name: string, partitions: number, config?: Record<string, string>): Promise<void>;
  /** The JVM's resident memory now and its peak, in bytes (from /proc). */
  memory(): { rss: number; peak: number };
  /** The newest 20 kB of the broker's WARN/ERROR log (stderr). */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (what `kafka-storage
 * random-uuid` prints). Like Kafka's Uuid.randomUuid, never one starting with '-': the storage
 * tool's argument parser would take it for an option.
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function properties(port: number, controllerPort: number, logDir: string, extra: Record<string, string | number>): string {
  const p: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': logDir,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // Test bed: the first join is not held back 3 s (a test that starts two members together
    // and needs them to share the first assignment sets it back, test/ingest/split-replay.test.ts),
    // tests may use 3 s session timeouts (Kafka's floor is 6 s), and retention runs every second
    // from the first second instead of every 5 minutes from 30 s after start
    // (log.initial.task.delay.ms, an internal setting).
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 1000,
    'log.retention.check.interval.ms': 1000,
    'log.initial.task.delay.ms': 1000,
    // Records are kept forever unless a topic says otherwise: tests produce records stamped
    // with fixed past dates (`faultline generate --start 2026-11-21` sets the Kafka timestamp),
    // and Kafka's default 7-day retention would delete them at its next check, so a test would
    // depend on today's date. Retention tests set retention.ms on their topic.
    'log.retention.ms': -1,
    ...extra,
  };
  return `${Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

function javaArgs(libs: string, heap: string): string[] {
  return [
    `-Xmx${heap}`,
    '-XX:+UseSerialGC',
    '-Djava.awt.headless=true',
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    '-Dorg.slf4j.simpleLogger.logFile=System.err',
    '-cp',
    join(libs, '*'),
  ];
}

function procBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Wait until every partition of `topic` has a leader that serves it. KRaft brokers
 * learn a new topic from the metadata log a moment after CreateTopics answers, and kafkajs's
 * own `waitForLeaders` gives up on the UNKNOWN_TOPIC_OR_PARTITION they answer meanwhile.
 */
export async function waitForTopic(admin: Admin, topic: string, partitions: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const parts = topics[0]?.partitions ?? [];
      last = `${parts.filter((p) => p.leader >= 0).length} of ${partitions} partitions led`;
      // ListOffsets answers only once the leader hosts the partition; before that a produce
      // may fail on some partitions of a request, and kafkajs resends the whole request
      // (duplicating the partitions that had been written).
      if (parts.length === partitions && parts.every((p) => p.leader >= 0) && (await admin.fetchTopicOffsets(topic)).length === partitions)
        return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`topic ${topic} not ready after ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Start Kafka `version` (e.g. '4.4.0'). The JVM runs under a small shell that kills it when its
 * standard input closes, so no broker outlives the test process that started it, even one
 * killed with SIGKILL.
 */
export async function startKafka(version: string, opts: KafkaBrokerOptions = {}): Promise<RealKafka> {
  checkJava();
  const libs = await kafkaJars(version);
  const dir = mkdtempSync(join(tmpdir(), `faultline-kafka-${version}-`));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const config = join(dir, 'server.properties');
  writeFileSync(config, properties(port, controllerPort, join(dir, 'data'), opts.settings ?? {}));
  const jvm = javaArgs(libs, opts.heap ?? '512m');

  const f0 = Date.now();
  const format = spawnSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', config], { encoding: 'utf8' });
  if (format.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`kafka-storage format failed for Kafka ${version}: ${format.stderr || format.stdout}`);
  }
  const formatMs = Date.now() - f0;

  const t0 = Date.now();
  const watchdog = 'java "$@" </dev/null & j=$!; echo "pid $j"; read -r _; kill "$j" 2>/dev/null; wait "$j"';
  const child: ChildProcessWithoutNullStreams = spawn('sh', ['-c', watchdog, 'kafka', ...jvm, 'kafka.Kafka', config], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const javaPid = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(/pid (\d+)/.exec(d.toString())?.[1])));
    child.once('error', reject);
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    child.stdin.end(); // the shell kills the JVM (SIGTERM: Kafka's controlled shutdown)
    const timer = setTimeout(() => process.kill(javaPid, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };

  const bootstrap = `127.0.0.1:${port}`;
  const admin = new Kafka({ brokers: [bootstrap], clientId: 'test-bed', logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`Kafka ${version} exited with ${child.exitCode} before serving metadata:\n${log}`);
    }
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Kafka ${version} did not serve metadata within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const startupMs = Date.now() - t0;
  await admin.disconnect();

  return {
    version,
    bootstrap,
    brokers: [bootstrap],
    startupMs,
    formatMs,
    async createTopic(name, partitions, topicConfig = {}) {
      const a = new Kafka({ brokers: [bootstrap], clientId: 'test-bed', logLevel: logLevel.NOTHING }).admin();
      await a.connect();
      try {
        const configEntries = Object.entries(topicConfig).map(([name, value]) => ({ name, value }));
        const created = await a.createTopics({
          topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1, configEntries }],
          waitForLeaders: false,
        });
        if (!created) throw new Error(`topic ${name} already exists`);
        await waitForTopic(a, name, partitions);
      } finally {
        await a.disconnect();
      }
    },
    memory: () => ({ rss: procBytes(javaPid, 'VmRSS'), peak: procBytes(javaPid, 'VmHWM') }),
    log: () => log,
    stop,
  };
}
