// `faultline parse --source gateway|client [--default-time ISO]` (docs/event-model.md §8): one
// record per stdin line -> one JSON line per outcome on stdout (one per non-empty line; one per log
// record of an OTLP message, docs/real-inputs.md §1), in order, each with its record_index: the
// normalized event or {"rejected": true, "reason": …}. Streams line by line; exits 0 whatever
// it rejected.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ConfigError } from '../../lib/errors.ts';
import { oneOf, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { normalizeRecord, SOURCES, type NormalizeResult } from '../../transform/index.ts';
import { parseIsoLike } from '../../transform/time.ts';

const HELP = `Usage: faultline parse --source gateway|client [--default-time ISO]

Reads one log record per line on standard input (JSON object, logfmt or text line, possibly in a
shipper's envelope: Docker/Fluent Bit, CRI, Filebeat, Vector, syslog, GELF) and writes one JSON
line per outcome on standard output, in order: the normalized event, or
{"rejected": true, "reason": "…", "detail": "…"} for a record that cannot become one. Every line
carries its record_index: 0, except for an OpenTelemetry OTLP/JSON message, which gives one line
per log record (0, 1, 2, …).
Secrets (sign, session, tokens, passwords, api keys, Bearer credentials) are redacted.
Exits 0 once the input is consumed, whatever it rejected.

Flags:
  --source gateway|client   which stream the records come from (required)
  --default-time ISO        time for records whose own time is missing or unreadable
                            (default: the current time when the line is read)

Example:
  echo '{"ts":"2026-11-21T10:00:00Z","status":429,"error":{"code":"QUOTA_EXCEEDED"}}' | faultline parse --source gateway
`;

/** One output line for one outcome, with its index in the record (docs/real-inputs.md §1). */
function formatResult(r: NormalizeResult, recordIndex = 0): string {
  if (r.ok) {
    const s = JSON.stringify(r.event);
    return `${s.slice(0, -1)},"record_index":${recordIndex}}`;
  }
  return JSON.stringify({ rejected: true, reason: r.reject.reason, detail: r.reject.detail, record_index: recordIndex });
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { source: { type: 'string' }, 'default-time': { type: 'string' } });
  const source = oneOf('source', values.source, SOURCES);
  let defaultTime: number | undefined;
  if (values['default-time'] !== undefined) {
    const v = values['default-time'];
    defaultTime = typeof v === 'string' ? parseIsoLike(v.trim()) : undefined;
    if (defaultTime === undefined) {
      throw new ConfigError(`invalid --default-time=${String(v)}: expected an ISO-8601 time such as 2026-11-21T10:00:00Z`);
    }
  }

  const out = process.stdout;
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let buf = '';
  let flushScheduled = false;
  let closed = false;
  // Lines of one input chunk are batched into one write, flushed as soon as the burst ends,
  // so output streams (an interactive user sees each line at once) without a write per line.
  const flush = (): void => {
    flushScheduled = false;
    if (buf === '' || closed) return;
    const ok = out.write(buf);
    buf = '';
    if (!ok) {
      // Slow reader: stop reading until stdout drains, so memory stays flat.
      rl.pause();
      out.once('drain', () => rl.resume());
    }
  };
  out.on('error', (err: NodeJS.ErrnoException) => {
    // A reader that went away (`| head`) ends the run quietly.
    closed = true;
    rl.close();
    if (err.code !== 'EPIPE') process.stderr.write(`faultline parse: stdout: ${err.message}\n`);
  });
  // Fingerprints and personal data as the pipeline stores them (docs/secrets.md §4, §5); parse
  // opens no store, so the key is FAULTLINE_REDACTION_KEY's or none (then plain [REDACTED]).
  const redaction = {
    redactionKey: process.env.FAULTLINE_REDACTION_KEY || undefined,
    pii: process.env.FAULTLINE_PII === 'mask' ? ('mask' as const) : ('keep' as const),
  };
  rl.on('line', (line) => {
    if (closed || line.trim() === '') return;
    const out = normalizeRecord(line, { source, transportTimeMs: defaultTime ?? Date.now(), ...redaction });
    for (let i = 0; i < out.length; i++) buf += `${formatResult(out[i] as NormalizeResult, i)}\n`;
    if (buf.length >= 256 * 1024) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  });
  await once(rl, 'close');
  flush();
  if (!closed && out.writableNeedDrain) await once(out, 'drain');
  return 0;
}

export const command: Command = {
  summary: 'normalize log lines from stdin and print one event or reject per line (JSON)',
  help: HELP,
  run,
};
