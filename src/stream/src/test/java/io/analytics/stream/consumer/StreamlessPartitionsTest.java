package io.analytics.stream.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamlessPartitionsTest {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private final StreamlessPartitions partitions = new StreamlessPartitions(Duration.ofSeconds(5));

    @Test
    void aPositionedPartitionWithoutAStreamIsOverdueOnlyAfterTheDeadline() {
        partitions.positioned(List.of(3, 1), 0);

        assertThat(partitions.overdue(4 * SECOND)).isEmpty();
        assertThat(partitions.overdue(5 * SECOND)).containsExactly(1, 3);
    }

    @Test
    void aStartedStreamSettlesItsPartition() {
        partitions.positioned(List.of(0, 1), 0);
        partitions.started(0);

        assertThat(partitions.overdue(10 * SECOND)).containsExactly(1);
    }

    @Test
    void positioningAPartitionThatIsStreamingOwesNothing() {
        partitions.started(2);
        partitions.positioned(List.of(2), 0);

        assertThat(partitions.overdue(10 * SECOND)).isEmpty();
    }

    @Test
    void aPartitionWhoseStreamEndedIsOwedOneWhenPositionedAgain() {
        partitions.started(2);
        partitions.ended(2);
        partitions.positioned(List.of(2), 0);

        assertThat(partitions.overdue(10 * SECOND)).containsExactly(2);
    }

    @Test
    void theOldConsumersStreamEndingDoesNotHideTheNewOnesLoss() {
        partitions.started(4);
        partitions.restarted();
        partitions.started(4);
        partitions.ended(4);
        partitions.positioned(List.of(4), 0);

        assertThat(partitions.overdue(10 * SECOND)).isEmpty();
        partitions.ended(4);
        partitions.positioned(List.of(4), 20 * SECOND);
        assertThat(partitions.overdue(30 * SECOND)).containsExactly(4);
    }

    @Test
    void aRevokedPartitionIsNotOwedAStream() {
        partitions.positioned(List.of(0, 1), 0);
        partitions.revoked(List.of(1));

        assertThat(partitions.overdue(10 * SECOND)).containsExactly(0);
    }

    @Test
    void aRestartedConsumerOwesNothingUntilPositionedAgain() {
        partitions.positioned(List.of(0), 0);
        partitions.restarted();

        assertThat(partitions.overdue(10 * SECOND)).isEmpty();
    }

    @Test
    void positioningAgainRestartsTheClock() {
        partitions.positioned(List.of(0), 0);
        partitions.positioned(List.of(0), 4 * SECOND);

        assertThat(partitions.overdue(6 * SECOND)).isEmpty();
        assertThat(partitions.overdue(9 * SECOND)).containsExactly(0);
    }
}
