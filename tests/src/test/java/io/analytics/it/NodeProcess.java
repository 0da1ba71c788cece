package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.analytics.node.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./analytics node} as its own process on the test's broker and PostgreSQL schema, as an operator
 * runs it: the only way to kill a node hard (SIGKILL), with no chance to flush or leave the cluster. Its
 * output goes to {@code target/node-logs/}.
 */
final class NodeProcess implements AutoCloseable {

    private static final int KEEP_LINES = 100;
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    /** Kept after the test (the data directory is not), for a look at what a killed node was doing. */
    private static final Path LOGS = Path.of("target", "node-logs");

    /**
     * Where a node listens: HTTP, and Artery for the cluster (0: any free port), with the seed nodes it
     * joins (none: it forms a cluster of its own).
     */
    record Ports(int http, int cluster, List<String> seeds) {

        /** The node's cluster address, as other nodes' logs name it. */
        String address() {
            return "pekko://analytics@127.0.0.1:" + cluster;
        }

        /** A cluster of one on free ports. */
        static Ports single() throws IOException {
            return new Ports(TestSupport.freePort(), 0, List.of());
        }

        /** Free ports for {@code count} nodes that all list each other as seed nodes, by ascending cluster port. */
        static List<Ports> cluster(int count) throws IOException {
            List<Integer> clusterPorts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                clusterPorts.add(TestSupport.freePort());
            }
            // The first node has the lowest address: the side the split brain resolver keeps on a tie.
            clusterPorts.sort(null);
            List<String> seeds = clusterPorts.stream().map(port -> "pekko://analytics@127.0.0.1:" + port).toList();
            List<Ports> ports = new ArrayList<>();
            for (int clusterPort : clusterPorts) {
                ports.add(new Ports(TestSupport.freePort(), clusterPort, seeds));
            }
            return ports;
        }
    }

    private final Process process;
    private final String url;
    private final Path log;

    private NodeProcess(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /**
     * Starts a node and waits for its ready line. {@code systemProperties} become {@code -D} options, the
     * way to set any configuration key that has no environment override.
     */
    static NodeProcess start(EmbeddedKafka kafka, TestPostgres postgres, Path dataDir, Map<String, String> systemProperties)
            throws Exception {
        return start(kafka, postgres, dataDir, Ports.single(), systemProperties);
    }

    /** Starts a node on the given ports, joining its seed nodes, and waits for its ready line. */
    static NodeProcess start(EmbeddedKafka kafka, TestPostgres postgres, Path dataDir, Ports ports,
            Map<String, String> systemProperties) throws Exception {
        int port = ports.http();
        ProcessBuilder builder = new ProcessBuilder(TestSupport.launcher().toString(), "node", "--port", Integer.toString(port))
                .redirectErrorStream(true);
        StringBuilder javaOpts = new StringBuilder("-Xmx1g");
        systemProperties.forEach((key, value) -> javaOpts.append(" -D").append(key).append('=').append(value));
        for (int i = 0; i < ports.seeds().size(); i++) {
            javaOpts.append(" -Dpekko.cluster.seed-nodes.").append(i).append('=').append(ports.seeds().get(i));
        }
        Map<String, String> env = builder.environment();
        env.put("ANALYTICS_SKIP_BUILD", "1");
        env.put("ANALYTICS_JAVA_OPTS", javaOpts.toString());
        env.put("ANALYTICS_DATA_DIR", dataDir.toString());
        env.put("ANALYTICS_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("ANALYTICS_KAFKA_PARTITIONS", "4");
        env.put("ANALYTICS_DB_URL", postgres.url());
        env.put("ANALYTICS_DB_USER", TestPostgres.USER);
        env.put("ANALYTICS_DEMO_API_KEY", TestNode.API_KEY);
        env.put("ANALYTICS_CLUSTER_PORT", Integer.toString(ports.cluster()));
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve("node-" + System.currentTimeMillis() + "-" + port + ".log");
        Process process = builder.redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String ready = "ready http://127.0.0.1:" + port;
        while (System.nanoTime() < deadline) {
            String printed = Files.readString(log, StandardCharsets.UTF_8);
            if (printed.contains(ready)) {
                return new NodeProcess(process, "http://127.0.0.1:" + port, log);
            }
            if (!process.isAlive()) {
                throw new AssertionError("./analytics node exited (" + process.exitValue() + ") before its ready line:\n" + tail(printed));
            }
            Thread.sleep(20);
        }
        process.destroyForcibly();
        throw new AssertionError("./analytics node not ready within " + READY_TIMEOUT.toSeconds() + " s; its log " + log + " ends:\n"
                + tail(Files.readString(log, StandardCharsets.UTF_8)));
    }

    private static String tail(String printed) {
        String[] lines = printed.split("\n");
        return String.join("\n", Arrays.asList(lines).subList(Math.max(0, lines.length - KEEP_LINES), lines.length));
    }

    String url() {
        return url;
    }

    /** Waits (up to 90 s) until {@code /health/ready} answers 200: joined, consuming and caught up. */
    void awaitReady() throws Exception {
        ApiClient api = new ApiClient(url, TestNode.API_KEY);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        ApiClient.Response last = null;
        while (System.nanoTime() < deadline) {
            last = api.get("/health/ready");
            if (last.status() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("node " + url + " not ready within 90 s: " + last);
    }

    /** Waits until the node's output holds {@code text}. */
    void awaitOutput(String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("node " + url + " did not print '" + text + "' within " + timeout + "; its log " + log
                        + " ends:\n" + tail(Files.readString(log, StandardCharsets.UTF_8)));
            }
            Thread.sleep(50);
        }
    }

    /** SIGSTOP: the process freezes, as a node cut off by a network partition looks to the others. */
    void freeze() throws Exception {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    void thaw() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -" + name).isZero();
    }

    /** Waits for the process to end by itself; returns its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("node " + url + " exits within " + timeout).isTrue();
        return process.exitValue();
    }

    /** SIGKILL: the node gets no chance to flush, commit or leave the cluster. */
    void kill() throws InterruptedException {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("node process did not die within 30 s of SIGKILL");
        }
    }

    /** SIGTERM, the graceful stop. */
    @Override
    public void close() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
