// The same-row peer's materialized view: what a careful user would write to fill faultline's own
// `events` table (and through its views the rollups and the request index) from ClickHouse's Kafka
// engine, without faultline. One SELECT over the queue's `raw` String and the engine's virtual
// columns (_topic, _partition, _offset, _timestamp_ms: ClickHouse docs, "Kafka table engine",
// virtual columns), written carefully: each record's top level is parsed ONCE into a Map of
// key -> raw JSON text (JSONExtractKeysAndValuesRaw), and every field is read from that map;
// only the small nested bodies (the error object, the vendor body) are parsed again.
//
// It follows docs/event-model.md where SQL reasonably can: key aliases (§1), the gateway error
// under the top level or a wrapper key, also as a JSON string (§1, §3 dialect 1), the catalog's
// status/category/limit fill-in (a literal transform() of data/errors.catalog.json, as a user
// would paste it), business outcomes and partial successes (§3.2, §4), the vendor dialects of
// §3.3–6 and their categories (§5), bare HTTP errors (§3.7), time in every documented form.
// What it cannot do: redact secrets (docs/secrets.md: `raw`, messages keep them), unwrap
// Docker/CRI/OTLP envelopes or read text and logfmt lines (docs/real-inputs.md), reject
// anything (a record SQL cannot read still becomes a row, or stops the engine), deduplicate a
// re-delivered block, or write the ingest ledger.
import { catalog } from '../transform/catalog.ts';

const lit = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const arr = (xs: readonly (string | number)[]): string => `[${xs.map((x) => (typeof x === 'number' ? String(x) : lit(x))).join(',')}]`;

/** A scalar's text from its raw JSON: a string unquoted, a number as written, anything else ''. */
const str = (x: string): string => `multiIf(startsWith(${x}, '"'), JSONExtractString(${x}), match(${x}, '^-?[0-9]'), ${x}, '')`;

/** First non-empty of several String expressions. */
const firstOf = (xs: string[]): string =>
  xs.length === 1
    ? xs[0]!
    : `multiIf(${xs
        .slice(0, -1)
        .map((x) => `${x} != '', ${x}`)
        .join(', ')}, ${xs.at(-1)!})`;

/** A string member of a nested JSON object (its text), under any of `keys`. */
const member = (obj: string, keys: string[]): string => firstOf(keys.map((k) => `JSONExtractString(${obj}, ${lit(k)})`));

/** A top-level field (from the map `t`) as text, under any of its aliases. */
const top = (keys: string[]): string => firstOf(keys.map((k) => str(`t[${lit(k)}]`)));

/** Category of an Alipay code or sub code by name (docs/event-model.md §5). */
function alipayName(x: string): string {
  const c = `upper(replaceAll(splitByChar('.', ${x})[-1], '-', '_'))`;
  return `multiIf(startsWith(${c}, 'ILLEGAL_SIGN') OR startsWith(${c}, 'ILLEGAL_PARTNER') OR ${c} IN ('ILLEGAL_SECURITY_PROFILE', 'ILLEGAL_ENCRYPT', 'ILLEGAL_DYN_MD5_KEY')
      OR (startsWith(${c}, 'ILLEGAL_') AND position(substring(${c}, 9), 'KEY') > 0), 'AUTH_ERROR',
    startsWith(${c}, 'ILLEGAL_') OR endsWith(${c}, '_NOT_EXIST') OR ${c} = 'OUT_TRADE_NO_EXIST', 'VALIDATION_ERROR', 'CHANNEL_ERROR')`;
}

/** Category of an HTTP status alone (docs/real-inputs.md §3). */
const statusCategory = (s: string): string =>
  `multiIf(${s} IN (401, 403), 'AUTH_ERROR', ${s} = 429, 'RATE_LIMIT_ERROR', ${s} >= 400 AND ${s} < 500, 'VALIDATION_ERROR', 'INTERNAL_ERROR')`;

/** The SELECT of the view, reading `from` (a Kafka engine table with one `raw String` column). */
export function sameRowSelect(from: string): string {
  const gw = catalog.gateway;
  const tb = catalog.taobao.codes;
  const rc = catalog.result_code.codes.filter((c) => c.category !== null);
  const ap = catalog.alipay.openapi.filter((c) => c.category !== '');
  const TIME = ['ts', 'time', 'timestamp', '@timestamp', 'event_time', 'logged_at'];
  const WRAPPERS = ['response', 'body', 'error_body', 'payload', 'data', 'upstream_response', 'vendor_response'];
  // Nested SELECTs, each computing the columns the next one reads: a WITH alias is expanded at
  // every use (ClickHouse refuses the resulting query tree as too big), a subquery's column is not.
  const layer = (cols: string[], inner: string): string => `SELECT *, ${cols.join(',\n    ')}\n  FROM (${inner})`;
  // the record's top level, parsed once: key -> raw JSON text of its value
  const l0 = `SELECT raw, _topic, _partition, _offset, _timestamp_ms, JSONExtractKeysAndValuesRaw(raw) AS kv FROM ${from}`;
  const l1 = `SELECT * EXCEPT kv, mapFromArrays(kv.1, kv.2) AS t FROM (${l0})`;
  const l2 = layer(
    [
      `toUInt16(greatest(toUInt32OrZero(t['status']), toUInt32OrZero(t['status_code']), toUInt32OrZero(t['http_status']), toUInt32OrZero(t['statusCode']))) AS st0`,
      // the body under a wrapper key, also when it is a JSON string (or a JSON string in message)
      `multiIf(${WRAPPERS.map((w) => `t[${lit(w)}] != '', t[${lit(w)}]`).join(', ')}, startsWith(t['message'], '"{'), t['message'], '') AS w0`,
      `${top(['channel', 'marketplace', 'vendor'])} AS chan`,
      `${firstOf(TIME.map((k) => `t[${lit(k)}]`))} AS tv`,
    ],
    l1,
  );
  const l3 = layer([`if(startsWith(w0, '"'), JSONExtractString(w0), w0) AS w`, 'toFloat64OrNull(tv) AS tnum'], l2);
  // the gateway's protocol error (dialect 1): top-level `error` object, else the wrapper's
  const l4 = layer(
    [`multiIf(startsWith(t['error'], '{'), t['error'], startsWith(JSONExtractRaw(w, 'error'), '{'), JSONExtractRaw(w, 'error'), '') AS ge`],
    l3,
  );
  const l5 = layer([`JSONExtractString(ge, 'code') AS gcode`, `JSONExtractRaw(ge, 'upstream') AS up`], l4);
  // the vendor body: the gateway error's upstream object, else the wrapper itself (vendor call records)
  const l6 = layer([`multiIf(startsWith(up, '{'), up, ge = '', w, '') AS vb`], l5);
  const l7 = layer(
    [
      `multiIf(JSONExtractString(vb, 'vendor') != '', JSONExtractString(vb, 'vendor'), JSONExtractString(vb, 'channel') != '', JSONExtractString(vb, 'channel'), chan) AS vhint`,
      `multiIf(JSONHas(vb, 'error_response'), JSONExtractRaw(vb, 'error_response'), JSONHas(vb, 'error_rsp'), JSONExtractRaw(vb, 'error_rsp'), '') AS tob`,
      `arrayFirst(k -> match(k, '^alipay_.*_response$'), JSONExtractKeys(vb)) AS apk`,
      `upper(JSONExtractString(vb, 'is_success')) AS isok`,
      `JSONExtractString(vb, 'result_code') AS rcode`,
    ],
    l6,
  );
  const l8 = layer([`if(apk != '', JSONExtractRaw(vb, apk), '') AS apb`, `${str(`JSONExtractRaw(tob, 'code')`)} AS tcode`], l7);
  const l9 = layer(
    [
      `${str(`JSONExtractRaw(apb, 'code')`)} AS acode`,
      `JSONExtractString(apb, 'sub_code') AS asub`,
      // a string upstream, "<vendor> <code>: <message>" as the gateway writes it
      `extractGroups(JSONExtractString(up), '^([A-Za-z0-9_.-]+) ([A-Za-z0-9_.-]+): (.*)$') AS us`,
      `${str(`JSONExtractRaw(up, 'code')`)} AS ucode`,
    ],
    l8,
  );
  const taobaoCategory = (c: string): string =>
    `transform(toUInt32OrZero(${c}), ${arr(tb.map((c) => c.code))}, ${arr(tb.map((c) => c.category))}, if(toUInt32OrZero(${c}) BETWEEN 100 AND 106, 'AUTH_ERROR', 'CHANNEL_ERROR'))`;
  const taobaoLimit = (c: string): string =>
    `transform(toUInt32OrZero(${c}), ${arr(tb.map((c) => c.code))}, ${arr(tb.map((c) => c.limit_kind))}, '')`;
  // (vendor, code, sub_code, message, category, limit_kind) of a vendor error, dialects 3-6
  const l10 = layer(
    [
      `multiIf(
    tob != '' AND (tcode != '' OR JSONExtractString(tob, 'sub_code') != ''),
      tuple('taobao', tcode, JSONExtractString(tob, 'sub_code'), ${member('tob', ['sub_msg', 'msg', 'message'])},
        ${taobaoCategory('tcode')}, ${taobaoLimit('tcode')}),
    apb != '' AND NOT ((acode = '10000' OR acode = '') AND asub = ''),
      tuple('alipay', acode, asub, ${member('apb', ['sub_msg', 'msg', 'message'])},
        if(asub != '', ${alipayName('asub')}, transform(acode, ${arr(ap.map((c) => c.code))}, ${arr(ap.map((c) => c.category))}, 'CHANNEL_ERROR')), ''),
    isok NOT IN ('', 'T', 'TRUE'),
      tuple('alipay', if(JSONExtractString(vb, 'error') != '', JSONExtractString(vb, 'error'), 'UNKNOWN'), '', ${member('vb', ['error_message', 'message', 'msg'])},
        ${alipayName(`JSONExtractString(vb, 'error')`)}, ''),
    rcode != '' AND lower(rcode) NOT IN ('success', 'ok', '0'),
      tuple(if(vhint != '', vhint, ${lit(catalog.result_code.default_vendor)}), rcode,
        JSONExtractString(arrayElement(JSONExtractArrayRaw(vb, 'validation_failed_responses'), 1), 'result_code'),
        ${member('vb', ['message', 'msg'])},
        transform(rcode, ${arr(rc.map((c) => c.code))}, ${arr(rc.map((c) => c.category!))}, if(st0 BETWEEN 500 AND 599, 'INTERNAL_ERROR', 'VALIDATION_ERROR')),
        transform(rcode, ${arr(rc.map((c) => c.code))}, ${arr(rc.map((c) => c.limit_kind))}, '')),
    startsWith(up, '{') AND JSONHas(up, 'code'),
      tuple(vhint, ucode, JSONExtractString(up, 'sub_code'), ${member('up', ['message', 'msg', 'sub_msg'])},
        if(vhint = 'taobao', ${taobaoCategory('ucode')}, ''), if(vhint = 'taobao', ${taobaoLimit('ucode')}, '')),
    startsWith(up, '"') AND length(us) = 3,
      tuple(us[1], us[2], '', us[3], if(us[1] = 'taobao', ${taobaoCategory('us[2]')}, ''), if(us[1] = 'taobao', ${taobaoLimit('us[2]')}, '')),
    startsWith(up, '"'), tuple(chan, '', '', JSONExtractString(up), '', ''),
    tuple('', '', '', '', '', '')) AS ve`,
      `transform(gcode, ${arr(gw.map((c) => c.code))}, ${arr(gw.map((c) => c.http_status))}, 0) AS cat_status`,
      `transform(gcode, ${arr(gw.map((c) => c.code))}, ${arr(gw.map((c) => c.category))}, '') AS cat_category`,
      `transform(gcode, ${arr(gw.map((c) => c.code))}, ${arr(gw.map((c) => c.limit_kind))}, '') AS cat_limit`,
      `JSONExtractRaw(w, 'success') AS success`,
      `if(JSONHas(w, 'failed_offers'),
     JSONExtract(w, 'failed_offers', 'Array(Tuple(offer_id String, spec_id String, error_code String, error_message String))'),
     arrayMap(x -> tuple(JSONExtractString(x, 'offer_id'), JSONExtractString(x, 'spec_id'),
                         if(JSONExtractString(x, 'error_code') != '', JSONExtractString(x, 'error_code'), JSONExtractString(x, 'reason')),
                         if(JSONExtractString(x, 'error_message') != '', JSONExtractString(x, 'error_message'), JSONExtractString(x, 'reason'))),
              JSONExtractArrayRaw(w, 'unavailable_lines'))) AS offers`,
    ],
    l9,
  );
  const l11 = layer(
    [
      `ve.2 != '' OR ve.3 != '' OR ve.4 != '' AS has_ve`,
      `(ve.2 != '' OR ve.3 != '') AND ge = '' AS vendor_only`,
      `if(st0 = 0 AND ge != '', cat_status, st0) AS st`,
    ],
    l10,
  );
  const l12 = layer(
    [
      `multiIf(ge != '' OR vendor_only OR st >= 400, 'error', success = 'false', 'business_failure', success = 'true' AND length(offers) > 0, 'partial_success', 'ok') AS outc`,
    ],
    l11,
  );
  return `
SELECT
  coalesce(
    if(startsWith(tv, '"'), parseDateTime64BestEffortOrNull(JSONExtractString(tv), 3, 'UTC'),
       multiIf(tnum IS NULL, NULL, tnum < 1e11, fromUnixTimestamp64Milli(toInt64(tnum * 1000), 'UTC'),
               tnum < 1e14, fromUnixTimestamp64Milli(toInt64(tnum), 'UTC'), fromUnixTimestamp64Milli(intDiv(toInt64(tnum), 1000), 'UTC'))),
    _timestamp_ms, now64(3)) AS event_time,
  'gateway' AS source,
  multiIf(${['request_id', 'requestId', 'req_id', 'x-request-id'].map((k) => `t[${lit(k)}] != '', JSONExtractString(t[${lit(k)}])`).join(', ')},
          JSONExtractString(t['headers'], 'x-request-id') != '', JSONExtractString(t['headers'], 'x-request-id'),
          JSONExtractString(ge, 'request_id') != '', JSONExtractString(ge, 'request_id'),
          JSONExtractString(w, 'request_id')) AS request_id,
  st AS http_status,
  outc AS outcome,
  multiIf(ge != '', gcode, vendor_only, ve.2, outc = 'business_failure', JSONExtractString(w, 'code'),
          outc = 'partial_success', if(JSONExtractString(w, 'code') != '', JSONExtractString(w, 'code'), 'PARTIAL_SUCCESS'),
          st >= 400, concat('HTTP_', toString(st)), '') AS code,
  multiIf(ge != '', multiIf(JSONExtractString(ge, 'category') != '', JSONExtractString(ge, 'category'), cat_category != '', cat_category, st = 0, 'INTERNAL_ERROR', ${statusCategory('st')}),
          vendor_only, ve.5, outc IN ('business_failure', 'partial_success'), 'BUSINESS_ERROR', st >= 400, ${statusCategory('st')}, '') AS category,
  multiIf(ge != '', if(cat_limit != '', cat_limit, ve.6), vendor_only, ve.6, outc = 'error', multiIf(st = 429, 'rate', st = 402, 'balance', ''), '') AS limit_kind,
  chan AS channel,
  if(has_ve, ve.1, '') AS upstream_vendor,
  ve.2 AS upstream_code,
  ve.3 AS upstream_sub_code,
  ve.4 AS upstream_message,
  multiIf(ge != '', JSONExtractString(ge, 'message'), outc IN ('business_failure', 'partial_success'), JSONExtractString(w, 'message'),
          vendor_only, ve.4, JSONExtractString(w, 'message') != '', JSONExtractString(w, 'message'),
          startsWith(t['message'], '"{'), '', ${top(['message', 'msg', 'error_message'])}) AS message,
  offers AS failed_offers,
  ${top(['route', 'path'])} AS route,
  ${top(['method'])} AS method,
  toUInt32OrNull(t['latency_ms']) AS latency_ms,
  toUInt16OrNull(t['attempt']) AS attempt,
  ${top(['app_id', 'appId'])} AS app_id,
  ge != '' AND gcode != '' AND cat_category = '' AS catalog_drift,
  raw,
  'json' AS format,
  _topic AS topic,
  toInt32(_partition) AS partition,
  toInt64(_offset) AS offset
FROM (${l12})`;
}
