package io.analytics.bench;

import com.sun.management.ThreadMXBean;
import com.typesafe.config.ConfigFactory;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.metric.MetricSeries;
import io.analytics.core.window.WindowSize;
import io.analytics.hub.HubSettings;
import io.analytics.hub.LiveHub;
import io.analytics.hub.NodeLoad;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * The live hub's fan-out alone, in one JVM: a {@link LiveHub} on a synthetic metric source whose every
 * series changes at every tick, served by pekko-http, and {@code --clients} {@link HubSubscribers} on
 * the four dashboard series. It reports the CPU time of every thread but the subscribers' per update
 * they received, which is the server's cost per delivered update without the pipeline, Kafka or the
 * load generator in the numbers (thread CPU time varies far less than throughput with what else the
 * machine runs).
 *
 * <p>Usage: {@code HubFanout [--clients 1000] [--warmup 20s] [--window 8s] [--windows 3] [--batch true]}
 * ({@code --batch}: the clients ask for a tick's updates in one message); prints one line per window and
 * then {@code median_us_per_update=…}.
 */
public final class HubFanout {

    private static final String DASHBOARD = "[\"orders_per_minute\",\"revenue_per_minute\",\"top_products_last_hour\",\"active_users\"]";
    private static final String API_KEY = "fanout-key";
    private static final String SUBSCRIBER_THREAD = "hub-subscribers";
    private static final long SUBSCRIBER = 1;
    /** The actor system's dispatchers, where the hub and pekko-http run (the rest: GC, JIT, timers). */
    private static final long DISPATCHER = 2;
    private static final Duration TICK = Duration.ofMillis(250);
    private static final int GROUPS = 20;

    private HubFanout() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int clients = Integer.parseInt(flags.getOrDefault("clients", "1000"));
        long warmup = millis(flags.getOrDefault("warmup", "20s"));
        long window = millis(flags.getOrDefault("window", "8s"));
        int windows = Integer.parseInt(flags.getOrDefault("windows", "3"));
        boolean batched = Boolean.parseBoolean(flags.getOrDefault("batch", "false"));

        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "fanout", ConfigFactory.parseString(
                // As on a node (application.conf): idle WebSockets are pinged.
                "pekko.http.server.websocket.periodic-keep-alive-max-idle = 15s\n"
                        + "pekko.http.server.backlog = 1024\npekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
        // behind-tick = tick: this measures what an update costs at the full pace (and no pipeline runs here to be behind).
        HubSettings settings = new HubSettings(TICK, TICK, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(5), 64, 32, Duration.ofSeconds(15), 100_000,
                WindowSize.FIVE_MINUTES, 10, List.of());
        LiveHub hub = LiveHub.start(system, settings, List.of("product_id", "country"), HubFanout::changingEveryTick,
                Optional.empty(), key -> API_KEY.equals(key) ? Optional.of("demo") : Optional.empty(), () -> NodeLoad.IDLE,
                Clock.systemUTC());
        ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(hub.route())
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        URI uri = URI.create("ws://127.0.0.1:" + binding.localAddress().getPort() + "/api/v1/stream/metrics"
                + (batched ? "?batch=true" : ""));
        try (HubSubscribers subscribers = new HubSubscribers(uri, API_KEY, DASHBOARD, clients, 4)) {
            if (!subscribers.awaitReady(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException(subscribers.notReady() + " subscribers got no snapshots within 120 s");
            }
            Thread.sleep(warmup);
            double[] perUpdate = new double[windows];
            for (int w = 0; w < windows; w++) {
                perUpdate[w] = measure(subscribers, window);
            }
            Arrays.sort(perUpdate);
            System.out.printf(Locale.ROOT, "median_us_per_update=%.2f%n", perUpdate[windows / 2]);
        } finally {
            binding.unbind();
            system.terminate();
        }
    }

    /** Server CPU µs per update received, over one window; prints the window's figures. */
    private static double measure(HubSubscribers subscribers, long window) throws InterruptedException {
        Map<Long, long[]> before = threadCpu();
        long updates0 = subscribers.updates();
        Thread.sleep(window);
        long updates = subscribers.updates() - updates0;
        Map<Long, long[]> after = threadCpu();
        long server = 0;
        long client = 0;
        long dispatchers = 0;
        for (Map.Entry<Long, long[]> thread : after.entrySet()) {
            long[] earlier = before.getOrDefault(thread.getKey(), new long[] {0, thread.getValue()[1]});
            long spent = thread.getValue()[0] - earlier[0];
            if (thread.getValue()[1] == SUBSCRIBER) {
                client += spent;
            } else {
                server += spent;
                dispatchers += thread.getValue()[1] == DISPATCHER ? spent : 0;
            }
        }
        double perUpdate = server / 1000.0 / updates;
        System.out.printf(Locale.ROOT, "window: %d updates (%.0f/s), server CPU %.0f ms = %.2f us/update (dispatchers %.2f),"
                + " subscribers %.2f us/update%n", updates, updates * 1000.0 / window, server / 1e6, perUpdate,
                dispatchers / 1000.0 / updates, client / 1000.0 / updates);
        return perUpdate;
    }

    /** Thread id → {CPU ns, {@link #SUBSCRIBER}, {@link #DISPATCHER} or 0}; this (the measuring) thread is left out. */
    private static Map<Long, long[]> threadCpu() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<Long, long[]> cpu = new HashMap<>();
        long self = Thread.currentThread().getId();
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null || info.getThreadId() == self) {
                continue;
            }
            long nanos = threads.getThreadCpuTime(info.getThreadId());
            if (nanos >= 0) {
                String name = info.getThreadName();
                cpu.put(info.getThreadId(), new long[] {nanos,
                        name.startsWith(SUBSCRIBER_THREAD) ? SUBSCRIBER : name.contains("dispatcher") ? DISPATCHER : 0});
            }
        }
        return cpu;
    }

    /**
     * Every window of the range, one group (or {@link #GROUPS} when grouped); the last window's value is
     * the tick number, so every series changes at every tick, as a busy shop's do.
     */
    private static CompletionStage<List<MetricSeries>> changingEveryTick(MetricQuery query) {
        long step = query.cellSize().millis();
        long tick = System.currentTimeMillis() / TICK.toMillis();
        int groups = query.groupBy().isNone() ? 1 : GROUPS;
        List<MetricSeries> series = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            List<MetricSeries.Point> points = new ArrayList<>();
            for (long start = query.cellsFrom(); start < query.end(); start += step) {
                boolean last = start + step >= query.end();
                points.add(new MetricSeries.Point(start, last ? tick + g : 100 + g, 10));
            }
            series.add(new MetricSeries(groups == 1 ? null : "product-" + g, points));
        }
        return CompletableFuture.completedFuture(series);
    }

    private static long millis(String duration) throws Options.BadFlagException {
        return Options.parseDuration("duration", duration, 1, Long.MAX_VALUE / 4);
    }
}
