// `faultline <command>`: dispatch to cli/commands/<command>.ts, loaded lazily so that
// `faultline parse` never loads Kafka or ClickHouse code.
import { ConfigError, errorMessage, FaultlineError } from '../lib/errors.ts';

import type { Command } from './command.ts';

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: () => import('./commands/run.ts').then((m) => m.command),
  parse: () => import('./commands/parse.ts').then((m) => m.command),
  migrate: () => import('./commands/migrate.ts').then((m) => m.command),
  trace: () => import('./commands/trace.ts').then((m) => m.command),
  sql: () => import('./commands/sql.ts').then((m) => m.command),
  status: () => import('./commands/status.ts').then((m) => m.command),
  dashboards: () => import('./commands/dashboards.ts').then((m) => m.command),
  alerts: () => import('./commands/alerts.ts').then((m) => m.command),
  generate: () => import('./commands/generate.ts').then((m) => m.command),
  demo: () => import('./commands/demo.ts').then((m) => m.command),
};

async function usage(): Promise<string> {
  const lines = ['Usage: faultline <command> [flags]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const summary = await load().then(
      (c) => c.summary,
      () => '(not available)',
    );
    lines.push(`  ${name.padEnd(11)} ${summary}`);
  }
  lines.push('', 'Run `faultline <command> --help` for the flags of one command.');
  lines.push('Configuration comes from environment variables (docs/configuration.md) and flags.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`faultline: unknown command '${name}': allowed commands are ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  try {
    const command = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${command.help.trimEnd()}\n`);
      return 0;
    }
    return await command.run(rest);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`faultline ${name}: ${err.message}\n`);
      return 2;
    }
    const code = err instanceof FaultlineError ? ` [${err.code}]` : '';
    process.stderr.write(`faultline ${name}: error${code}: ${errorMessage(err)}\n`);
    if (process.env.FAULTLINE_LOG_LEVEL === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}
