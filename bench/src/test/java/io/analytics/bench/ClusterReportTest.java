package io.analytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterReportTest {

    /** One run of {@code nodes} nodes: the script's file, and a load generator result per node. */
    private static void run(Path dir, int nodes, int k, long events, double sendS, double drainS, double cpuS,
            double acceptedPerNode) throws Exception {
        String tag = "run-" + nodes + "-20000-" + k;
        Files.writeString(dir.resolve(tag + ".server.json"), "{\"nodes\": " + nodes + ", \"loadgen_exit\": 0, \"send_s\": " + sendS
                + ", \"drain_s\": " + drainS + ", \"drained\": true, \"events\": " + events + ", \"expected_events\": " + events
                + ", \"nodes_cpu_s\": " + cpuS + ", \"broker_cpu_s\": 3.0, \"load_before\": \"1.50\", \"load_after\": \"2.10\"}");
        for (int i = 0; i < nodes; i++) {
            Files.writeString(dir.resolve(tag + ".node-" + i + ".json"), "{\n  \"accepted_per_s\" : " + acceptedPerNode
                    + ",\n  \"freshness_ms\" : {\n    \"p99\" : " + (200.0 + 100 * i) + "\n  }\n}");
        }
    }

    @Test
    void throughputPerNodeAndCpuPerEventAgainstOneNode(@TempDir Path dir) throws Exception {
        run(dir, 1, 1, 300_000, 30, 0, 30, 10_000);
        run(dir, 1, 2, 280_000, 30, 5, 28, 9_000);
        run(dir, 2, 1, 300_000, 30, 0, 45, 5_000);
        JsonNode report = ClusterReport.build(dir);

        JsonNode one = report.get("cluster_sizes").get(0);
        assertThat(one.get("nodes").asInt()).isEqualTo(1);
        assertThat(one.get("runs_count").asInt()).isEqualTo(2);
        assertThat(one.get("median_processed_per_s").asDouble()).isEqualTo(9_000); // median of 10,000 and 8,000
        assertThat(one.get("median_server_cpu_ms_per_1k_events").asDouble()).isEqualTo(100);
        JsonNode two = report.get("cluster_sizes").get(1);
        assertThat(two.get("median_accepted_per_s").asDouble()).isEqualTo(10_000);
        assertThat(two.get("median_processed_per_s_per_node").asDouble()).isEqualTo(5_000);
        assertThat(two.get("median_server_cpu_ms_per_1k_events").asDouble()).isEqualTo(150);
        assertThat(two.get("cpu_per_event_vs_one_node").asDouble()).isEqualTo(1.5);
        assertThat(two.get("median_worst_node_freshness_p99_ms").asDouble()).isEqualTo(300);

        String table = ClusterReport.table(report);
        assertThat(table).contains("| 2 | 20000 | 10000 | 10000 | 5000 | 150 | 1.5× | 300 ms | yes | 1.50 → 2.10 |");
    }
}
