// Summarise V8 .cpuprofile files (written by `node --cpu-prof`) into where the time goes:
// self time by area (kafkajs decoding, normalizer, store, JSON, GC, idle …) and the top
// functions. Usable on its own: `node --import tsx bench/profile-summary.ts DIR|FILE…`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  total_ms: number;
  /** Share of non-idle time per area, in percent. */
  areas: Record<string, number>;
  idle_pct: number;
  top: { fn: string; where: string; pct: number }[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERIALISE = 'serialise (sql/row-format)';
/** The area of source files by directory (and the row encoders apart from the rest of sql/). */
function fileArea(path: string): string | undefined {
  if (/\/sql\/(row-format|rows)\.ts$/.test(path)) return SERIALISE;
  if (path.includes('/transform/')) return 'normalize (transform/)';
  if (path.includes('/sql/')) return 'store (sql/, chdb)';
  if (path.includes('/ingest/')) return 'ingest (batching, sink, offsets)';
  return undefined;
}

let byName: Map<string, string> | undefined;
/**
 * The normalize thread runs an esbuild bundle loaded from a data: URL (ingest/normalize-thread.ts),
 * so its frames name no file: they are attributed by function name to the source file that
 * defines it (transform/, sql/, ingest/; a name defined in several areas stays "other").
 */
function areaOfName(fn: string): string | undefined {
  if (!byName) {
    byName = new Map();
    const seen = new Map<string, Set<string>>();
    for (const dir of ['transform', 'sql', 'ingest']) {
      for (const f of readdirSync(join(ROOT, dir)).filter((x) => x.endsWith('.ts'))) {
        const a = fileArea(join(ROOT, dir, f))!;
        const text = readFileSync(join(ROOT, dir, f), 'utf8');
        for (const m of text.matchAll(
          /(?:function\s+|^\s+(?:private\s+|static\s+|async\s+|readonly\s+)*)([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\(/gm,
        )) {
          const set = seen.get(m[1]!) ?? new Set();
          set.add(a);
          seen.set(m[1]!, set);
        }
      }
    }
    for (const [n, set] of seen)
      if (set.size === 1 && !['constructor', 'if', 'for', 'while', 'switch', 'catch', 'return'].includes(n)) byName.set(n, [...set][0]!);
  }
  // esbuild renames clashing names with a numeric suffix (`keyMap2`).
  return byName.get(fn) ?? byName.get(fn.replace(/\d+$/, ''));
}

/** Which part of the pipeline a frame belongs to, from its script URL and name. */
function area(cf: CallFrame): string {
  const u = cf.url;
  const f = cf.functionName;
  if (f === '(idle)') return 'idle';
  if (f === '(garbage collector)') return 'gc';
  if (f === '(program)') return 'program (native, uncategorised)';
  // Regular expressions run as their own frames with no URL: attribute them by caller later.
  if (f.startsWith('RegExp:')) return 'regexp (compiled, called from JS)';
  if (u.includes('/kafkajs/')) {
    if (/protocol|decoder|recordBatch|crc32|varint/i.test(u)) return 'kafkajs decode';
    return 'kafkajs other';
  }
  const byFile = fileArea(u);
  if (byFile) return byFile;
  if (u.includes('/chdb/')) return 'store (sql/, chdb)';
  if (u.startsWith('data:')) return areaOfName(f) ?? 'other';
  if (u.includes('/prom-client/')) return 'metrics (prom-client)';
  if (u.includes('/date-fns/')) return 'normalize (date-fns)';
  if (u.includes('/zod/')) return 'zod';
  if (u.includes('/tsx/') || u.includes('/esbuild/')) return 'tsx loader';
  if (f === 'parse' || f === 'stringify') return 'JSON (native)';
  if (u.startsWith('node:') || u === '') return 'node internals';
  return 'other';
}

export function summarise(file: string, topN = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const areas = new Map<string, number>();
  const fns = new Map<string, { where: string; us: number }>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    total += us;
    const a = area(cf);
    if (a === 'idle') {
      idle += us;
      continue;
    }
    areas.set(a, (areas.get(a) ?? 0) + us);
    const short = cf.url.startsWith('data:')
      ? '(normalize thread bundle)'
      : cf.url.replace(/^.*\/(node_modules\/)?/, (m) => (m.includes('node_modules') ? 'nm/' : ''));
    const name = cf.functionName.length > 60 ? `${cf.functionName.slice(0, 57)}...` : cf.functionName;
    const key = `${name || '(anonymous)'} ${short}`;
    const prev = fns.get(key);
    fns.set(key, { where: a, us: (prev?.us ?? 0) + us });
  }
  const busy = total - idle || 1;
  const pct = (us: number): number => Math.round((us / busy) * 1000) / 10;
  return {
    file,
    total_ms: Math.round(total / 1000),
    idle_pct: Math.round((idle / (total || 1)) * 1000) / 10,
    areas: Object.fromEntries([...areas].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, pct(v)])),
    top: [...fns]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, topN)
      .map(([fn, v]) => ({ fn, where: v.where, pct: pct(v.us) })),
  };
}

export function profileFiles(paths: string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => join(p, f))
      : [p],
  );
}

export function formatSummary(s: ProfileSummary): string {
  const lines = [`profile ${s.file}: ${s.total_ms} ms sampled, ${s.idle_pct}% idle; busy time by area:`];
  for (const [a, v] of Object.entries(s.areas)) lines.push(`  ${String(v).padStart(5)}%  ${a}`);
  lines.push('  top functions (self time, % of busy):');
  for (const t of s.top) lines.push(`  ${String(t.pct).padStart(5)}%  ${t.fn}  [${t.where}]`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of profileFiles(process.argv.slice(2))) process.stdout.write(`${formatSummary(summarise(f))}\n`);
}
