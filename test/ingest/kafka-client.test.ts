// The kafkajs client from the configuration: broker lists and SASL settings are validated
// with errors naming the setting; the password never appears in them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { brokerList, createKafka } from '../../ingest/kafka-client.ts';
import { silentLogger } from '../../ingest/log.ts';
import { produceToKafka } from '../../ingest/generator/outputs.ts';

test('broker lists: host:port entries, whitespace tolerated, anything else named in the error', () => {
  assert.deepEqual(brokerList(' a:9092, b.example:19092 ,'), ['a:9092', 'b.example:19092']);
  for (const bad of ['kafka', 'a:9092,b', 'http://a:9092', ':9092', 'a:port']) {
    assert.throws(
      () => brokerList(bad),
      (e: unknown) => e instanceof ConfigError && /KAFKA_BROKERS/.test(e.message),
      bad,
    );
  }
});

test('SASL needs a username and a password; TLS and SASL are accepted together', () => {
  const base = { KAFKA_BROKERS: 'k:9093' };
  assert.throws(
    () => createKafka(loadConfig({ ...base, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 's3cret-pw' }), silentLogger),
    (e: unknown) => e instanceof ConfigError && /KAFKA_SASL_USERNAME/.test(e.message) && !e.message.includes('s3cret-pw'),
  );
  assert.throws(
    () => loadConfig({ ...base, KAFKA_SASL_MECHANISM: 'gssapi' }),
    /KAFKA_SASL_MECHANISM.*one of plain, scram-sha-256, scram-sha-512/,
  );
  const kafka = createKafka(
    loadConfig({ ...base, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    silentLogger,
  );
  assert.equal(typeof kafka.consumer, 'function');
});

// Both kafkajs users (`faultline run` and `faultline generate --to kafka`) build their client in
// one place, so an incomplete SASL setting fails the same way in both, naming what is missing
// (the generator used to send an empty username or password to the broker instead).
test('incomplete SASL settings name the missing setting, in the consumer and in the generator', async () => {
  const base = { KAFKA_BROKERS: 'k:9093', KAFKA_SASL_MECHANISM: 'scram-sha-256' };
  const cases: [Record<string, string>, string[]][] = [
    [{ KAFKA_SASL_PASSWORD: 's3cret-pw' }, ['KAFKA_SASL_USERNAME']],
    [{ KAFKA_SASL_USERNAME: 'ingest' }, ['KAFKA_SASL_PASSWORD']],
    [{}, ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']],
  ];
  for (const [given, missing] of cases) {
    const config = loadConfig({ ...base, ...given });
    const named = (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) {
        assert.equal(e.message.includes(name), missing.includes(name), `${e.message} (missing: ${missing.join(', ')})`);
      }
      assert.match(e.message, /KAFKA_SASL_MECHANISM=scram-sha-256/);
      assert.ok(!e.message.includes('s3cret-pw'));
      return true;
    };
    assert.throws(() => createKafka(config, silentLogger), named);
    await assert.rejects(produceToKafka([], config), named);
  }
});
