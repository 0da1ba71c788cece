package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Node.js script of {@code tests/js} (its packages installed by the build's {@code npm ci}) run as a
 * child process that prints one JSON object per line and takes commands on stdin.
 */
final class NodeScript implements AutoCloseable {

    static final Path DIR = Path.of("js").toAbsolutePath();

    private final Process process;
    private final Writer stdin;
    private final LinkedBlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();

    NodeScript(String script, Map<String, String> environment, String... args) throws IOException {
        assertThat(DIR.resolve("node_modules")).as("npm ci ran in " + DIR + " (mvn generate-test-resources)").isDirectory();
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        Path log = Files.createDirectories(Path.of("target", "js-logs")).resolve(script + ".stderr.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    String text = line;
                    lines.add(TestSupport.unchecked(() -> ApiClient.JSON.readTree(text)));
                }
            } catch (IOException e) {
                // The process ended.
            }
        }, script + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    void command(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    /**
     * The first line satisfying {@code wanted}, among those already read or arriving within
     * {@code timeout}; every line read is kept in {@link #seen()}.
     */
    JsonNode await(Predicate<JsonNode> wanted, Duration timeout, String what) throws InterruptedException {
        for (JsonNode line : seen) {
            if (wanted.test(line)) {
                return line;
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            assertThat(line).as("within " + timeout + ": " + what + "; seen so far: " + seen).isNotNull();
            seen.add(line);
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    /** Fails if a line satisfying {@code unwanted} arrives during the whole {@code period}. */
    void expectNone(Predicate<JsonNode> unwanted, Duration period, String what) throws InterruptedException {
        TestSupport.expectNone(lines, period, seen::add, unwanted, what);
    }

    static Predicate<JsonNode> event(String name) {
        return line -> line.path("event").asText().equals(name);
    }

    List<JsonNode> seen() {
        return seen;
    }

    int waitFor(Duration timeout) throws InterruptedException {
        assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("the script ends within " + timeout).isTrue();
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroy();
    }
}
