package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible server on loopback: S3Proxy (from Maven Central, copied to target/s3proxy by the
 * build) with its in-memory backend, in a child JVM, with AWS signature checks on.
 */
final class TestS3 implements AutoCloseable {

    static final String ACCESS_KEY = "lake-test";
    static final String SECRET_KEY = "lake-test-secret";

    private final Process process;
    final String endpoint;

    private TestS3(Process process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    static TestS3 start(Path workDir) throws Exception {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        assertThat(jar).as("S3Proxy jar copied by the tests module's build").exists();
        int port = TestSupport.freePort();
        String endpoint = "http://127.0.0.1:" + port;
        Files.createDirectories(workDir);
        Path properties = workDir.resolve("s3proxy.properties");
        Files.write(properties, List.of(
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=transient",
                "jclouds.identity=" + ACCESS_KEY,
                "jclouds.credential=" + SECRET_KEY));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-Xmx256m", "-jar", jar.toString(), "--properties", properties.toString())
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("s3proxy.log").toFile())
                .start();
        TestS3 s3 = new TestS3(process, endpoint);
        s3.awaitListening(Duration.ofSeconds(60));
        return s3;
    }

    /** Any HTTP answer (S3Proxy refuses an unsigned request with 403) means it is up. */
    private void awaitListening(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("S3Proxy process (see s3proxy.log)").isTrue();
            try {
                http.send(HttpRequest.newBuilder(URI.create(endpoint + "/")).GET().build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("S3Proxy did not listen on " + endpoint + " within " + timeout);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
