package io.analytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrderBenchReportTest {

    private static String result(double cps, double p50, double p99, long errors, long ok) {
        return """
                {"commands_per_s": %s, "commands_ok": %d, "errors": %d, "shortfall_commands": 0,
                 "latency_ms": {"p50": %s, "p90": 1, "p99": %s, "max": %s},
                 "latency_from_schedule_ms": {"p99": %s},
                 "by_command": {"create": {"latency_ms": {"p99": %s}}},
                 "projections": {"orders": {"handled_per_s": 900, "lag_ms_at_end": 120}}}
                """.formatted(cps, ok, errors, p50, p99, p99 * 2, p99, p99);
    }

    private static String server(double cpuS) {
        return "{\"loadgen_exit\": 0, \"server_cpu_s\": " + cpuS + ", \"server_cpu_cores\": 1.5, \"loadgen_cpu_s\": 3,"
                + " \"postgres_cpu_s\": 10, \"postgres_cpu_cores\": 0.3, \"machine_busy_cores\": 1.9}";
    }

    @Test
    void mediansTargetsAndTheRebuildLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("meta.json"), "{\"postgres\": true, \"duration\": \"30s\", \"runs_per_rate\": 3}");
        // 5000/s: three runs, one with an error; 1000/s: one clean run.
        Files.writeString(dir.resolve("run-5000-1.json"), result(5000, 4, 30, 0, 150_000));
        Files.writeString(dir.resolve("run-5000-2.json"), result(4990, 5, 45, 1, 149_700));
        Files.writeString(dir.resolve("run-5000-3.json"), result(5001, 6, 60, 0, 150_030));
        Files.writeString(dir.resolve("run-1000-1.json"), result(1000, 2, 10, 0, 30_000));
        for (String run : new String[] {"5000-1", "5000-2", "5000-3", "1000-1"}) {
            Files.writeString(dir.resolve("run-" + run + ".server.json"), server(45));
        }
        Files.writeString(dir.resolve("fill.json"), "{\"target_events\": 1000000, \"journal_events_before\": 500000,"
                + " \"journal_events_after\": 1000000, \"seconds\": 250, \"events_per_s\": 2000, \"reached\": true}");
        Files.writeString(dir.resolve("catchup.json"), "{\"catch_up\": {\"expected\": 1000000, \"events_handled\": 1000000,"
                + " \"reached\": true, \"waited_s\": 12.5}}");
        Files.writeString(dir.resolve("rebuild.json"), "{\"rebuild\": {\"state\": \"done\", \"total\": 1000000,"
                + " \"applied\": 1000000, \"seconds\": 80.0, \"events_per_s\": 12500.0}}");

        JsonNode r = OrderBenchReport.build(dir);
        JsonNode m5000 = r.get("medians").get(1);
        assertThat(m5000.get("rate").asDouble()).isEqualTo(5000.0);
        assertThat(m5000.get("runs").asInt()).isEqualTo(3);
        assertThat(m5000.get("commands_per_s").asDouble()).isEqualTo(5000.0);
        assertThat(m5000.get("latency_p99_ms").asDouble()).isEqualTo(45.0);
        assertThat(m5000.get("latency_max_ms").asDouble()).isEqualTo(120.0);
        assertThat(m5000.get("errors").asLong()).isEqualTo(1);
        assertThat(m5000.get("meets_command_target").asBoolean()).isFalse(); // an error
        assertThat(m5000.get("server_cpu_ms_per_command").asDouble()).isEqualTo(0.3);
        assertThat(m5000.get("p99_ms_by_command").get("create").asDouble()).isEqualTo(45.0);
        assertThat(m5000.get("orders_projection_handled_per_s").asDouble()).isEqualTo(900.0);
        assertThat(r.get("medians").get(0).get("meets_command_target").asBoolean()).isFalse(); // 1000/s < 5000
        assertThat(r.get("targets").get("rebuild").get("met").asBoolean()).isTrue();
        assertThat(r.get("rebuild").get("catch_up").get("waited_s").asDouble()).isEqualTo(12.5);

        String table = OrderBenchReport.table(r);
        assertThat(table).contains("| rate target | commands/s | p50 ms | p99 ms | errors |")
                .contains("| 5,000 | 5,000 | 5.0 | 45.0 | 1 |")
                .contains("| 1,000 | 1,000 | 2.0 | 10.0 | 0 |")
                .contains("not met at any measured rate")
                .contains("Rebuild: 1,000,000 events in 80.0 s (12,500 events/s); target 1,000,000 events in < 120 s: met")
                .contains("Journal fill for the rebuild: 500,000 order events in 250 s");
    }

    @Test
    void aSmallJournalIsProjectedAndAMissedCatchUpIsSaid(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("catchup.json"), "{\"catch_up\": {\"expected\": 50000, \"events_handled\": 40000,"
                + " \"reached\": false, \"waited_s\": 3600}}");
        Files.writeString(dir.resolve("rebuild.json"), "{\"rebuild\": {\"state\": \"done\", \"applied\": 50000,"
                + " \"seconds\": 2.5, \"events_per_s\": 20000.0}}");
        JsonNode r = OrderBenchReport.build(dir);
        assertThat(r.get("targets").get("rebuild").get("met").isNull()).isTrue();
        assertThat(r.get("targets").get("rebuild").get("projected_s_for_target_events").asDouble()).isEqualTo(50.0);
        assertThat(OrderBenchReport.rebuildLine(r))
                .contains("would take ≈ 50 s")
                .contains("had NOT caught up (40,000 of 50,000 events after 3600 s)");
    }
}
