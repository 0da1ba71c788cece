package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Small helpers the integration tests share. */
final class TestSupport {

    private TestSupport() {}

    /** Takes what arrives in {@code queue} during the whole {@code period}, each to {@code seen}; fails on an {@code unwanted} one. */
    static <T> void expectNone(java.util.concurrent.BlockingQueue<T> queue, Duration period, java.util.function.Consumer<T> seen,
            java.util.function.Predicate<T> unwanted, String what) throws InterruptedException {
        long end = System.nanoTime() + period.toNanos();
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            T item = queue.poll(left, TimeUnit.NANOSECONDS);
            if (item != null) {
                seen.accept(item);
                assertThat(unwanted.test(item)).as(what + ": " + item).isFalse();
            }
        }
    }

    /** A call that may throw, for use where only unchecked exceptions may escape (lambdas of futures). */
    interface Call<T> {
        T call() throws Exception;
    }

    static <T> T unchecked(Call<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code ./analytics} launcher at the top of the repository the tests run in. */
    static Path launcher() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isExecutable(dir.resolve("analytics"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the ./analytics launcher above " + Path.of("").toAbsolutePath()).isNotNull();
        return dir.resolve("analytics");
    }

    /** A producer writing to the raw topic the way a service would: idempotent, acks from all replicas. */
    static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Waits (up to 120 s) until the clients have {@code count} events acknowledged; fails at once if
     * {@code sending} ended with an error, rather than waiting for a count it will never reach.
     */
    static void awaitAcknowledged(GroundTruth truth, int count, CompletableFuture<?> sending) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (truth.size() < count) {
            if (sending.isCompletedExceptionally()) {
                sending.get();
            }
            assertThat(System.nanoTime()).as("%d events acknowledged within 120 s", count).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Closes each resource that was started (null: never started), in order; every one is tried. */
    static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Runs {@code ./analytics args...} (already built) and returns its output, asserting it succeeded. */
    static String runLauncher(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("ANALYTICS_SKIP_BUILD", "1");
        Process cli = builder.start();
        cli.getOutputStream().close();
        String output;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(cli.getInputStream(), StandardCharsets.UTF_8))) {
            output = in.lines().collect(Collectors.joining("\n"));
        }
        assertThat(cli.waitFor(120, TimeUnit.SECONDS)).as(command + " finished").isTrue();
        assertThat(cli.exitValue()).as(output).isZero();
        return output;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
