// Writes data/otlp/logs-descriptor.json: protobufjs's JSON form of the official OTLP logs
// definitions in data/otlp/opentelemetry/proto (opentelemetry-proto v1.11.0+16, ac2c4b5), so that
// transform/ imports the schema as data (no file reading, no .proto parser at run time).
// test/transform/otlp-proto.test.ts checks the committed file is what this script writes.
//   node --import tsx scripts/otlp-descriptor.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const ROOT = fileURLToPath(new URL('../data/otlp/', import.meta.url));
const OUT = new URL('../data/otlp/logs-descriptor.json', import.meta.url);

export function descriptor(): string {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => ROOT + target;
  root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto', { keepCase: false });
  root.resolveAll();
  return `${JSON.stringify(root.toJSON({ keepComments: false }), null, 1)}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = descriptor();
  if (process.argv.includes('--check')) {
    const same = readFileSync(OUT, 'utf8') === text;
    console.log(
      same
        ? 'data/otlp/logs-descriptor.json is up to date'
        : 'data/otlp/logs-descriptor.json differs: run node --import tsx scripts/otlp-descriptor.ts',
    );
    process.exit(same ? 0 : 1);
  }
  writeFileSync(OUT, text);
  console.log(`wrote ${fileURLToPath(OUT)} (${text.length} bytes)`);
}
