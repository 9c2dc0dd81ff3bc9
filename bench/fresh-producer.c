/*
 * The freshness phase's steady producer (bench/freshness.ts), in C on librdkafka: records
 * are serialised once (a templates file, one JSON record per line, each starting with
 * {"ts":"<24-byte placeholder>"), and each is stamped with its produce time by copying one
 * 24-byte ISO-8601 string into its bytes, so the producer costs ~1-2 µs of CPU per record
 * and leaves the two cores to the consumer being measured (kafkajs' producer needs ~18-24
 * µs/record: half a core at 50,000/s). Built on first use by bench/produce.ts:
 *
 *   gcc -O2 -o var/bench/bin/fresh-producer bench/fresh-producer.c -lrdkafka
 *
 * Usage: fresh-producer BROKERS TOPIC PARTITIONS RATE SECONDS TEMPLATES LINGER_MS
 *
 * Record seq goes to partition seq % PARTITIONS, due at start + seq / RATE; every 1 ms tick
 * produces what is due, all stamped with that tick's wall-clock time. Stdout:
 *   p <produced> <acked> <epoch ms>        every ~50 ms (and once at the start and end)
 *   {"records":…,…}                        one JSON summary line at the end
 * librdkafka batches per partition (up to LINGER_MS) and sends many partitions per request,
 * acks=1 with delivery reports counted asynchronously: no produce call waits for a reply.
 * The linger is part of the measured latency (records are stamped when handed to
 * librdkafka), as in any application's producer. It also sets the produced batch size,
 * which matters on the mock broker: its Fetch returns one batch per partition, so a
 * consumer at the tail needs (rate / partitions) / batch fetches per second.
 */
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define STAMP_AT 7  /* strlen("{\"ts\":\"") */
#define STAMP_LEN 24 /* YYYY-MM-DDTHH:MM:SS.mmmZ */

static long long acked, failed;
static double last_ack_ms;

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long long epoch_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void iso(long long ms, char *out) {
  time_t s = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&s, &tm);
  /* Always 24 bytes for years 1000-9999: the placeholder's width. */
  strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm);
  int milli = (int)(ms % 1000);
  out[19] = '.';
  out[20] = (char)('0' + milli / 100);
  out[21] = (char)('0' + milli / 10 % 10);
  out[22] = (char)('0' + milli % 10);
  out[23] = 'Z';
  out[24] = 0;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) failed++;
  else acked++;
  last_ack_ms = mono_ms();
}

static void set(rd_kafka_conf_t *conf, const char *k, const char *v) {
  char err[256];
  if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "fresh-producer: %s=%s: %s\n", k, v, err);
    exit(2);
  }
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: fresh-producer BROKERS TOPIC PARTITIONS RATE SECONDS TEMPLATES LINGER_MS\n");
    return 2;
  }
  const char *brokers = argv[1], *topic = argv[2], *linger = argv[7];
  int partitions = atoi(argv[3]);
  double rate = atof(argv[4]), seconds = atof(argv[5]);
  if (partitions < 1 || rate <= 0 || seconds <= 0) {
    fprintf(stderr, "fresh-producer: PARTITIONS, RATE and SECONDS must be positive\n");
    return 2;
  }
  long long total = (long long)(rate * seconds + 0.5);

  /* Templates: read whole file, split on newlines; each line is one record. */
  FILE *f = fopen(argv[6], "rb");
  if (!f) { perror(argv[6]); return 2; }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc(size + 1);
  if (!text || fread(text, 1, size, f) != (size_t)size) { fprintf(stderr, "fresh-producer: cannot read %s\n", argv[6]); return 2; }
  fclose(f);
  text[size] = 0;
  int n = 0, cap = 1024;
  char **tpl = malloc(cap * sizeof *tpl);
  size_t *len = malloc(cap * sizeof *len);
  for (char *p = text; *p;) {
    char *nl = strchr(p, '\n');
    size_t l = nl ? (size_t)(nl - p) : strlen(p);
    if (l > STAMP_AT + STAMP_LEN && !strncmp(p, "{\"ts\":\"", STAMP_AT)) {
      if (n == cap) {
        cap *= 2;
        tpl = realloc(tpl, cap * sizeof *tpl);
        len = realloc(len, cap * sizeof *len);
      }
      tpl[n] = p;
      len[n++] = l;
    }
    if (!nl) break;
    p = nl + 1;
  }
  if (n == 0) { fprintf(stderr, "fresh-producer: no template starts with {\"ts\":\" in %s\n", argv[6]); return 2; }

  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", brokers);
  set(conf, "client.id", "faultline-bench-fresh");
  set(conf, "acks", "1");
  set(conf, "enable.idempotence", "false");
  set(conf, "compression.codec", "none");
  set(conf, "linger.ms", linger);
  set(conf, "batch.num.messages", "10000");
  set(conf, "queue.buffering.max.messages", "2000000");
  set(conf, "queue.buffering.max.kbytes", "2000000");
  set(conf, "message.send.max.retries", "5");
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) { fprintf(stderr, "fresh-producer: %s\n", err); return 1; }
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);

  char stamp[STAMP_LEN + 1];
  long long seq = 0, queue_full = 0;
  double behind_max = 0, next_report = 0;
  long long started_at = epoch_ms();
  double t0 = mono_ms();
  printf("p 0 0 %lld\n", started_at);
  while (seq < total) {
    double now = mono_ms() - t0;
    long long due = (long long)(now / 1000.0 * rate);
    if (due > total) due = total;
    if (due > seq) {
      /* How late the first record of this tick is against its schedule. */
      double behind = now - (double)seq / rate * 1000.0;
      if (behind > behind_max) behind_max = behind;
      long long wall = epoch_ms();
      iso(wall, stamp);
      for (; seq < due; seq++) {
        int i = (int)(seq % n);
        memcpy(tpl[i] + STAMP_AT, stamp, STAMP_LEN);
        while (rd_kafka_produce(rkt, (int32_t)(seq % partitions), RD_KAFKA_MSG_F_COPY, tpl[i], len[i], NULL, 0, NULL) == -1) {
          if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            fprintf(stderr, "fresh-producer: produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
            return 1;
          }
          queue_full++;
          rd_kafka_poll(rk, 5);
        }
      }
    }
    rd_kafka_poll(rk, 0);
    if (now >= next_report) {
      printf("p %lld %lld %lld\n", seq, acked, epoch_ms());
      fflush(stdout);
      next_report = now + 50;
    }
    struct timespec nap = {0, 1000000};
    nanosleep(&nap, NULL);
  }
  double produce_ms = mono_ms() - t0;
  long long produced_at = epoch_ms();
  printf("p %lld %lld %lld\n", seq, acked, produced_at);
  /* Wait for the broker's acks of everything (bounded), reporting progress meanwhile. */
  double flush_deadline = mono_ms() + 60000;
  while (acked + failed < seq && mono_ms() < flush_deadline) {
    rd_kafka_poll(rk, 50);
    printf("p %lld %lld %lld\n", seq, acked, epoch_ms());
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_ms = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
  printf("{\"records\":%lld,\"acked\":%lld,\"failed\":%lld,\"started_at\":%lld,\"produce_ms\":%.1f,"
         "\"ack_ms\":%.1f,\"behind_ms_max\":%.1f,\"queue_full\":%lld,\"cpu_ms\":%.1f,\"templates\":%d}\n",
         seq, acked, failed, started_at, produce_ms, last_ack_ms > 0 ? last_ack_ms - t0 : 0.0, behind_max, queue_full, cpu_ms, n);
  fflush(stdout);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  free(tpl);
  free(len);
  free(text);
  return failed > 0 ? 1 : 0;
}
