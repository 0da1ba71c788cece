package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, as a user runs it: {@code ./analytics up} starts, prints its ready line,
 * takes an event, shows it in the metrics, and stops cleanly on SIGTERM; started again on the same
 * data directory it still has the event and still knows its id.
 */
class LauncherSmokeTest {

    private static final String KEY = "smoke-key";
    private static final String EVENT = """
            {"event_id": "smoke-1", "event_type": "purchase_completed", "timestamp": "2026-02-16T10:30:00.000Z",
             "user_id": "user_1", "properties": {"amount": 42.5, "country": "US"}}""";

    @TempDir
    Path data;

    @Test
    void upServesEventsAndStopsCleanlyOnSigterm() throws Exception {
        try (Launched first = Launched.up(data)) {
            ApiClient api = new ApiClient(first.url, KEY);
            ApiClient.Response posted = api.post(EVENT);
            assertThat(posted.status()).isEqualTo(202);
            assertThat(posted.body().get("accepted").asInt()).isEqualTo(1);
            awaitRevenue(api, 42.5);
            first.stopWithSigterm();
        }
        try (Launched second = Launched.up(data)) {
            ApiClient api = new ApiClient(second.url, KEY);
            awaitRevenue(api, 42.5);
            ApiClient.Response again = api.post(EVENT);
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.body().get("duplicates").asInt()).as("the id is remembered across restarts").isEqualTo(1);
            second.stopWithSigterm();
        }
    }

    private static void awaitRevenue(ApiClient api, double expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, String> query = Map.of("metric", "revenue", "window", "1h",
                "start_time", "2026-02-16T00:00:00Z", "end_time", "2026-02-17T00:00:00Z");
        double revenue = 0;
        while (System.nanoTime() < deadline) {
            ApiClient.Response response = api.metrics(query);
            assertThat(response.status()).isEqualTo(200);
            revenue = response.body().at("/series/0/points/0/value").asDouble(0);
            if (revenue == expected) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(revenue).as("revenue visible in the metrics").isEqualTo(expected);
    }

    /** One {@code ./analytics up} process and what it printed. */
    private static final class Launched implements AutoCloseable {
        final Process process;
        final List<String> output = new CopyOnWriteArrayList<>();
        String url;

        private Launched(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        output.add(line);
                    }
                } catch (IOException ignored) {
                    // The process is gone; what it printed is in output.
                }
            }, "analytics-up-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Launched up(Path data) throws Exception {
            int port = TestSupport.freePort();
            ProcessBuilder builder = new ProcessBuilder(TestSupport.launcher().toString(), "up", "--port", Integer.toString(port))
                    .redirectErrorStream(true);
            builder.environment().put("ANALYTICS_DATA_DIR", data.toString());
            builder.environment().put("ANALYTICS_DEMO_API_KEY", KEY);
            builder.environment().put("ANALYTICS_SKIP_BUILD", "1");
            builder.environment().put("ANALYTICS_JAVA_OPTS", "-Xmx1g");
            Launched launched = new Launched(builder.start());
            launched.awaitReady(port);
            return launched;
        }

        private void awaitReady(int port) throws InterruptedException {
            String ready = "ready http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (output.stream().noneMatch(line -> line.contains(ready))) {
                assertThat(process.isAlive()).as("./analytics up is running; it printed:\n" + String.join("\n", output)).isTrue();
                assertThat(System.nanoTime()).as("ready line within 120 s; printed:\n" + String.join("\n", output)).isLessThan(deadline);
                Thread.sleep(50);
            }
            url = "http://127.0.0.1:" + port;
        }

        void stopWithSigterm() throws InterruptedException {
            // Through the handle: Process.destroy() would also close our end of its output, losing what it prints.
            assertThat(process.toHandle().destroy()).as("SIGTERM sent").isTrue();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM").isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (output.stream().noneMatch(line -> line.contains("analytics: stopped")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(output).as("clean shutdown message (exit code " + process.exitValue() + ")")
                    .anyMatch(line -> line.contains("analytics: stopped"));
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
