package io.analytics.ops;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code analytics.ops} and {@code analytics.cluster} sections of the configuration, typed. */
public record OpsSettings(
        long readyMaxConsumerLag,
        Duration consumerLagInterval,
        LogFormat logFormat,
        boolean clusterBootstrap,
        Duration joinTimeout) {

    public OpsSettings {
        if (readyMaxConsumerLag < 0) {
            throw new IllegalArgumentException("analytics.ops.ready.max-consumer-lag must be >= 0, got " + readyMaxConsumerLag);
        }
        if (consumerLagInterval.isNegative() || consumerLagInterval.isZero()) {
            throw new IllegalArgumentException("analytics.ops.consumer-lag-interval must be positive, got " + consumerLagInterval);
        }
    }

    public static OpsSettings from(Config root) {
        Config ops = root.getConfig("analytics.ops");
        Config cluster = root.getConfig("analytics.cluster");
        return new OpsSettings(
                ops.getLong("ready.max-consumer-lag"),
                ops.getDuration("consumer-lag-interval"),
                LogFormat.parse(ops.getString("log-format")),
                cluster.getBoolean("bootstrap"),
                cluster.getDuration("join-timeout"));
    }

    /** Lag figures older than this no longer vouch for the consumer (a few missed polls: the broker is unreachable). */
    public Duration consumerLagStaleAfter() {
        return consumerLagInterval.multipliedBy(3);
    }
}
