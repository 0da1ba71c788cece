package io.analytics.hub;

import com.typesafe.config.Config;
import io.analytics.core.window.WindowSize;
import java.time.Duration;
import java.util.List;

/** The {@code analytics.hub} section of the configuration, typed. Reading it fails fast on a bad value. */
public record HubSettings(
        Duration tick,
        Duration busyTick,
        double busyCpu,
        Duration funnelEvery,
        int clientMaxNotices,
        int clientMaxSeries,
        Duration keepAlive,
        double revenueTarget,
        WindowSize activeUsersWindow,
        int topLimit,
        List<Config> alerts) {

    public HubSettings {
        if (busyTick.compareTo(tick) < 0) {
            throw new IllegalArgumentException("analytics.hub.busy-tick (" + busyTick + ") must be at least tick (" + tick + ")");
        }
        if (!(busyCpu > 0 && busyCpu <= 1)) {
            throw new IllegalArgumentException("analytics.hub.busy-cpu must be a share of the CPUs, over 0 and at most 1: " + busyCpu);
        }
        if (clientMaxSeries < 1 || topLimit < 1) {
            throw new IllegalArgumentException("analytics.hub: client limits and top-limit must be at least 1");
        }
        alerts = List.copyOf(alerts);
    }

    public static HubSettings from(Config root) {
        Config c = root.getConfig("analytics.hub");
        return new HubSettings(
                c.getDuration("tick"),
                c.getDuration("busy-tick"),
                c.getDouble("busy-cpu"),
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
