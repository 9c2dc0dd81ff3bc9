// bench/RESULTS.md is the log of full runs: each appends its table and last line there, newest
// first, under the date, the commit it measured and the machine's load (bench/README.md).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Table } from './table.ts';

/** Append this run's table and JSON line to bench/RESULTS.md, under the date, the commit and the machine's load. */
export function appendResults(file: string, args: string, loads: readonly number[], t: Table, json: object): string {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    if (execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '')
      commit += ' with uncommitted changes';
  } catch {
    // not a git checkout: the date and the load still say when and how
  }
  const text = readFileSync(file, 'utf8');
  // Newest first: after the page's introduction (its first `## ` heading).
  const at = text.indexOf('\n## ');
  const section =
    `\n## Full run (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench${args ? ` -- ${args}` : ''}\`)\n\n` +
    `Commit ${commit}, ${cpus().length} cores, 1-min load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the run (appended by the bench).\n\n` +
    `${t.markdown()}\n\nLast line: \`${JSON.stringify(json)}\`\n`;
  writeFileSync(file, at < 0 ? text + section : text.slice(0, at) + section + text.slice(at));
  return file;
}
