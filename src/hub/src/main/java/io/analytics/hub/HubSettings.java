package io.analytics.hub;

import com.typesafe.config.Config;
import io.analytics.core.window.WindowSize;
import java.time.Duration;
import java.util.List;

/** The {@code analytics.hub} section of the configuration, typed. Reading it fails fast on a bad value. */
public record HubSettings(
        Duration tick,
        Duration behindTick,
        Duration behindStoreTime,
        Duration behindDelay,
        Duration funnelEvery,
        int clientMaxNotices,
        int clientMaxSeries,
        Duration keepAlive,
        double revenueTarget,
        WindowSize activeUsersWindow,
        int topLimit,
        List<Config> alerts) {

    public HubSettings {
        if (behindTick.compareTo(tick) < 0) {
            throw new IllegalArgumentException("analytics.hub.behind-tick (" + behindTick + ") must be at least tick (" + tick + ")");
        }
        if (notPositive(behindStoreTime) || notPositive(behindDelay)) {
            throw new IllegalArgumentException("analytics.hub.behind-store-time and behind-delay must be positive: "
                    + behindStoreTime + ", " + behindDelay);
        }
        if (clientMaxSeries < 1 || topLimit < 1) {
            throw new IllegalArgumentException("analytics.hub: client limits and top-limit must be at least 1");
        }
        alerts = List.copyOf(alerts);
    }

    private static boolean notPositive(Duration duration) {
        return duration.isNegative() || duration.isZero();
    }

    public static HubSettings from(Config root) {
        Config c = root.getConfig("analytics.hub");
        return new HubSettings(
                c.getDuration("tick"),
                c.getDuration("behind-tick"),
                c.getDuration("behind-store-time"),
                c.getDuration("behind-delay"),
                c.getDuration("funnel-every"),
                c.getInt("client.max-notices"),
                c.getInt("client.max-series"),
                c.getDuration("keep-alive"),
                c.getDouble("revenue-target"),
                WindowSize.fromCode(c.getString("active-users-window")),
                c.getInt("top-limit"),
                List.copyOf(c.getConfigList("alerts")));
    }
}
