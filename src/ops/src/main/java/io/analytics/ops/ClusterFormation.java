package io.analytics.ops;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * How a node finds its cluster, in order of preference: Pekko Management cluster bootstrap (contact points
 * discovered through the Kubernetes API, see {@code pekko.management} in application.conf) when enabled;
 * otherwise the configured seed nodes; otherwise it joins itself and is a cluster of one.
 */
public final class ClusterFormation {

    private ClusterFormation() {}

    /** Starts joining and returns once this node is an Up member; fails after {@code timeout}. */
    public static void join(ActorSystem<?> system, boolean bootstrap, Duration timeout) throws InterruptedException {
        Cluster cluster = Cluster.get(system);
        if (bootstrap) {
            PekkoManagement.get(system).start().toCompletableFuture().join();
            ClusterBootstrap.get(system).start();
        } else if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (cluster.selfMember().status() != MemberStatus.up()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("this node did not become an Up member of the cluster within " + timeout
                        + (bootstrap ? " (cluster bootstrap: are the other pods' management endpoints reachable?)" : ""));
            }
            Thread.sleep(50);
        }
    }
}
