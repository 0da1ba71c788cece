package io.analytics.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class EventCounterTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void countsByTypeAndFoldsTypesBeyondTheLimitIntoOther() {
        EventCounter counter = new EventCounter(registry, "analytics.events.test", "test", 2);
        counter.increment("page_view", 3);
        counter.increment("purchase", 1);
        counter.increment("spam_1", 5);
        counter.increment("spam_2", 1);
        counter.increment("page_view", 1);
        counter.increment(null, 2);

        assertThat(count("page_view")).isEqualTo(4);
        assertThat(count("purchase")).isEqualTo(1);
        assertThat(count(EventCounter.OTHER)).isEqualTo(8);
        assertThat(registry.find("analytics.events.test").tag("type", "spam_1").counter()).isNull();
    }

    private double count(String type) {
        return registry.get("analytics.events.test").tag("type", type).counter().count();
    }
}
