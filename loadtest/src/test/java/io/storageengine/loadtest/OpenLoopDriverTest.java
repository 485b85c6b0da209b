package io.storageengine.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The open-loop driver and its recorder on a simulated clock: a discrete-event "server" answers each
 * request after a service time (FIFO, one at a time) and the fake ticker advances time only when the
 * driver sleeps, so every latency is exact and nothing depends on the machine's speed.
 */
class OpenLoopDriverTest {
    private static final long MS = 1_000_000L;
    /** HdrHistogram with 3 significant digits reports values within 0.1%. */
    private static final double HDR_PRECISION = 0.001;

    /** Simulated time plus a single-server FIFO queue completing requests as time passes. */
    static class SimulatedServer implements OpenLoopDriver.Ticker, OpenLoopDriver.Transport {
        private record Pending(long doneAt, long seq, CompletableFuture<Integer> reply, int status) {}

        private final long serviceNanos;
        private final PriorityQueue<Pending> pending = new PriorityQueue<>(
                (a, b) -> a.doneAt != b.doneAt ? Long.compare(a.doneAt, b.doneAt) : Long.compare(a.seq, b.seq));
        private long now = 1_000 * MS;
        private long busyUntil;
        private long seq;
        final List<Long> sendTimes = new ArrayList<>();
        /** Request index -> extra delay of the scheduling thread before it (a simulated pause). */
        Map<Long, Long> stalls = Map.of();

        SimulatedServer(long serviceNanos) {
            this.serviceNanos = serviceNanos;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepUntil(long deadline) {
            advanceTo(Math.max(now, deadline));
        }

        private void advanceTo(long t) {
            while (!pending.isEmpty() && pending.peek().doneAt <= t) {
                Pending p = pending.poll();
                now = Math.max(now, p.doneAt);
                p.reply.complete(p.status);
            }
            now = Math.max(now, t);
        }

        int statusFor(long i) {
            return 200;
        }

        @Override
        public CompletionStage<Integer> send(long i) {
            Long stall = stalls.get(i);
            if (stall != null) {
                advanceTo(now + stall);
            }
            sendTimes.add(now);
            if (serviceNanos < 0) {
                return new CompletableFuture<>(); // never answers
            }
            long start = Math.max(now, busyUntil);
            busyUntil = start + serviceNanos;
            CompletableFuture<Integer> reply = new CompletableFuture<>();
            pending.add(new Pending(busyUntil, seq++, reply, statusFor(i)));
            return reply;
        }
    }

    @Test
    void scheduleHasNoCumulativeDriftAndSendsOnTimeWhenTheSenderIsNeverLate() {
        OpenLoopDriver driver = new OpenLoopDriver(3, 2, 10, 0);
        assertThat(driver.count()).isEqualTo(6);
        assertThat(driver.intendedOffsetNanos(0)).isZero();
        assertThat(driver.intendedOffsetNanos(1)).isEqualTo(333_333_333L);
        assertThat(driver.intendedOffsetNanos(3)).isEqualTo(1_000_000_000L);
        assertThat(driver.intendedOffsetNanos(5)).isEqualTo(1_666_666_666L);

        SimulatedServer server = new SimulatedServer(0);
        long t0 = server.nanoTime();
        new OpenLoopDriver(3, 2, 10, 0).run(server, server, new LatencyRecorder());
        List<Long> offsets = server.sendTimes.stream().map(t -> t - t0).toList();
        assertThat(offsets).containsExactly(0L, 333_333_333L, 666_666_666L, 1_000_000_000L, 1_333_333_333L, 1_666_666_666L);
    }

    @Test
    void belowCapacityEveryLatencyIsTheServiceTime() {
        SimulatedServer server = new SimulatedServer(MS / 2);
        LatencyRecorder rec = new LatencyRecorder();
        new OpenLoopDriver(1000, 1, 64, 100 * MS).run(server, server, rec);
        assertThat(rec.sentCount()).isEqualTo(1000);
        assertThat(rec.okCount()).isEqualTo(1000);
        assertThat(rec.errors()).isEmpty();
        assertThat(rec.percentileMicros(50)).isEqualTo(500);
        assertThat(rec.maxMicros()).isEqualTo(500);
    }

    @Test
    void anOverloadedServerShowsItsQueueInTheLatencyMeasuredFromTheIntendedSendTime() {
        // 1,000 req/s offered to a server doing 500/s: request i is due at i ms and answered at (i+1)*2 ms,
        // so its latency is (i + 2) ms; measured from the actual send it would be 2 ms times the queue.
        SimulatedServer server = new SimulatedServer(2 * MS);
        LatencyRecorder rec = new LatencyRecorder();
        new OpenLoopDriver(1000, 1, 10_000, 2_000 * MS).run(server, server, rec);
        assertThat(rec.okCount()).isEqualTo(1000);
        assertThat(rec.errors()).isEmpty();
        assertThat((double) rec.maxMicros()).isCloseTo(1_001_000, within(1_001_000 * HDR_PRECISION));
        assertThat((double) rec.percentileMicros(50)).isCloseTo(501_000, within(501_000 * 2 * HDR_PRECISION));
        assertThat((double) rec.percentileMicros(0)).isCloseTo(2_000, within(2.0));
    }

    @Test
    void aStalledSenderIsChargedToTheRequestsItDelayed() {
        // the scheduling thread pauses 50 ms before request 10 (GC, CPU steal); the server is instant
        SimulatedServer server = new SimulatedServer(0);
        server.stalls = Map.of(10L, 50 * MS);
        LatencyRecorder rec = new LatencyRecorder();
        new OpenLoopDriver(1000, 0.1, 64, 10 * MS).run(server, server, rec);
        assertThat(rec.okCount()).isEqualTo(100);
        // request 10 (due at 10 ms) went out at 60 ms; requests 11..59 were due during the pause
        assertThat((double) rec.maxMicros()).isCloseTo(50_000, within(50_000 * HDR_PRECISION));
        assertThat(rec.percentileMicros(50)).isZero(); // 50 of 100 were not delayed
        assertThat(rec.percentileMicros(51)).isPositive();
    }

    @Test
    void requestsBeyondTheInFlightBoundAreCountedAsOverflowAndNeverQueued() {
        SimulatedServer server = new SimulatedServer(2 * MS);
        LatencyRecorder rec = new LatencyRecorder();
        int bound = 10;
        new OpenLoopDriver(1000, 1, bound, 100 * MS).run(server, server, rec);
        long sent = server.sendTimes.size();
        assertThat(rec.sentCount()).isEqualTo(1000);
        assertThat(rec.okCount()).isEqualTo(sent);
        assertThat(rec.errors()).containsOnlyKeys("overflow");
        assertThat(rec.errors().get("overflow")).isEqualTo(1000 - sent).isPositive();
        // a request waits behind at most bound - 1 others, and is sent on time or not at all
        assertThat((double) rec.maxMicros()).isLessThanOrEqualTo(bound * 2_000 * (1 + HDR_PRECISION));
    }

    @Test
    void requestsStillOpenAfterTheDrainAreUnfinishedAndALateAnswerIsNotCountedTwice() {
        SimulatedServer server = new SimulatedServer(-1); // never answers
        List<CompletableFuture<Integer>> replies = new ArrayList<>();
        OpenLoopDriver.Transport keep = i -> {
            CompletableFuture<Integer> f = server.send(i).toCompletableFuture();
            replies.add(f);
            return f;
        };
        LatencyRecorder rec = new LatencyRecorder();
        new OpenLoopDriver(100, 0.1, 5, 50 * MS).run(server, keep, rec);
        assertThat(rec.sentCount()).isEqualTo(10);
        assertThat(rec.errors()).isEqualTo(Map.of("overflow", 5L, "unfinished", 5L));
        replies.forEach(f -> f.complete(200));
        assertThat(rec.okCount()).isZero();
        assertThat(rec.errorCount()).isEqualTo(10);
    }

    @Test
    void non2xxAnswersAndFailuresAreErrorsByKindAndStayOutOfThePercentiles() {
        SimulatedServer server = new SimulatedServer(MS) {
            @Override
            int statusFor(long i) {
                return i % 4 == 1 ? 404 : i % 4 == 2 ? 503 : 200;
            }
        };
        OpenLoopDriver.Transport transport = i -> {
            if (i % 4 == 3) {
                return CompletableFuture.failedFuture(new IOException("connection reset"));
            }
            if (i == 0) {
                throw new IllegalStateException("client closed");
            }
            return server.send(i);
        };
        LatencyRecorder rec = new LatencyRecorder();
        new OpenLoopDriver(100, 1, 64, 100 * MS).run(server, transport, rec);
        assertThat(rec.sentCount()).isEqualTo(100);
        assertThat(rec.okCount()).isEqualTo(24); // i % 4 == 0 except i == 0
        assertThat(rec.errors()).isEqualTo(Map.of("404", 25L, "503", 25L, "io", 25L, "IllegalStateException", 1L));
        assertThat(rec.maxMicros()).isEqualTo(1_000);
    }

    @Test
    void markdownRowReportsPercentilesRateAndErrors() {
        LatencyRecorder rec = new LatencyRecorder();
        for (int i = 1; i <= 100; i++) {
            rec.sent();
            rec.answered(200, i * MS);
        }
        rec.sent();
        rec.error("overflow");
        rec.sent();
        rec.answered(503, 5 * MS);
        String row = rec.markdownRow("on1", 120, 2_000 * MS);
        String[] cols = row.split("\\|");
        assertThat(cols[1].trim()).isEqualTo("on1");
        assertThat(cols[2].trim()).isEqualTo("120");
        assertThat(cols[3].trim()).isEqualTo("50"); // 100 ok in 2 s
        assertThat(cols[4].trim()).isEqualTo("102");
        assertThat(cols[5].trim()).isEqualTo("100");
        assertThat(Double.parseDouble(cols[7].trim())).isCloseTo(95.0, within(0.1));
        assertThat(Double.parseDouble(cols[9].trim())).isCloseTo(100.0, within(0.1));
        assertThat(cols[10].trim()).isEqualTo("503:1 overflow:1");
        assertThat(LatencyRecorder.markdownHeader().lines().findFirst().orElseThrow().split("\\|")).hasSameSizeAs(cols);
        assertThat(new LatencyRecorder().markdownRow("idle", 1, MS)).endsWith("| none |");
    }

    @Test
    void pageKeysAreReproducibleBySeedAndStayInsideTheSet() {
        PageKeys a = new PageKeys(1663, 5, 16384, 4, 0, 256, 42);
        PageKeys b = new PageKeys(1663, 5, 16384, 4, 0, 256, 42);
        PageKeys c = new PageKeys(1663, 5, 16384, 4, 0, 256, 43);
        List<String> fromA = new ArrayList<>();
        List<String> fromC = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String p = a.next();
            fromA.add(p);
            fromC.add(c.next());
            assertThat(b.next()).isEqualTo(p);
            String[] f = p.split("/");
            assertThat(f[0]).isEqualTo("1663");
            assertThat(f[1]).isEqualTo("5");
            assertThat(Long.parseLong(f[2])).isBetween(16384L, 16387L);
            assertThat(Long.parseLong(f[3])).isBetween(0L, 255L);
            seen.add(p);
        }
        assertThat(seen).hasSize((int) a.size());
        assertThat(fromC).isNotEqualTo(fromA);
        assertThatThrownBy(() -> new PageKeys(1663, 5, 16384, 0, 0, 256, 1)).hasMessageContaining("empty");
        assertThat(PageKeys.range("16384:4")).containsExactly(16384, 4);
        assertThatThrownBy(() -> PageKeys.range("x:4")).hasMessageContaining("first:count");
    }

    @Test
    void settingsComeFromArgumentsOverEnvironmentAndRejectBadInput() {
        var s = OpenLoopLoad.Settings.parse(new String[] {"--rate", "250", "--lsn", "0/16B3D48", "--header"},
                Map.of("SE_LOADGEN_RATE", "10", "SE_LOADGEN_SECONDS", "3", "SE_LOADGEN_BASE", "http://127.0.0.1:38080/"));
        assertThat(s.rate()).isEqualTo(250);
        assertThat(s.seconds()).isEqualTo(3);
        assertThat(s.header()).isTrue();
        assertThat(s.pageUrl("1663/5/16384/7")).isEqualTo("http://127.0.0.1:38080/v1/tenants/de000000000000000000000000000001"
                + "/timelines/de000000000000000000000000000002/pages/1663/5/16384/7?lsn=0/16B3D48");
        assertThatThrownBy(() -> OpenLoopLoad.Settings.parse(new String[] {"--rate", "0"}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rate > 0");
        assertThatThrownBy(() -> OpenLoopLoad.Settings.parse(new String[] {"--lsn", "latest"}, Map.of()))
                .hasMessageContaining("lsn");
        assertThatThrownBy(() -> OpenLoopLoad.Settings.parse(new String[] {"stray"}, Map.of()))
                .hasMessageContaining("unexpected argument");
        assertThatThrownBy(() -> OpenLoopLoad.Settings.parse(new String[] {"--seconds", "ten"}, Map.of()))
                .hasMessageContaining("bad number");
    }
}
