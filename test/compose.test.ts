// compose.yaml checked statically (no Docker engine here): services and their wiring, pinned
// images, ports, mounted paths that exist in the repo, healthchecks behind every
// depends_on condition, env names faultline knows, and only marked local default secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SETTINGS } from '../lib/config.ts';
import { KAFKA_VERSIONS } from '../support/kafka-versions.ts';

const root = new URL('..', import.meta.url).pathname;
const text = readFileSync(join(root, 'compose.yaml'), 'utf8');
type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: unknown };
  restart?: string;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
};
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

test('the services of the production path are all there', () => {
  for (const name of [
    'kafka',
    'kafka-init',
    'clickhouse',
    'migrate',
    'grafana-user',
    'faultline',
    'generate',
    'alert-receiver',
    'grafana',
  ]) {
    assert.ok(services[name], `service ${name}`);
  }
  assert.ok(!Object.keys(services).some((s) => /zookeeper/i.test(s)), 'KRaft: no ZooKeeper');
  const k = services.kafka!.environment!;
  assert.match(String(k.KAFKA_PROCESS_ROLES), /broker/);
  assert.match(String(k.KAFKA_PROCESS_ROLES), /controller/);
  assert.deepEqual(services.faultline!.command, ['run']);
  assert.deepEqual(services.migrate!.command, ['migrate']);
  assert.equal(services.generate!.command![0], 'generate');
  assert.ok(services.generate!.command!.includes('kafka'));
  for (const c of ['run', 'migrate', 'generate']) assert.ok(existsSync(join(root, 'cli/commands', `${c}.ts`)), `cli/commands/${c}.ts`);
});

test('images are pinned to versions (no latest, no untagged)', () => {
  for (const [name, s] of Object.entries(services)) {
    assert.ok(s.image, `${name} has an image`);
    const tag = /:([^/:]+)$/.exec(s.image)?.[1];
    assert.ok(tag && tag !== 'latest' && /^\d+\.\d+/.test(tag), `${name}: ${s.image} is pinned`);
    if (s.build !== undefined) assert.equal(s.image, `faultline:${pkg.version}`, `${name} builds faultline:${pkg.version}`);
  }
  assert.equal(services.kafka!.image, services['kafka-init']!.image);
  // The newest Kafka the test bed runs the Kafka-path tests on (support/kafka-broker.ts).
  assert.equal(services.kafka!.image, `apache/kafka:${KAFKA_VERSIONS['4']}`);
  assert.match(services.grafana!.environment!.GF_INSTALL_PLUGINS as string, /^grafana-clickhouse-datasource 4\.20\.0$/);
});

test('published ports: Kafka 29092, ClickHouse 8123, Grafana 3000, metrics 9464, no clashes', () => {
  const host = Object.values(services)
    .flatMap((s) => s.ports ?? [])
    .map((p) => p.split(':')[0]);
  assert.equal(new Set(host).size, host.length, `duplicate host ports ${host.join(',')}`);
  for (const p of ['29092', '8123', '3000', '9464']) assert.ok(host.includes(p), `port ${p} published`);
  assert.match(String(services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS), /localhost:29092/);
  assert.equal(services.faultline!.environment!.FAULTLINE_METRICS_PORT, 9464);
});

test('mounted paths exist in the repo and line up with the provisioning files', () => {
  const binds = Object.values(services)
    .flatMap((s) => s.volumes ?? [])
    .filter((v) => v.startsWith('./'));
  assert.ok(binds.length >= 4);
  for (const b of binds) {
    const src = b.split(':')[0]!;
    assert.ok(existsSync(join(root, src)), `${src} exists`);
  }
  const g = services.grafana!.volumes!;
  const target = (src: string) => g.find((v) => v.startsWith(`${src}:`))?.split(':')[1];
  assert.equal(target('./dashboards/provisioning/datasources'), '/etc/grafana/provisioning/datasources');
  assert.equal(target('./dashboards/provisioning/alerting'), '/etc/grafana/provisioning/alerting');
  // The dashboard provider reads the folder the generated JSON is mounted at.
  const provider = parse(readFileSync(join(root, 'dashboards/provisioning/dashboards/faultline.yaml'), 'utf8')) as {
    providers: { options: { path: string } }[];
  };
  assert.equal(target('./dashboards/generated'), provider.providers[0]!.options.path);
  // The datasource points at the clickhouse service's HTTP port.
  const ds = parse(readFileSync(join(root, 'dashboards/provisioning/datasources/faultline.yaml'), 'utf8')) as {
    datasources: { jsonData: { host: string; port: number } }[];
  };
  assert.equal(ds.datasources[0]!.jsonData.host, 'clickhouse');
  assert.ok(services.clickhouse!.ports!.some((p) => p.endsWith(`:${ds.datasources[0]!.jsonData.port}`)));
  for (const v of Object.keys(compose.volumes))
    assert.ok(
      Object.values(services).some((s) => (s.volumes ?? []).some((x) => x.startsWith(`${v}:`))),
      `volume ${v} used`,
    );
  // Dockerfile COPY sources exist.
  const docker = readFileSync(join(root, 'Dockerfile'), 'utf8');
  // The build stage has every folder `npm run build` compiles (tsconfig.build.json).
  const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
  for (const dir of [...build.include, 'data', 'scripts/build.js', 'tsconfig.build.json'])
    assert.match(docker, new RegExp(`^COPY (.* )?${dir}( |$)`, 'm'), `Dockerfile COPY ${dir}`);
  // (`COPY --from=build` copies out of the build stage, not from the checkout.)
  for (const m of docker.matchAll(/^COPY (?!--from=)(.+) \S+$/gm))
    for (const src of m[1]!.split(' ')) assert.ok(existsSync(join(root, src)), `Dockerfile COPY ${src}`);
});

test('every depends_on condition can be met: healthchecks and one-shot jobs', () => {
  let n = 0;
  for (const [name, s] of Object.entries(services)) {
    for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
      n++;
      assert.ok(services[dep], `${name} depends on unknown ${dep}`);
      if (condition === 'service_healthy') assert.ok(services[dep]!.healthcheck, `${dep} has a healthcheck (${name} waits for it)`);
      else if (condition === 'service_completed_successfully') assert.equal(services[dep]!.restart, 'no', `${dep} is one-shot`);
      else assert.fail(`${name} -> ${dep}: condition ${condition}`);
    }
  }
  assert.ok(n >= 7);
  for (const s of ['kafka', 'clickhouse', 'faultline', 'grafana']) assert.ok(services[s]!.healthcheck, `${s} healthcheck`);
  assert.equal(services.faultline!.depends_on!['kafka-init']!.condition, 'service_completed_successfully');
  assert.equal(services.faultline!.depends_on!.migrate!.condition, 'service_completed_successfully');
});

test('faultline services use only settings faultline knows, pointing at the compose services', () => {
  for (const name of ['faultline', 'migrate', 'generate', 'grafana-user']) {
    const env = services[name]!.environment!;
    for (const key of Object.keys(env)) assert.ok(key in SETTINGS, `${name}: ${key} is a faultline setting`);
    assert.equal(env.KAFKA_BROKERS, 'kafka:9092');
    assert.equal(env.CLICKHOUSE_URL, 'http://clickhouse:8123');
  }
  const init = services['kafka-init']!.command!.join(' ');
  const env = services.faultline!.environment!;
  assert.ok(init.includes(`--topic ${env.FAULTLINE_GATEWAY_TOPIC} `) && init.includes(`--topic ${env.FAULTLINE_CLIENT_TOPIC} `));
});

test(
  "Grafana's read-only password: one compose variable feeds the user's creation and Grafana" + ", under a name that is not the writer's",
  () => {
    const user = services['grafana-user']!;
    assert.deepEqual(user.command, ['dashboards', 'grant']);
    assert.equal(user.depends_on!.migrate!.condition, 'service_completed_successfully');
    assert.equal(services.grafana!.depends_on!['grafana-user']!.condition, 'service_completed_successfully');
    const ro = (s: Service) => String(s.environment!.CLICKHOUSE_READONLY_PASSWORD);
    assert.equal(ro(user), ro(services.grafana!));
    assert.match(ro(user), /^\$\{FAULTLINE_GRAFANA_CH_PASSWORD:-/);
    assert.equal(services.grafana!.environment!.CLICKHOUSE_PASSWORD, undefined, "Grafana does not get the writer's variable name");
    assert.equal(user.environment!.CLICKHOUSE_PASSWORD, services.migrate!.environment!.CLICKHOUSE_PASSWORD, 'grant runs as the writer');
    const ds = readFileSync(join(root, 'dashboards/provisioning/datasources/faultline.yaml'), 'utf8');
    assert.match(ds, /password: \$CLICKHOUSE_READONLY_PASSWORD/);
    assert.ok(!(services.clickhouse!.volumes ?? []).some((v) => v.includes('readonly-user')), 'no SQL file with a password');
  },
);

test('notifications reach the local receiver unless FAULTLINE_ALERT_WEBHOOK_URL says otherwise', () => {
  const receiver = services['alert-receiver']!;
  assert.deepEqual(receiver.command, ['alerts', 'receive', '--port', '9095']);
  assert.equal(
    services.grafana!.environment!.FAULTLINE_ALERT_WEBHOOK_URL,
    '${FAULTLINE_ALERT_WEBHOOK_URL:-http://alert-receiver:9095/grafana}',
  );
  const cp = readFileSync(join(root, 'dashboards/provisioning/alerting/notifications.yaml'), 'utf8');
  assert.match(cp, /url: \$FAULTLINE_ALERT_WEBHOOK_URL/);
  assert.ok(existsSync(join(root, 'cli/commands/alerts.ts')));
});

test('no secrets other than clearly marked local defaults', () => {
  const lines = text.split('\n').filter((l) => /(PASSWORD|SECRET|TOKEN)[A-Z_]*:\s*\S/.test(l) && !l.trim().startsWith('#'));
  assert.ok(lines.length >= 3);
  for (const l of lines) {
    assert.match(l, /\$\{[A-Z_]+:-[^}]*\}/, `overridable: ${l.trim()}`);
    assert.match(l, /# local default/, `marked: ${l.trim()}`);
  }
  assert.match(text, /LOCAL DEFAULT SECRETS ONLY/);
});

test('profile cluster: Keeper, 2 shards x 2 replicas wired as sql/cluster-config says, its own migrate and consumers', () => {
  const xml = readFileSync(join(root, 'sql/cluster-config/cluster.xml'), 'utf8');
  const clusterName = /<remote_servers>\s*<(\w+)>/.exec(xml)![1]!;
  const shards = [...xml.matchAll(/<shard>([\s\S]*?)<\/shard>/g)].map((m) =>
    [...m[1]!.matchAll(/<host>([^<]+)<\/host>/g)].map((h) => h[1]!),
  );
  assert.deepEqual(
    shards.map((s) => s.length),
    [2, 2],
    '2 shards x 2 replicas',
  );
  assert.equal((xml.match(/<internal_replication>true<\/internal_replication>/g) ?? []).length, 2);
  const macroEnv = Object.fromEntries([...xml.matchAll(/<(shard|replica) from_env="(\w+)"\/>/g)].map((m) => [m[1]!, m[2]!]));
  const cluster = Object.entries(services).filter(([, s]) => s.profiles?.includes('cluster'));
  assert.ok(cluster.length >= 7);
  shards.forEach((hosts, i) => {
    for (const host of hosts) {
      const node = services[host];
      assert.ok(node, `service ${host}`);
      assert.equal(String(node.environment![macroEnv.shard!]), String(i + 1), `${host} is in shard ${i + 1}`);
      assert.equal(node.environment![macroEnv.replica!], host, `${host}'s replica name`);
      assert.ok(node.volumes!.includes('./sql/cluster-config/cluster.xml:/etc/clickhouse-server/config.d/faultline-cluster.xml:ro'));
      assert.equal(node.depends_on!['clickhouse-keeper']!.condition, 'service_healthy');
      assert.deepEqual(node.profiles, ['cluster']);
    }
  });
  const keeperHost = /<zookeeper>\s*<node><host>([^<]+)<\/host><port>(\d+)<\/port>/.exec(xml)!;
  assert.ok(services[keeperHost[1]!], 'the Keeper named in cluster.xml is a service');
  assert.match(readFileSync(join(root, 'sql/cluster-config/keeper.xml'), 'utf8'), new RegExp(`<tcp_port>${keeperHost[2]}</tcp_port>`));
  const migrate = services['migrate-cluster']!;
  const run = services['faultline-cluster']!;
  for (const s of [migrate, run]) {
    for (const key of Object.keys(s.environment!)) assert.ok(key in SETTINGS, `${key} is a faultline setting`);
    assert.equal(s.environment!.CLICKHOUSE_CLUSTER, clusterName);
    assert.ok(shards.flat().includes(new URL(String(s.environment!.CLICKHOUSE_URL)).hostname));
  }
  assert.deepEqual(migrate.command, ['migrate']);
  assert.deepEqual(run.command, ['run']);
  assert.equal(run.depends_on!['migrate-cluster']!.condition, 'service_completed_successfully');
  // Its own consumer group: the cluster reads every record beside the single-node stack, not half of them.
  assert.notEqual(run.environment!.KAFKA_GROUP_ID ?? 'faultline', services.faultline!.environment!.KAFKA_GROUP_ID ?? 'faultline');
  assert.equal((run as { deploy?: { replicas?: number } }).deploy?.replicas, 2);
  // Shard routing (sql/shard-route.ts): one node of each shard, in shard_num order.
  const shardUrls = String(run.environment!.CLICKHOUSE_SHARD_URLS)
    .split(',')
    .map((u) => new URL(u.trim()).hostname);
  assert.deepEqual(
    shardUrls.map((h) => shards.findIndex((hosts) => hosts.includes(h))),
    shards.map((_, i) => i),
  );
});
