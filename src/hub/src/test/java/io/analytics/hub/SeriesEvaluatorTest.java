package io.analytics.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.analytics.core.metric.Metric;
import io.analytics.core.metric.MetricSeries;
import io.analytics.core.window.WindowSize;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SeriesEvaluatorTest {

    @Test
    void identicalQueriesRunningAtOnceAskThePipelineOnce() {
        AtomicInteger asked = new AtomicInteger();
        CompletableFuture<List<MetricSeries>> answer = new CompletableFuture<>();
        SeriesEvaluator evaluator = new SeriesEvaluator(query -> {
            asked.incrementAndGet();
            return answer;
        }, null);
        SeriesSpec.Timeline orders = new SeriesSpec.Timeline("orders", Metric.ORDERS, WindowSize.ONE_MINUTE, null, null,
                new LiveRange.Last(Duration.ofHours(1)), null);
        var first = evaluator.evaluate("p", orders, 7_200_000).toCompletableFuture();
        var second = evaluator.evaluate("p", orders, 7_200_001).toCompletableFuture();
        assertThat(asked).hasValue(1);
        answer.complete(List.of(new MetricSeries(null, List.of(new MetricSeries.Point(3_600_000, 2, 2)))));
        assertThat(first.join()).isEqualTo(second.join());
        // Once answered, the next evaluation asks again: nothing is cached beyond the running query.
        evaluator.evaluate("p", orders, 7_200_002);
        assertThat(asked).hasValue(2);
    }
}
