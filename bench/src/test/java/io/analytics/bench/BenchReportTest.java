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
                .contains("1 of 2 load generator runs failed")
                .contains("peer: none");
    }

    private static final String PEER_OUTPUT = String.join("\n",
            "Reading payloads from: /tmp/w/peer-payload.jsonl",
            "Number of messages read: 20000",
            "612345 records sent, 122444.1 records/sec (42.10 MB/sec), 30.1 ms avg latency, 240.0 ms max latency.",
            "2000000 records sent, 125000.123456 records/sec (43.52 MB/sec), 28.51 ms avg latency, 250.00 ms max latency,"
                    + " 21 ms 50th, 70 ms 95th, 110 ms 99th, 190 ms 99.9th.",
            "");

    private static void peer(Path dir, int rate, int n, int exit, String output) throws Exception {
        Files.writeString(dir.resolve("peer-" + rate + "-" + n + ".server.json"),
                "{\"rate\":" + rate + ",\"run\":" + n + ",\"peer_exit\":" + exit + ",\"records_expected\":2000000,"
                        + "\"wall_s\":17.0,\"server_cpu_s\":15.0,\"server_cpu_cores\":0.9,\"peer_cpu_s\":14.0,"
                        + "\"idle\":" + (n != 2) + ",\"idle_wait_s\":1,\"idle_server_cores\":0.02}");
        Files.writeString(dir.resolve("peer-" + rate + "-" + n + ".log"), output);
    }

    @Test
    void parsesProducerPerformanceSummary() {
        JsonNode r = BenchReport.parsePeerOutput(PEER_OUTPUT);
        assertThat(r.get("records_sent").asLong()).isEqualTo(2_000_000);
        assertThat(r.get("records_per_s").asDouble()).isEqualTo(125000.123456);
        assertThat(r.get("mb_per_s").asDouble()).isEqualTo(43.52);
        assertThat(r.get("latency_avg_ms").asDouble()).isEqualTo(28.51);
        assertThat(r.get("latency_p50_ms").asLong()).isEqualTo(21);
        assertThat(r.get("latency_p99_ms").asLong()).isEqualTo(110);
        assertThat(r.get("latency_p999_ms").asLong()).isEqualTo(190);
        assertThat(BenchReport.parsePeerOutput("Exception in thread \"main\" ...\n612345 records sent, 1.0 records/sec"
                + " (0.01 MB/sec), 1.0 ms avg latency, 2.0 ms max latency.\n")).isNull();
    }

    @Test
    void peerMediansAndRatios(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("meta.json"), "{\"peer_records\":2000000,"
                + "\"peer_producer_props\":\"acks=all enable.idempotence=true\"}");
        Files.writeString(dir.resolve("peer-setup.json"), "{\"topic\":\"bench.peer\",\"like_topic\":\"events.raw\","
                + "\"partitions\":8,\"payload_events\":20000,\"mean_record_bytes\":371.4}");
        run(dir, 10000, 1, 0, 10000, 9900.0, true, 10, 800);
        run(dir, 10000, 2, 0, 10000, 9800.0, true, 10, 800);
        run(dir, 50000, 1, 0, 40000, 30000.0, true, 10, 800);
        run(dir, 50000, 2, 0, 40000, 36000.0, true, 10, 800);
        peer(dir, 10000, 1, 0, PEER_OUTPUT);
        peer(dir, 10000, 2, 0, PEER_OUTPUT.replace("125000.123456", "115000.0"));
        peer(dir, 50000, 1, 0, PEER_OUTPUT.replace("125000.123456", "100000.0"));
        peer(dir, 50000, 2, 1, "Exception in thread \"main\" org.apache.kafka.common.errors.TimeoutException\n");

        JsonNode report = BenchReport.build(dir);
        JsonNode m10 = report.get("medians").get(0);
        assertThat(m10.get("peer_runs_ok").asInt()).isEqualTo(2);
        assertThat(m10.get("peer_events_per_s").asDouble()).isEqualTo(120000.06);
        assertThat(m10.get("e2e_to_peer_ratio").asDouble()).isEqualTo(0.0821); // 9850 / 120000.06
        assertThat(m10.get("accepted_to_peer_ratio").asDouble()).isEqualTo(0.0833);
        assertThat(m10.get("peer_server_cpu_cores").asDouble()).isEqualTo(0.9);
        JsonNode m50 = report.get("medians").get(1);
        assertThat(m50.get("peer_runs").asInt()).isEqualTo(2);
        assertThat(m50.get("peer_runs_ok").asInt()).isEqualTo(1);
        assertThat(m50.get("peer_events_per_s").asDouble()).isEqualTo(100000);
        assertThat(m50.get("e2e_to_peer_ratio").asDouble()).isEqualTo(0.33);
        JsonNode peer = report.get("peer");
        assertThat(peer.get("runs")).hasSize(4);
        assertThat(peer.get("runs_ok").asInt()).isEqualTo(3);
        assertThat(peer.get("median_events_per_s").asDouble()).isEqualTo(115000);
        assertThat(peer.path("setup").get("partitions").asInt()).isEqualTo(8);
        assertThat(peer.get("runs").get(3).get("result").isNull()).isTrue();

        String table = BenchReport.table(report);
        System.out.println(table);
        assertThat(table).contains("| server CPU (cores) | peer events/s | e2e ÷ peer |")
                .contains("| 10,000 | 10,000 | 9,850 | 2.0 / 10.0 | 300 / 700 | 800 | 1.25 | 120,000 | 0.082 |")
                .contains("| 50,000 | 40,000 | 33,000 | 2.0 / 10.0 | 300 / 700 | 800 | 1.25 | 100,000 | 0.330 |")
                .contains("50,000 ev/s: 1 of 2 peer runs failed")
                .contains("peer: Kafka's ProducerPerformance, 2,000,000 records per run of 371 B (mean of 20,000 generated events)"
                        + " to bench.peer (8 partitions, like events.raw)")
                .contains("median over all 3 runs 115,000 records/s")
                .contains("2 of 4 peer runs started before the platform was idle (up to 0.02 server cores busy just before)");
    }
}
