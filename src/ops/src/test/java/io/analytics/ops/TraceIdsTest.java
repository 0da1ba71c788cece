package io.analytics.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TraceIdsTest {

    @Test
    void takesTheTraceIdOfAValidTraceparent() {
        assertThat(TraceIds.fromTraceparent(Optional.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")))
                .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void startsANewTraceWithoutAUsableHeader() {
        for (String header : new String[] {"", "garbage", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01"}) {
            String id = TraceIds.fromTraceparent(Optional.of(header));
            assertThat(id).as(header).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
        }
        assertThat(TraceIds.fromTraceparent(Optional.empty())).matches("[0-9a-f]{32}");
        assertThat(TraceIds.newTraceId()).isNotEqualTo(TraceIds.newTraceId());
    }
}
