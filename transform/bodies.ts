// The objects of one record in lookup order (docs/event-model.md §1): the top level, a text line's
// trailing JSON, then wrapper bodies (`response`, `body`, `error_body`, `payload`, `data`,
// `upstream_response`, `vendor_response`) and JSON-in-strings, breadth first.
import { hasVendorMarker } from './dialects.ts';
import { isObj, K, keyMap, S, type KeyMap, type Obj } from './keys.ts';
import { tryJson } from './limits.ts';
import { mayHoldSecret, redactValue } from './redact.ts';

const MAX_BODIES = 8;
const BODY_STRINGS = [S.message, S.msg, S.error];

/**
 * JSON-in-strings (§1): a wrapper, `message`/`msg` or `upstream` string holding a JSON object
 * is decoded (depth-limited, redacted like the record). Remembers what it decoded: those
 * strings are bodies, not the record's human message.
 */
export class BodyDecoder {
  private done: string[] | undefined;
  constructor(
    private readonly maxDepth: number,
    private readonly redact: boolean,
  ) {}

  decode(s: string): unknown {
    const t = s.trimStart();
    if (t.charCodeAt(0) !== 123) return undefined;
    const v = tryJson(t, this.maxDepth);
    if (!isObj(v)) return undefined;
    this.done ??= [];
    this.done.push(s);
    // The string was already redacted as text; its parsed copy needs the structural rules too
    // (name/value pair lists), unless the string cannot hold a secret at all, by the same
    // pre-check that lets a whole record skip redaction.
    return this.redact && mayHoldSecret(t) ? redactValue(v) : v;
  }

  wasDecoded(s: string): boolean {
    return this.done?.includes(s) === true;
  }
}

/** The record's objects in lookup order: top level, the text line's trailing JSON, then wrapper bodies (breadth first). */
export function collectBodies(tm: KeyMap, tail: Obj | undefined, decode: BodyDecoder): KeyMap[] {
  const maps: KeyMap[] = [tm];
  if (tail) maps.push(keyMap(tail));
  for (let i = 0; i < maps.length && maps.length < MAX_BODIES; i++) {
    const m = maps[i];
    if (m === undefined) break;
    if (!m.mayHoldBody) continue;
    for (const w of K.wrappers) addBody(maps, m.get(w), decode);
    // JSON bodies logged as strings in message/msg/error.
    for (const w of BODY_STRINGS) {
      const v = m.get(w);
      if (typeof v === 'string') addBody(maps, v, decode);
      else if (w === S.error && isObj(v) && !isGatewayError(m.child(S.error) as KeyMap)) addBody(maps, v, decode);
    }
  }
  return maps;
}

function addBody(maps: KeyMap[], v: unknown, decode: BodyDecoder): void {
  if (maps.length >= MAX_BODIES) return;
  const o = isObj(v) ? v : typeof v === 'string' && v.length > 1 ? decode.decode(v) : undefined;
  if (isObj(o)) maps.push(keyMap(o));
}

/** A gateway protocol error object: `{code, message, request_id, category, upstream?}` (dialect 1). */
export function isGatewayError(em: KeyMap): boolean {
  if (hasVendorMarker(em)) return false;
  return em.has(S.code) || em.has(S.message) || em.has(S.category) || em.has(S.errorCode);
}
