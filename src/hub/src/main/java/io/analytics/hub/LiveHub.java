package io.analytics.hub;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;
import static io.analytics.api.ApiResponses.error;
import static io.analytics.api.ApiResponses.json;

import io.analytics.api.ApiResponses;
import io.analytics.core.project.ProjectDirectory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The live hub of one node: the series registry and its three doors (plain WebSocket, Server-Sent
 * Events, SignalR), the hub's statistics, and the dashboard page.
 */
public final class LiveHub extends AllDirectives {

    private final HubSettings settings;
    private final ProjectDirectory projects;
    private final SeriesCatalog catalog;
    private final ActorRef<LiveSeries.Command> registry;
    private final ActorSystem<?> system;
    private final Materializer materializer;
    private final LongAdder dropped = new LongAdder();

    private LiveHub(ActorSystem<?> system, HubSettings settings, List<String> dimensions, MetricSource metrics,
            Optional<FunnelSource> funnels, ProjectDirectory projects, Supplier<NodeLoad> load, Clock clock) {
        this.system = system;
        this.settings = settings;
        this.projects = projects;
        this.catalog = new SeriesCatalog(settings, dimensions, funnels.isPresent());
        this.materializer = Materializer.matFromSystem(system);
        // Without a funnel source the catalog offers no funnel series, so the registry never asks for one.
        this.registry = system.systemActorOf(LiveSeries.create(metrics, funnels.orElse(null), settings.tick(),
                        new TickPace(settings.tick(), settings.behindTick(), settings.behindStoreTime(), settings.behindDelay()),
                        load, clock, dropped),
                "live-series", Props.empty());
    }

    /**
     * @param dimensions the configured pre-aggregated dimensions; must include product_id and country
     * @param funnels empty when the node records no user journeys: {@code funnel_today} then answers an error
     * @param load how far this node is behind what it is sent; while it is over {@code analytics.hub.behind-store-time}
     *     or {@code behind-delay} the hub slows to its behind tick
     */
    public static LiveHub start(ActorSystem<?> system, HubSettings settings, List<String> dimensions,
            MetricSource metrics, Optional<FunnelSource> funnels, ProjectDirectory projects,
            Supplier<NodeLoad> load, Clock clock) {
        return new LiveHub(system, settings, dimensions, metrics, funnels, projects, load, clock);
    }

    public Route route() {
        return concat(
                new StreamRoutes(this).route(),
                new SignalRHub(this).route(),
                path(segment("api").slash("v1").slash("stream").slash("stats"), () -> get(() ->
                        authenticated(project -> completeWithFuture(stats())))),
                new DashboardRoutes().route());
    }

    /**
     * Registers {@code analytics.hub.subscribers} and {@code analytics.hub.dropped.updates}. The count of
     * clients lives in the registry actor, so each read of the gauge asks for a fresh one and shows the
     * count as of the read before: one scrape interval behind.
     */
    public void bindTo(MeterRegistry meters) {
        AtomicInteger clients = new AtomicInteger();
        Gauge.builder("analytics.hub.subscribers", clients, c -> {
                    statistics().thenAccept(stats -> c.set(stats.clients()));
                    return c.get();
                })
                .description("clients (WebSocket, SSE, SignalR) connected to this node's live hub")
                .register(meters);
        FunctionCounter.builder("analytics.hub.dropped.updates", dropped, LongAdder::sum)
                .description("updates a slow client did not get because a newer value superseded them")
                .register(meters);
    }

    /** Numbers for operators and benchmarks: connected clients, series evaluated per tick, updates dropped. */
    public CompletionStage<LiveSeries.Stats> statistics() {
        return AskPattern.ask(registry, LiveSeries.GetStats::new, Duration.ofSeconds(5), system.scheduler());
    }

    private CompletionStage<org.apache.pekko.http.javadsl.model.HttpResponse> stats() {
        return statistics().thenApply(stats -> json(StatusCodes.OK, LiveJson.JSON.createObjectNode()
                .put("clients", stats.clients())
                .put("series", stats.series())
                .put("dropped_updates", stats.droppedUpdates())
                .put("behind", stats.behind())));
    }

    HubSettings settings() {
        return settings;
    }

    Set<String> seriesNames() {
        return catalog.names();
    }

    HubConnection connect(String project) {
        ClientOutbox outbox = new ClientOutbox(settings.clientMaxNotices(), dropped);
        return new HubConnection(project, outbox, registry, catalog, settings.clientMaxSeries());
    }

    /**
     * Runs {@code inner} for the project of the request's API key, taken from the {@code X-API-Key}
     * header, an {@code Authorization: Bearer} header, or the {@code api_key} / {@code access_token}
     * query parameter (browsers cannot set headers on WebSockets or EventSource).
     */
    Route authenticated(Function<String, Route> inner) {
        return optionalHeaderValueByName(ApiResponses.API_KEY_HEADER, header ->
                optionalHeaderValueByName("Authorization", authorization ->
                        parameterOptional("api_key", apiKey ->
                                parameterOptional("access_token", accessToken -> {
                                    Optional<String> key = header
                                            .or(() -> authorization.filter(a -> a.startsWith("Bearer ")).map(a -> a.substring(7)))
                                            .or(() -> apiKey)
                                            .or(() -> accessToken);
                                    if (key.isEmpty()) {
                                        return complete(error(StatusCodes.UNAUTHORIZED,
                                                "missing API key (X-API-Key header, Bearer token or api_key parameter)"));
                                    }
                                    return projects.projectForApiKey(key.get())
                                            .map(inner)
                                            .orElseGet(() -> complete(error(StatusCodes.UNAUTHORIZED, "unknown API key")));
                                }))));
    }

    /** The text of each client message, whole; a binary message becomes "" (no protocol of ours is binary). */
    Flow<Message, String, NotUsed> inboundText() {
        return Flow.<Message>create().mapAsync(1, message -> {
            if (message.isText()) {
                return message.asTextMessage().getStreamedText()
                        .runWith(Sink.fold(new StringBuilder(), StringBuilder::append), materializer)
                        .thenApply(StringBuilder::toString);
            }
            return message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer).thenApply(done -> "");
        });
    }
}
