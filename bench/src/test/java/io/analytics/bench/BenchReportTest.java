package io.analytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

    private static void run(Path dir, int rate, int n, int exit, double accepted, Double e2e, boolean drained,
                            double p99, double rss) throws Exception {
        Files.writeString(dir.resolve("run-" + rate + "-" + n + ".server.json"),
                "{\"rate\":" + rate + ",\"run\":" + n + ",\"loadgen_exit\":" + exit + ",\"wall_s\":32.0,"
                        + "\"server_cpu_s\":40.0,\"server_cpu_cores\":1.25,\"server_rss_peak_mb\":" + rss + ",\"loadgen_cpu_s\":3.0}");
        if (exit == 0) {
            Files.writeString(dir.resolve("run-" + rate + "-" + n + ".json"),
                    "{\"accepted_per_s\":" + accepted + ",\"e2e_events_per_s\":" + e2e + ",\"drained\":" + drained
                            + ",\"drain_s\":0.5,\"shortfall_events\":0,\"ingest_ms\":{\"p50\":2.0,\"p90\":5.0,\"p99\":" + p99
                            + ",\"max\":40.0},\"freshness_ms\":{\"p50\":300.0,\"p99\":700.0,\"max\":800.0,\"samples\":100}}");
        }
    }

    @Test
    void mediansPerRateAndTable(@TempDir Path dir) throws Exception {
        run(dir, 10000, 1, 0, 9990, 9800.0, true, 10, 800);
        run(dir, 10000, 2, 0, 10000, 9900.0, true, 30, 850);
        run(dir, 10000, 3, 0, 9980, null, false, 20, 820);
        run(dir, 25000, 1, 0, 24000, 23000.0, true, 50, 1200);
        run(dir, 25000, 2, 1, 0, null, false, 0, 1300);
        JsonNode report = BenchReport.build(dir);
        JsonNode m10 = report.get("medians").get(0);
        assertThat(m10.get("rate").asDouble()).isEqualTo(10000);
        assertThat(m10.get("accepted_per_s").asDouble()).isEqualTo(9990);
        assertThat(m10.get("e2e_events_per_s").asDouble()).isEqualTo(9850); // median of the drained runs
        assertThat(m10.get("ingest_p99_ms").asDouble()).isEqualTo(20);
        assertThat(m10.get("peak_rss_mb").asDouble()).isEqualTo(850);
        assertThat(m10.get("runs_drained").asInt()).isEqualTo(2);
        JsonNode m25 = report.get("medians").get(1);
        assertThat(m25.get("runs_ok").asInt()).isEqualTo(1);
        assertThat(report.get("runs")).hasSize(5);

        String table = BenchReport.table(report);
        System.out.println(table);
        assertThat(table).contains("| rate target | accepted/s (median) | e2e events/s | ingest p50/p99 ms | freshness p50/p99 ms | peak RSS MB")
                .contains("| 10,000 | 9,990 | 9,850 * | 2.0 / 20.0 | 300 / 700 | 850 | 1.25 |")
                .contains("| 25,000 | 24,000 | 23,000 | 2.0 / 50.0 | 300 / 700 | 1,300 | 1.25 |")
                .contains("only 2 of 3 runs drained")
                .contains("1 of 2 load generator runs failed");
    }
}
