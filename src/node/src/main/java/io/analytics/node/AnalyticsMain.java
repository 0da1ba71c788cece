package io.analytics.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Entry point of the launcher: {@code up} (embedded default) or {@code node} (external Kafka and
 * PostgreSQL), with {@code --port N} and {@code --config FILE}.
 */
public final class AnalyticsMain {

    /** The exit status of a node that the cluster downed. */
    static final int EXIT_DOWNED = 3;

    private AnalyticsMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !(args[0].equals("up") || args[0].equals("node"))) {
            System.err.println("usage: analytics (up|node) [--port N] [--config FILE]");
            System.exit(2);
        }
        Config config;
        try {
            config = load(args);
        } catch (IllegalArgumentException e) {
            System.err.println("analytics: " + e.getMessage());
            System.exit(2);
            return;
        }
        long started = System.nanoTime();
        AnalyticsNode node;
        try {
            node = AnalyticsNode.start(config, line -> System.out.println("analytics: " + line));
        } catch (Exception e) {
            System.err.println("analytics: failed to start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopRequested = new AtomicBoolean();
        node.addJvmShutdownHook(() -> {
            stopRequested.set(true);
            System.out.println("analytics: stopping");
            node.close();
            System.out.println("analytics: stopped");
            stopped.countDown();
        });
        exitWhenDowned(node, stopRequested);
        if (args[0].equals("up")) {
            System.out.println("analytics: project 'demo' API key: " + node.demoApiKey());
        }
        System.out.printf("analytics: ready %s (started in %.1f s)%n", node.url(), (System.nanoTime() - started) / 1e9);
        stopped.await();
    }

    /**
     * A node the cluster downed has stopped its actor system, and with it HTTP and the consumers; the
     * process exits, with status 3, so that a supervisor (Kubernetes, systemd) starts a fresh one that
     * joins again, instead of leaving a live process that serves nothing.
     */
    private static void exitWhenDowned(AnalyticsNode node, AtomicBoolean stopRequested) {
        node.whenTerminated().thenAccept(reason -> {
            if (!stopRequested.get()) {
                System.out.println("analytics: the cluster stopped this node (" + reason + "); exiting");
                System.exit(EXIT_DOWNED);
            }
        });
    }

    /**
     * System properties, then {@code --port}, then {@code --config FILE}, then the mode's file
     * (embedded.conf or application.conf), then the libraries' reference.conf; resolved last, so
     * a value set in FILE also reaches every setting derived from it.
     */
    private static Config load(String[] args) {
        Config overrides = ConfigFactory.empty();
        Config file = ConfigFactory.empty();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> overrides = overrides.withValue("analytics.http.port",
                        ConfigValueFactory.fromAnyRef(port(value(args, ++i, "--port"))));
                case "--config" -> file = ConfigFactory.parseFile(existing(value(args, ++i, "--config")));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return ConfigFactory.systemProperties()
                .withFallback(overrides)
                .withFallback(file)
                .withFallback(ConfigFactory.parseResources(args[0].equals("up") ? "embedded.conf" : "application.conf"))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be a number from 0 to 65535, got '" + text + "'");
        }
    }

    private static File existing(String path) {
        File file = new File(path);
        if (!file.isFile()) {
            throw new IllegalArgumentException("--config: no such file " + path);
        }
        return file;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
