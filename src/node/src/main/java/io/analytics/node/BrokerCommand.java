package io.analytics.node;

import io.analytics.node.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./analytics broker [--dir D] [--port N]}: a single-node Kafka broker (KRaft) for nodes started
 * with {@code ./analytics node} on one machine, as in the cluster benchmark or to try a cluster out. One
 * replica and no security: not for production. Its log lives in {@code D} (default {@code ./data/broker})
 * and survives a restart; SIGTERM stops it.
 */
public final class BrokerCommand {

    private static final String USAGE = "usage: analytics broker [--dir ./data/broker] [--port 9092]";

    private BrokerCommand() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("data", "broker");
        int port = 9092;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--dir") && i + 1 < args.length) {
                dir = Path.of(args[++i]);
            } else if (args[i].equals("--port") && i + 1 < args.length && args[i + 1].matches("\\d{1,5}")) {
                port = Integer.parseInt(args[++i]);
            } else {
                System.err.println(USAGE);
                System.exit(2);
            }
        }
        EmbeddedKafka kafka = EmbeddedKafka.start(dir, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "broker-shutdown"));
        System.out.println("analytics: broker ready " + kafka.bootstrapServers());
        stopped.await();
    }
}
