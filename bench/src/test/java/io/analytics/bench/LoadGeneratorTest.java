package io.analytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LoadGeneratorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ToolRun run(String... args) throws Exception {
        return ToolRun.of(LoadGenerator::run, args);
    }

    @Test
    @Timeout(30)
    void runsAgainstAFakeServerAndMeasuresEverything(@TempDir Path tmp) throws Exception {
        Path resultFile = tmp.resolve("result.json");
        try (FakeAnalyticsServer server = new FakeAnalyticsServer("test-key", 150)) {
            ToolRun o = run("--url", server.url(), "--api-key", "test-key", "--rate", "3000", "--duration", "2s",
                    "--batch", "100", "--concurrency", "4", "--duplicates", "0.05", "--disorder", "30s",
                    "--seed", "42", "--drain-timeout", "10s", "--out", resultFile.toString());
            System.out.println(o.out());
            System.err.println(o.err());
            assertThat(o.code()).isZero();

            JsonNode r = MAPPER.readTree(resultFile.toFile());
            long stored = server.count(null);
            long sent = r.get("events_sent").asLong();
            // 3000 ev/s for 2 s; a heavily loaded machine may miss the last batches (reported as shortfall).
            assertThat(sent + r.get("shortfall_events").asLong()).isEqualTo(6000);
            assertThat(sent).isGreaterThanOrEqualTo(5400);
            assertThat(r.get("accepted").asLong()).isEqualTo(stored).isGreaterThan(4800);
            assertThat(r.get("duplicates").asLong()).isPositive().isEqualTo(server.duplicates.get());
            assertThat(r.get("accepted").asLong() + r.get("duplicates").asLong()).isEqualTo(sent);
            assertThat(r.get("rejected").asLong()).isZero();
            assertThat(r.get("http_errors").size()).isZero();
            assertThat(r.get("http_status").get("202").asLong()).isEqualTo(r.get("requests").asLong()).isEqualTo(sent / 100);
            assertThat(r.get("accepted_per_s").asDouble()).isBetween(1000.0, 3000.0);
            assertThat(r.get("ingest_ms").get("p50").asDouble()).isPositive();
            assertThat(r.get("ingest_ms").get("max").asDouble())
                    .isGreaterThanOrEqualTo(r.get("ingest_ms").get("p99").asDouble());

            JsonNode fresh = r.get("freshness_ms");
            assertThat(fresh.get("samples").asLong()).isPositive();
            assertThat(fresh.get("samples").asLong()).isEqualTo(server.count(EventMix.PROBE_TYPE));
            // The fake makes events visible 150 ms after acceptance; polls every 50 ms.
            assertThat(fresh.get("p50").asDouble()).isBetween(140.0, 5000.0);

            assertThat(r.get("drained").asBoolean()).isTrue();
            assertThat(r.get("drain_s").asDouble()).isBetween(0.0, 10.0);
            assertThat(r.get("e2e_events_per_s").asDouble()).isBetween(500.0, 3000.0);
            assertThat(r.get("expected_events").asLong()).isEqualTo(stored + server.count(EventMix.PROBE_TYPE));
            assertThat(o.out()).contains("== loadgen summary").contains("[   1s]");
        }
    }

    @Test
    @Timeout(30)
    void secondRunAgainstTheSameServerUsesBaselines(@TempDir Path tmp) throws Exception {
        try (FakeAnalyticsServer server = new FakeAnalyticsServer("k", 0)) {
            for (int i = 0; i < 2; i++) {
                Path file = tmp.resolve("r" + i + ".json");
                ToolRun o = run("--url", server.url(), "--api-key", "k", "--rate", "1000", "--duration", "700ms",
                        "--seed", "7", "--quiet", "--out", file.toString());
                assertThat(o.code()).isZero();
                JsonNode r = MAPPER.readTree(file.toFile());
                assertThat(r.get("accepted").asLong()).isEqualTo(700); // same seed, fresh event ids per run
                assertThat(r.get("drained").asBoolean()).isTrue();
                assertThat(r.get("freshness_ms").get("samples").asLong()).isPositive();
                assertThat(o.out()).doesNotContain("[   1s]");
            }
            assertThat(server.count(null)).isEqualTo(1400);
        }
    }

    @Test
    void badFlagsExitWith2() throws Exception {
        ToolRun o = run("--rate", "fast", "--api-key", "k");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("--rate: expected a number");
        assertThat(run("--nope", "1", "--api-key", "k").code()).isEqualTo(2);
        assertThat(run("--duration", "10x", "--api-key", "k").err()).contains("--duration");
        assertThat(run("--batch", "20000", "--api-key", "k").err()).contains("--batch: must be between 1 and 10000");
        assertThat(run("--rate", "10").err()).contains("no API key");
    }

    @Test
    void helpExitsWith0() throws Exception {
        ToolRun o = run("--help");
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("--rate").contains("--disorder").contains("--duplicates").contains("--out");
    }

    @Test
    @Timeout(20)
    void unreachableServerExitsWith1() throws Exception {
        int port = ToolRun.freePort();
        ToolRun o = run("--url", "http://127.0.0.1:" + port, "--api-key", "k", "--duration", "1s");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains("cannot reach the server at http://127.0.0.1:" + port);
    }

    @Test
    @Timeout(20)
    void wrongApiKeyExitsWith1() throws Exception {
        try (FakeAnalyticsServer server = new FakeAnalyticsServer("right", 0)) {
            ToolRun o = run("--url", server.url(), "--api-key", "wrong", "--duration", "1s");
            assertThat(o.code()).isEqualTo(1);
            assertThat(o.err()).contains("refused the API key");
        }
    }

    @Test
    void durationsParse() throws Exception {
        assertThat(Options.parseDuration("d", "30s", 0, Long.MAX_VALUE)).isEqualTo(30_000);
        assertThat(Options.parseDuration("d", "2m", 0, Long.MAX_VALUE)).isEqualTo(120_000);
        assertThat(Options.parseDuration("d", "1500ms", 0, Long.MAX_VALUE)).isEqualTo(1500);
        assertThat(Options.parseDuration("d", "0s", 0, Long.MAX_VALUE)).isZero();
        assertThat(Options.parseDuration("d", "1.5", 0, Long.MAX_VALUE)).isEqualTo(1500);
        assertThat(Duration.ofMillis(Options.parseDuration("d", "1h", 0, Long.MAX_VALUE))).isEqualTo(Duration.ofHours(1));
    }
}
