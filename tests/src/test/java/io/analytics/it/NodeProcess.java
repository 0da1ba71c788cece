package io.analytics.it;

import io.analytics.node.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
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

    private final Process process;
    private final String url;

    private NodeProcess(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    /**
     * Starts a node and waits for its ready line. {@code systemProperties} become {@code -D} options, the
     * way to set any configuration key that has no environment override.
     */
    static NodeProcess start(EmbeddedKafka kafka, TestPostgres postgres, Path dataDir, Map<String, String> systemProperties)
            throws Exception {
        int port = TestSupport.freePort();
        ProcessBuilder builder = new ProcessBuilder(TestSupport.launcher().toString(), "node", "--port", Integer.toString(port))
                .redirectErrorStream(true);
        StringBuilder javaOpts = new StringBuilder("-Xmx1g");
        systemProperties.forEach((key, value) -> javaOpts.append(" -D").append(key).append('=').append(value));
        Map<String, String> env = builder.environment();
        env.put("ANALYTICS_SKIP_BUILD", "1");
        env.put("ANALYTICS_JAVA_OPTS", javaOpts.toString());
        env.put("ANALYTICS_DATA_DIR", dataDir.toString());
        env.put("ANALYTICS_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("ANALYTICS_KAFKA_PARTITIONS", "4");
        env.put("ANALYTICS_DB_URL", postgres.url());
        env.put("ANALYTICS_DB_USER", TestPostgres.USER);
        env.put("ANALYTICS_DEMO_API_KEY", TestNode.API_KEY);
        env.put("ANALYTICS_CLUSTER_PORT", "0");
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve("node-" + System.currentTimeMillis() + "-" + port + ".log");
        Process process = builder.redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String ready = "ready http://127.0.0.1:" + port;
        while (System.nanoTime() < deadline) {
            String printed = Files.readString(log, StandardCharsets.UTF_8);
            if (printed.contains(ready)) {
                return new NodeProcess(process, "http://127.0.0.1:" + port);
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
