/**
 * The live hub: named metric series pushed to dashboards over a plain WebSocket
 * ({@code /api/v1/stream/metrics}), Server-Sent Events ({@code /api/v1/stream/metrics.sse}) and the
 * SignalR JSON hub protocol ({@code /hubs/metrics}), and the dashboard page at {@code /}.
 *
 * <p><b>Where values come from.</b> Each node runs one {@link io.analytics.hub.LiveSeries} registry.
 * Every tick (250 ms by default; every second while the node is behind what it is sent, see
 * {@link io.analytics.hub.TickPace}) it evaluates each distinct subscribed series of each project once,
 * as metric queries through the query module's {@code MetricsService}, which asks every partition
 * entity of the cluster (wherever Cluster Sharding placed it) and reads the closed-window read model.
 * The value is diffed against the previous tick's, and the change (a late event shows up as a changed
 * old point) goes to every subscriber of the series on this node. Fan-out is therefore cluster-wide
 * by construction: an event applied on any node is in the state every node's queries read, so no
 * second distribution path (distributed pub-sub of deltas) has to be kept consistent with the
 * metrics API, and a node serves live values exactly as {@code GET /api/v1/metrics} answers them.
 * The cost is one query per distinct series per tick per node, independent of the number of
 * subscribers (identical queries running at once, such as an alert's source and the series it
 * watches, share one answer); a series whose query is still running skips ticks instead of piling up.
 * What reaches subscribers is per series too: each update is one immutable object whose JSON is
 * rendered once and shared by every connection, and the changes of one tick reach a client as one
 * hand-over, so its connection wakes once per tick and its frames leave in one socket write. The
 * outbox encodes them itself (no stages after it but the protocol's), and where the protocol allows,
 * a tick's changes go as one message (SignalR always, several records in one frame; the plain
 * WebSocket with {@code ?batch=true}, as {@code metrics_updates}), which spares every further message
 * its trip through pekko-http's WebSocket stages. Most of what a client costs is per tick rather than
 * per message, though: waking its connection's stream and the socket write with its acknowledgements,
 * each a message between pekko's actors.
 * {@code funnel_today} comes from a {@link io.analytics.hub.FunnelSource} (the computation of
 * {@code GET /api/v1/funnels}) every few seconds instead of every tick: it reads the day's user events.
 *
 * <p><b>Slow clients.</b> The registry hands an update to a client by a non-blocking offer into its
 * {@link io.analytics.hub.ClientOutbox}, the source of the client's connection stream; while the
 * client's socket pushes back, a newer update of a series replaces the unsent one by the snapshot of
 * the newer value. A client therefore never holds more than one pending update per series, never
 * slows the tick or other clients, loses only superseded intermediate values, and is told so by a
 * {@code lagging} message; every update it did not get is counted ({@code /api/v1/stream/stats}).
 *
 * <p>Public surface: {@link io.analytics.hub.LiveHub} (start, route, statistics),
 * {@link io.analytics.hub.HubSettings}, {@link io.analytics.hub.MetricSource}. Depends on the core
 * (metrics, windows), the api module (JSON answers, keys) and nothing of the pipeline but a
 * {@link io.analytics.hub.MetricSource}. {@link io.analytics.hub.AlertRules} is pure.
 */
package io.analytics.hub;
