package io.analytics.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class PooledHttpClientTest {

    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private URI base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/echo", this::echo);
        server.createContext("/stall", ex -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(ex, 200, "late");
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void echo(HttpExchange ex) throws IOException {
        clientPorts.add(ex.getRemoteAddress().getPort());
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        answer(ex, 201, ex.getRequestMethod() + " " + ex.getRequestURI() + " key=" + ex.getRequestHeaders().getFirst("X-API-Key") + " " + body);
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Test
    void sendsRequestsOneAtATimeOverOneKeptAliveConnection() throws Exception {
        try (PooledHttpClient http = new PooledHttpClient(base, 1, 5_000)) {
            for (int i = 0; i < 20; i++) {
                PooledHttpClient.Reply reply = http.post("/echo/" + i, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8),
                        Map.of("X-API-Key", "k")).get(5, TimeUnit.SECONDS);
                assertThat(reply.status()).isEqualTo(201);
                assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo("POST /echo/" + i + " key=k {\"n\":" + i + "}");
            }
            assertThat(http.get("/echo", Map.of()).get(5, TimeUnit.SECONDS).body()).asString(StandardCharsets.UTF_8)
                    .isEqualTo("GET /echo key=null ");
        }
        assertThat(clientPorts).hasSize(1);
    }

    @Test
    void concurrentRequestsOpenAConnectionEach() throws Exception {
        try (PooledHttpClient http = new PooledHttpClient(base, 1, 5_000)) {
            List<CompletableFuture<PooledHttpClient.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                replies.add(http.get("/stall", Map.of()));
            }
            release.countDown();
            for (CompletableFuture<PooledHttpClient.Reply> reply : replies) {
                assertThat(reply.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
            for (int i = 0; i < 8; i++) {
                assertThat(http.get("/echo", Map.of()).get(5, TimeUnit.SECONDS).status()).isEqualTo(201);
            }
        }
        assertThat(clientPorts).as("the pool's connections are reused, none opened beyond the four").hasSizeLessThanOrEqualTo(4);
    }

    @Test
    void aRequestNotAnsweredInTimeFailsAndTheNextOneGoesThrough() throws Exception {
        try (PooledHttpClient http = new PooledHttpClient(base, 1, 200)) {
            assertThatThrownBy(() -> http.get("/stall", Map.of()).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(HttpTimeoutException.class).hasMessageContaining("200 ms");
            assertThat(http.get("/echo", Map.of()).get(5, TimeUnit.SECONDS).status()).isEqualTo(201);
        }
    }

    @Test
    void aClosedPortFailsWithConnectException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (PooledHttpClient http = new PooledHttpClient(URI.create("http://127.0.0.1:" + port), 1, 5_000)) {
            assertThatThrownBy(() -> http.get("/echo", Map.of()).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ConnectException.class);
        }
    }
}
