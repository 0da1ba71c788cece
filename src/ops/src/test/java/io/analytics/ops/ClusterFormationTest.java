package io.analytics.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/**
 * Cluster bootstrap as the nodes run it on Kubernetes (Pekko Management HTTP, contact-point probing, a new
 * cluster formed by the lowest contact point), with the contact points listed in config instead of found
 * through the Kubernetes API, which needs a cluster of its own.
 */
class ClusterFormationTest {

    @Test
    void aNodeFormsTheClusterThroughBootstrapWhenItIsTheOnlyContactPoint() throws Exception {
        int management = freePort();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bootstrap", ConfigFactory.parseMap(Map.of(
                        "pekko.actor.provider", "cluster",
                        "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                        "pekko.remote.artery.canonical.port", 0,
                        "pekko.management.http.hostname", "127.0.0.1",
                        "pekko.management.http.port", management,
                        "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method", "config",
                        "pekko.management.cluster.bootstrap.contact-point-discovery.service-name", "analytics",
                        "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr", 1,
                        "pekko.management.cluster.bootstrap.contact-point-discovery.stable-margin", "1s",
                        "pekko.discovery.config.services.analytics.endpoints",
                        List.of(Map.of("host", "127.0.0.1", "port", management))))
                .withFallback(ConfigFactory.load()));
        try {
            assertThat(Cluster.get(system).selfMember().status()).isNotEqualTo(MemberStatus.up());
            ClusterFormation.join(system, true, Duration.ofSeconds(60));
            assertThat(Cluster.get(system).selfMember().status()).isEqualTo(MemberStatus.up());
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
