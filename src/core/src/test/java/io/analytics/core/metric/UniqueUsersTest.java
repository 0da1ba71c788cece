package io.analytics.core.metric;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UniqueUsersTest {

    private static final int N = 100_000;

    @Test
    void errorAtMostTwoPercentAtOneHundredThousandUsers() {
        UniqueUsers users = UniqueUsers.empty();
        for (int i = 0; i < N; i++) {
            users.add(UniqueUsers.hash("user_" + i));
            users.add(UniqueUsers.hash("user_" + i)); // repeats must not count
        }
        assertThat(Math.abs(users.estimate() - N) / N).isLessThanOrEqualTo(0.02);
    }

    @Test
    void mergeOfOverlappingSketchesEstimatesTheUnion() {
        UniqueUsers a = UniqueUsers.empty();
        UniqueUsers b = UniqueUsers.empty();
        for (int i = 0; i < 70_000; i++) {
            a.add(UniqueUsers.hash("user_" + i));
        }
        for (int i = 30_000; i < N; i++) {
            b.add(UniqueUsers.hash("user_" + i));
        }
        // union is 100,000; the sum of the parts would be 140,000
        UniqueUsers union = UniqueUsers.empty();
        union.merge(a.toBytes());
        union.merge(b.toBytes());
        assertThat(Math.abs(union.estimate() - N) / N).isLessThanOrEqualTo(0.02);

        UniqueUsers restored = UniqueUsers.fromBytes(a.toBytes());
        restored.merge(b.toBytes());
        assertThat(Math.abs(restored.estimate() - N) / N).isLessThanOrEqualTo(0.02);
    }

    @Test
    void smallSetsAreExact() {
        UniqueUsers users = UniqueUsers.empty();
        assertThat(users.isEmpty()).isTrue();
        assertThat(users.estimate()).isZero();
        for (int i = 0; i < 500; i++) {
            users.add(UniqueUsers.hash("u" + (i % 250)));
            if (i < 250) {
                assertThat(Math.round(users.estimate())).isEqualTo(i + 1);
            }
        }
        assertThat(users.isEmpty()).isFalse();
        assertThat(Math.round(users.estimate())).isEqualTo(250);
    }

    @Test
    void serialisedFormRoundTrips() {
        UniqueUsers users = UniqueUsers.empty();
        for (int i = 0; i < 5_000; i++) {
            users.add(UniqueUsers.hash("user_" + i));
        }
        UniqueUsers restored = UniqueUsers.fromBytes(users.toBytes());
        assertThat(restored.estimate()).isEqualTo(users.estimate());
        restored.add(UniqueUsers.hash("user_0"));
        assertThat(restored.estimate()).isEqualTo(users.estimate());
    }
}
