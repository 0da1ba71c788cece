package io.analytics.ops;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Whether this node should receive traffic: it is an Up member of the cluster and not shutting down, its
 * consumer has joined its group and resumed every partition the group assigned to it, and those partitions
 * are behind the log by at most the configured number of records, as measured recently.
 */
public final class Readiness {

    /** One condition, with what was seen. */
    public record Check(String name, boolean ok, String detail) {}

    public record Report(boolean ready, List<Check> checks) {}

    private final ActorSystem<?> system;
    private final Supplier<ConsumerLag.Snapshot> lag;
    private final long maxLag;
    private final Duration staleAfter;
    private final Clock clock;

    public Readiness(ActorSystem<?> system, Supplier<ConsumerLag.Snapshot> lag, long maxLag, Duration staleAfter, Clock clock) {
        this.system = system;
        this.lag = lag;
        this.maxLag = maxLag;
        this.staleAfter = staleAfter;
        this.clock = clock;
    }

    public Report check() {
        ConsumerLag.Snapshot snapshot = lag.get();
        List<Check> checks = List.of(cluster(), consumer(snapshot), caughtUp(snapshot));
        return new Report(checks.stream().allMatch(Check::ok), checks);
    }

    private Check cluster() {
        if (CoordinatedShutdown.get(system).getShutdownReason().isPresent()) {
            return new Check("cluster", false, "the node is shutting down");
        }
        Member self = Cluster.get(system).selfMember();
        return new Check("cluster", self.status() == MemberStatus.up(), "this node is " + self.status() + " at " + self.address());
    }

    private Check consumer(ConsumerLag.Snapshot snapshot) {
        if (snapshot.at() == null) {
            return new Check("consumer", false, "no lag measurement yet");
        }
        Duration age = Duration.between(snapshot.at(), clock.instant());
        if (age.compareTo(staleAfter) > 0) {
            return new Check("consumer", false, "last lag measurement is " + age.toMillis() + " ms old; is the broker reachable?");
        }
        if (!snapshot.membership().joined()) {
            return new Check("consumer", false, "the consumer has not joined its group yet");
        }
        if (snapshot.unassignedPartitions() > 0) {
            return new Check("consumer", false, "the group has not assigned " + snapshot.unassignedPartitions()
                    + " partitions to any member yet");
        }
        if (snapshot.resuming() > 0) {
            return new Check("consumer", false, "resuming " + snapshot.resuming() + " of "
                    + snapshot.membership().assignedPartitions() + " assigned partitions");
        }
        if (!snapshot.notTakenUp().isEmpty()) {
            return new Check("consumer", false, "the group assigned partitions " + snapshot.notTakenUp()
                    + " to this consumer, which is not consuming them yet");
        }
        return new Check("consumer", true, "consuming partitions " + new TreeSet<>(snapshot.lagByPartition().keySet()));
    }

    private Check caughtUp(ConsumerLag.Snapshot snapshot) {
        long total = snapshot.totalLag();
        return new Check("lag", snapshot.at() != null && total <= maxLag, total + " records behind (at most " + maxLag + ")");
    }
}
