// Text envelopes (docs/real-inputs.md §1): a header before the line, read by position.
// - CRI (containerd, CRI-O): `<time> <stream> <flag> <content>`, stream `stdout`/`stderr`, flag
//   `F` (full) or `P` (partial: taken as a line) — https://docs.fluentbit.io/manual/data-pipeline/parsers/cri
// - syslog RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`
//   (RFC 5424 §6), severity = PRI mod 8 (§6.2.1).
// - syslog RFC 3164: `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG` (RFC 3164 §4.1): no year, no
//   zone: the transport's year, UTC. rsyslog's RSYSLOG_TraditionalFileFormat is the same without `<PRI>`.
// - rsyslog `omkafka`'s default template RSYSLOG_FileFormat: `TIMESTAMP HOSTNAME TAG[PID]: MSG`,
//   the time RFC 3339 with microseconds and an offset.
import type { Obj } from './keys.ts';
import type { Layer } from './envelope.ts';
import { mayHoldSecret, PLAIN, redactText, type RedactOptions } from './redact.ts';
import { syslogLevelWord } from './signals.ts';
import { parseTime } from './time.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LEVELS = new Set(['TRACE', 'DEBUG', 'INFO', 'NOTICE', 'WARN', 'WARNING', 'ERROR', 'ERR', 'FATAL', 'CRIT', 'CRITICAL', 'PANIC']);
const RFC3164 = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\S+) ([^\s:[\]]{1,64})(?:\[([^\]\s]{1,32})\])?: ?/;
const FILE_FORMAT =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) (\S+) ([^\s:[\]]{1,64})(?:\[([^\]\s]{1,32})\])?: ?/;

export interface TextEnvelope {
  layer: Layer;
  line: string;
}

/** A header found at the start of a line, before it becomes a layer. */
interface Header {
  layer: { name: string; fields: Obj; header: string };
  line: string;
}

function layer(h: Header['layer'], o: RedactOptions): Layer {
  // The header is the envelope's own text (host, app name): redacted like any text.
  const head = redactText(h.header, o);
  return { name: h.name, fields: h.fields, wrap: (innerRaw: string) => head + innerRaw };
}

/**
 * The text envelope of a line, if it starts with one. A header ending in a syslog tag that may
 * name a secret is not split off: `… shop-api sign: VALUE` read as syslog would part the key from its
 * value, and the value, alone in the inner line, would no longer read as a secret. (The rest of
 * a header, structured data included, is redacted as text in `raw`.)
 */
export function textEnvelope(s: string, transportMs: number | undefined, o: RedactOptions = PLAIN): TextEnvelope | undefined {
  const c = s.charCodeAt(0);
  let env: Header | undefined;
  if (c === 60) env = syslogPri(s, transportMs);
  else if (c >= 48 && c <= 57) env = cri(s) ?? fileFormat(s);
  else if (c >= 65 && c <= 90) env = rfc3164(s, 0, -1, transportMs);
  if (env === undefined) return undefined;
  // Only a syslog tag (`app[1]:`) ends a header as a key would; RFC 5424 ends in structured data or `-`.
  const header = s.slice(0, s.length - env.line.length).trimEnd();
  if (header.endsWith(':') && mayHoldSecret(header.slice(header.lastIndexOf(' ') + 1))) return undefined;
  return { layer: layer(env.layer, o), line: env.line };
}

function cri(s: string): Header | undefined {
  const sp = s.indexOf(' ');
  if (sp < 10 || sp > 40) return undefined;
  if (!s.startsWith('stdout ', sp + 1) && !s.startsWith('stderr ', sp + 1)) return undefined;
  const flag = s.charCodeAt(sp + 8);
  if ((flag !== 70 && flag !== 80) || (sp + 9 < s.length && s.charCodeAt(sp + 9) !== 32)) return undefined;
  const time = s.slice(0, sp);
  if (parseTime(time) === undefined) return undefined;
  const at = Math.min(s.length, sp + 10);
  return { layer: { name: 'cri', fields: { time }, header: s.slice(0, at) }, line: s.slice(at) };
}

function fileFormat(s: string): Header | undefined {
  const m = FILE_FORMAT.exec(s);
  if (!m) return undefined;
  // `2026-11-21T10:00:01Z ERROR shop-api: …` is a text line with a level, not a syslog host.
  if (LEVELS.has((m[2] ?? '').replace(/[[\]:]/g, '').toUpperCase())) return undefined;
  return { layer: { name: 'syslog', fields: { time: m[1], app: m[3] }, header: m[0] }, line: s.slice(m[0].length) };
}

function syslogPri(s: string, transportMs: number | undefined): Header | undefined {
  const close = s.indexOf('>');
  if (close < 2 || close > 4) return undefined;
  const pri = Number(s.slice(1, close));
  if (!/^\d{1,3}$/.test(s.slice(1, close)) || pri > 191) return undefined;
  if (s.startsWith('1 ', close + 1)) return rfc5424(s, close + 3, pri);
  return rfc3164(s, close + 1, pri, transportMs);
}

function rfc5424(s: string, from: number, pri: number): Header | undefined {
  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID: five space-separated tokens (`-` when nil).
  const tok: string[] = [];
  let i = from;
  for (let n = 0; n < 5; n++) {
    const sp = s.indexOf(' ', i);
    if (sp < 0) return undefined;
    tok.push(s.slice(i, sp));
    i = sp + 1;
  }
  // STRUCTURED-DATA: `-` or one or more `[id param="value" …]` (values escape `"`, `\` and `]`).
  if (s.charCodeAt(i) === 45) i++;
  else {
    while (s.charCodeAt(i) === 91) {
      let j = i + 1;
      let quoted = false;
      for (; j < s.length; j++) {
        const c = s.charCodeAt(j);
        if (c === 92) j++;
        else if (c === 34) quoted = !quoted;
        else if (c === 93 && !quoted) break;
      }
      if (j >= s.length) return undefined;
      i = j + 1;
    }
  }
  if (i < s.length && s.charCodeAt(i) !== 32) return undefined;
  let msgAt = Math.min(s.length, i + 1);
  if (s.charCodeAt(msgAt) === 0xfeff) msgAt++; // the BOM RFC 5424 puts before a UTF-8 MSG
  const fields: Obj = { level: syslogLevelWord(pri % 8) };
  if (tok[0] !== '-') fields.time = tok[0];
  if (tok[2] !== '-') fields.app = tok[2];
  return { layer: { name: 'syslog', fields, header: s.slice(0, msgAt) }, line: s.slice(msgAt) };
}

function rfc3164(s: string, from: number, pri: number, transportMs: number | undefined): Header | undefined {
  const m = RFC3164.exec(from === 0 ? s : s.slice(from));
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1] ?? '');
  if (month < 0) return undefined;
  const year = new Date(transportMs !== undefined && Number.isFinite(transportMs) ? transportMs : Date.now()).getUTCFullYear();
  const day = (m[2] ?? '').trim().padStart(2, '0');
  const fields: Obj = { time: `${year}-${String(month + 1).padStart(2, '0')}-${day}T${m[3]}:${m[4]}:${m[5]}Z`, app: m[7] };
  if (pri >= 0) fields.level = syslogLevelWord(pri % 8);
  const at = from + m[0].length;
  return { layer: { name: 'syslog', fields, header: s.slice(0, at) }, line: s.slice(at) };
}
