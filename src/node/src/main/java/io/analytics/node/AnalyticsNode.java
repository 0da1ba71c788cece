package io.analytics.node;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.reject;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.typesafe.config.Config;
import io.analytics.hub.HubSettings;
import io.analytics.core.journey.Funnel;
import io.analytics.hub.FunnelSource;
import io.analytics.hub.LiveHub;
import io.analytics.hub.NodeLoad;
import io.analytics.core.window.WindowSize;
import io.analytics.ingest.AcceptedEventIds;
import io.analytics.ingest.AcceptedEventIdsLoader;
import io.analytics.ingest.EventIngest;
import io.analytics.ingest.EventPublisher;
import io.analytics.ingest.IngestRoutes;
import io.analytics.ingest.ProjectRateLimiter;
import io.analytics.lake.LakeRoutes;
import io.analytics.lake.LakeSettings;
import io.analytics.lake.archive.Archiver;
import io.analytics.lake.batch.BatchRecompute;
import io.analytics.lake.batch.BatchViewStore;
import io.analytics.lake.batch.Reconciliation;
import io.analytics.lake.batch.Replay;
import io.analytics.lake.store.ObjectStore;
import io.analytics.node.kafka.EmbeddedKafka;
import io.analytics.ops.ClusterFormation;
import io.analytics.ops.ConsumerLag;
import io.analytics.ops.OpsRoutes;
import io.analytics.ops.OpsSettings;
import io.analytics.ops.Readiness;
import io.analytics.ops.Telemetry;
import io.analytics.orders.OrderEntity;
import io.analytics.orders.OrderJournal;
import io.analytics.orders.OrderRoutes;
import io.analytics.projections.ClosedWindowsProjection;
import io.analytics.projections.MetricCellStore;
import io.analytics.projections.OrderEventsProjection;
import io.analytics.projections.OrderProjection;
import io.analytics.projections.OrderReadModelRebuild;
import io.analytics.projections.OrderReadModels;
import io.analytics.projections.OrderViews;
import io.analytics.projections.PlainJdbcSession;
import io.analytics.projections.ProjectionLag;
import io.analytics.query.Funnels;
import io.analytics.query.JourneyRoutes;
import io.analytics.query.MetricsRoutes;
import io.analytics.query.MetricsService;
import io.analytics.query.ProjectionAdminRoutes;
import io.analytics.query.ReadModelRoutes;
import io.analytics.query.TopRoutes;
import io.analytics.query.WatermarkRoutes;
import io.analytics.journeys.JourneyRecorder;
import io.analytics.journeys.UserEventStore;
import io.analytics.stream.consumer.PartitionConsumer;
import io.analytics.stream.metrics.MetricPartition;
import io.analytics.stream.metrics.PartitionShards;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * One running node: wires ingest, stream processing and query onto one actor system, in the order
 * that lets each part find what it needs, and stops them in the reverse order.
 */
public final class AnalyticsNode implements AutoCloseable {

    private final NodeSettings settings;
    private final Consumer<String> console;
    private EmbeddedKafka kafka;
    private Database database;
    private ActorSystem<Void> system;
    private EventPublisher publisher;
    private PartitionConsumer consumer;
    private JourneyRecorder journeyRecorder;
    private final Telemetry telemetry = new Telemetry();
    private ConsumerLag consumerLag;
    private ObjectStore lakeStore;
    private Archiver archiver;
    private BatchRecompute batch;
    private Replay replay;
    private ServerBinding binding;
    private String demoApiKey;

    private AnalyticsNode(NodeSettings settings, Consumer<String> console) {
        this.settings = settings;
        this.console = console;
    }

    /** Starts a node; returns once it accepts events. On failure, whatever started is stopped again. */
    public static AnalyticsNode start(Config config, Consumer<String> console) throws Exception {
        AnalyticsNode node = new AnalyticsNode(NodeSettings.from(config), console);
        try {
            node.run(config);
            return node;
        } catch (Exception | Error e) {
            node.close();
            throw e;
        }
    }

    public String url() {
        return "http://" + settings.httpHost() + ":" + binding.localAddress().getPort();
    }

    public int port() {
        return binding.localAddress().getPort();
    }

    public String demoApiKey() {
        return demoApiKey;
    }

    /**
     * The node's meter registry, scraped at {@code /metrics}: where parts of the node register their meters
     * (for the live hub: gauge {@code analytics.hub.subscribers}, counter {@code analytics.hub.dropped.updates}).
     */
    public MeterRegistry meterRegistry() {
        return telemetry.registry();
    }

    /**
     * Runs {@code hook} when the JVM shuts down (SIGTERM), before Pekko's remoting stops. Artery's own JVM
     * hook waits for the hooks registered here and then stops the transport; a hook registered with
     * {@link Runtime#addShutdownHook} races it, and loses: the node is cut off from the cluster before it
     * can hand its shards off and leave, and the others down it instead.
     */
    public void addJvmShutdownHook(Runnable hook) {
        CoordinatedShutdown.get(system).addJvmShutdownHook(hook);
    }

    /**
     * Completes with the reason when the node's actor system has stopped: after {@link #close()}, or when the
     * cluster downed this node (the split brain resolver put it on the losing side, or it was unreachable too long).
     */
    public CompletionStage<String> whenTerminated() {
        return system.getWhenTerminated().thenApply(done -> CoordinatedShutdown.get(system)
                .getShutdownReason().map(Object::toString).orElse("unknown"));
    }

    public String bootstrapServers() {
        return kafka != null ? kafka.bootstrapServers() : settings.bootstrapServers();
    }

    private void run(Config config) throws Exception {
        OpsSettings ops = OpsSettings.from(config);
        ops.logFormat().apply();
        MeterRegistry meters = telemetry.registry();
        Files.createDirectories(settings.dataDir());
        if (settings.embeddedKafka()) {
            console.accept("starting embedded Kafka broker in " + settings.dataDir().resolve("kafka"));
            kafka = EmbeddedKafka.start(settings.dataDir().resolve("kafka"), 0);
            console.accept("embedded Kafka broker at " + kafka.bootstrapServers() + ", raw topic " + settings.topic());
        }
        String bootstrap = bootstrapServers();
        int partitions = Topics.ensure(bootstrap, settings.topic(), settings.partitions(), settings.replicationFactor());
        Topics.ensure(bootstrap, settings.ordersEventsTopic(), settings.partitions(), settings.replicationFactor());

        database = new Database(settings);
        database.createJournalTables();
        MetricCellStore cells = new MetricCellStore(database.dataSource());
        cells.createTableIfNotExists();
        ProjectStore projects = new ProjectStore(database.dataSource());
        projects.createTableIfNotExists(database);
        projects.load();
        demoApiKey = projects.ensureProject(settings.demoProjectId(), settings.demoApiKey());

        system = ActorSystem.create(Behaviors.empty(), "analytics", config);
        ClusterFormation.join(system, ops.clusterBootstrap(), ops.joinTimeout());
        JdbcProjection.createTablesIfNotExists(() -> new PlainJdbcSession(database.dataSource()), system)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        ClusterSharding sharding = ClusterSharding.get(system);
        MetricPartition.Settings entitySettings =
                new MetricPartition.Settings(settings.allowedLateness(), settings.snapshotEvery());
        sharding.init(Entity.of(MetricPartition.TYPE_KEY, ctx -> MetricPartition.create(ctx.getEntityId(), entitySettings, meters))
                .withMessageExtractor(new PartitionShards())
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
        ClosedWindowsProjection.init(system, database.dataSource(), cells, sharding);
        sharding.init(Entity.of(OrderEntity.TYPE_KEY, ctx -> OrderEntity.create(ctx.getEntityId(), settings.orderSnapshotEvery())));
        OrderReadModels orderModels = new OrderReadModels("");
        database.execute(orderModels.createStatements().toArray(String[]::new));
        ProjectionLag orderLag = OrderProjection.init(system, database.dataSource(), orderModels);
        orderLag.bindTo(meters);

        AcceptedEventIds acceptedIds = new AcceptedEventIds(
                settings.dedupeRetention(), settings.dedupeMaxIds(), Clock.systemUTC(), settings.dedupeDir());
        long remembered = AcceptedEventIdsLoader.load(bootstrap, settings.topic(), acceptedIds, console);
        if (remembered > 0) {
            console.accept(String.format("dedupe index rebuilt from %,d records of %s", remembered, settings.topic()));
        }
        publisher = new EventPublisher(new EventPublisher.Settings(bootstrap, settings.topic(), settings.publishTimeout(), Map.of()));
        consumer = PartitionConsumer.start(system, sharding, new PartitionConsumer.Settings(
                bootstrap, settings.topic(), settings.consumerGroup(), settings.batchMaxRecords(), settings.batchMaxCells(), settings.batchMaxDelay(),
                settings.dimensionList(), settings.allowedLateness(), settings.maxFutureSkew(), settings.askTimeout()), meters);
        consumerLag = ConsumerLag.start(system, consumer, bootstrap, ops.consumerLagInterval(), meters);

        LakeSettings lake = LakeSettings.from(config.getConfig("analytics"));
        lakeStore = lake.openStore();
        if (lake.archiverEnabled()) {
            archiver = Archiver.start(new Archiver.Settings(bootstrap, settings.topic(), lake.archiverGroup(),
                    lake.maxFileBytes(), lake.maxFileAge(), lake.rowGroupBytes(), lake.stagingDir().resolve("archiver")), lakeStore);
            console.accept("archiving " + settings.topic() + " to " + lakeStore.describe());
        }

        Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
        Journeys journeys = startJourneys(bootstrap, blocking, projects);
        EventIngest eventIngest = new EventIngest(acceptedIds, publisher, meters);
        ProjectionLag ordersToKafkaLag = OrderEventsProjection.init(system, database.dataSource(), bootstrap,
                settings.ordersEventsTopic(), (project, event) -> publishDomainEvent(eventIngest, project, event));
        ordersToKafkaLag.bindTo(meters);
        OpsRoutes health = new OpsRoutes(telemetry, new Readiness(system, consumerLag::snapshot, ops.readyMaxConsumerLag(),
                ops.consumerLagStaleAfter(), Clock.systemUTC()));
        IngestRoutes ingest = new IngestRoutes(projects, eventIngest,
                new ProjectRateLimiter(settings.rateLimit(), settings.rateBurst()),
                new IngestRoutes.Settings(settings.maxBatchEvents(), settings.maxBodyBytes()));
        scheduleRetention(cells);
        BatchViewStore batchViews = new BatchViewStore(database.dataSource());
        batchViews.createTablesIfNotExist();
        MetricsService metricsService = new MetricsService(
                sharding, partitions, cells, blocking, settings.askTimeout(), settings.idleTimeout(), batchViews);
        MetricsRoutes metrics = new MetricsRoutes(projects, metricsService, settings.dimensions(), Clock.systemUTC());
        TopRoutes top = new TopRoutes(projects, metricsService, settings.topRankings(), settings.dimensions(), Clock.systemUTC());
        WatermarkRoutes watermarks = new WatermarkRoutes(projects, metricsService);
        LiveHub hub = LiveHub.start(system, HubSettings.from(config), settings.dimensions(),
                query -> metricsService.query(query).thenApply(MetricsService.Answer::series),
                journeys.funnels().map(funnels -> liveFunnels(funnels, blocking)), projects,
                () -> new NodeLoad(eventIngest.storeTime(), consumer.delay()), Clock.systemUTC());
        hub.bindTo(meters);
        BatchRecompute.Settings batchSettings = new BatchRecompute.Settings(lake.stagingDir(), lake.batchMemoryLimit(),
                lake.batchThreads(), settings.dimensionList());
        batch = new BatchRecompute(lakeStore, batchViews, batchSettings, Clock.systemUTC());
        Topics.ensure(bootstrap, lake.replayTopic(), settings.partitions(), settings.replicationFactor());
        replay = new Replay(lakeStore, batchSettings, bootstrap, lake.replayTopic(), Clock.systemUTC());
        Reconciliation reconciliation = new Reconciliation(lakeStore, batchViews, metricsService, batchSettings,
                settings.allowedLateness(), settings.maxFutureSkew());
        OrderRoutes orders = new OrderRoutes(projects, sharding, new OrderJournal(system, settings.askTimeout()),
                settings.askTimeout(), Clock.systemUTC());
        ProjectionAdminRoutes admin = new ProjectionAdminRoutes(projects, Map.of(OrderProjection.NAME,
                new OrderReadModelRebuild(system, database.dataSource(), OrderProjection.ID)));
        ReadModelRoutes views = new ReadModelRoutes(projects, new OrderViews(database.dataSource(), orderModels),
                List.of(orderLag, ordersToKafkaLag), blocking);
        LakeRoutes lakeRoutes = new LakeRoutes(projects, Optional.ofNullable(archiver), batch, replay, reconciliation, blocking);
        binding = Http.get(system).newServerAt(settings.httpHost(), settings.httpPort())
                .bind(concat(ingest.route(), metrics.route(), top.route(), watermarks.route(), orders.route(), views.route(),
                        admin.route(), journeys.route(), hub.route(), health.route(), lakeRoutes.route(),
                        path(segment("api").slash("v1").slash("health"), () -> complete("{\"status\":\"ok\"}"))))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The sessions and funnels endpoints, and the funnels for the live hub: none when journeys are off. */
    private record Journeys(Route route, Optional<Funnels> funnels) {}

    /** The user-journey recorder and the sessions and funnels endpoints, unless turned off. */
    private Journeys startJourneys(String bootstrap, Executor blocking, ProjectStore projects) throws SQLException {
        NodeSettings.Journeys journeys = settings.journeys();
        if (!journeys.enabled()) {
            return new Journeys(reject(), Optional.empty());
        }
        UserEventStore store = new UserEventStore(database.dataSource(), settings.dimensionList(), journeys.maxQueryEvents());
        store.createTable();
        journeyRecorder = JourneyRecorder.start(system, store, new JourneyRecorder.Settings(bootstrap, settings.topic(),
                journeys.consumerGroup(), journeys.maxBatchRecords(), journeys.maxBatchDelay()), blocking);
        return new Journeys(new JourneyRoutes(projects, store, journeys.sessionGap(), settings.dimensions(), blocking,
                Clock.systemUTC()).route(), Optional.of(new Funnels(store)));
    }

    /** The ungrouped funnel, on the blocking pool: it reads the range's user events from the database. */
    private static FunnelSource liveFunnels(Funnels funnels, Executor blocking) {
        return (project, funnel, start, end) -> CompletableFuture.supplyAsync(() -> {
            try {
                return funnels.evaluate(project, funnel, start, end, "").getOrDefault(null,
                        new Funnel.Result(Collections.nCopies(funnel.steps().size(), 0L), null));
            } catch (SQLException e) {
                throw new IllegalStateException("user events are unavailable: " + e.getMessage(), e);
            }
        }, blocking);
    }

    /** Deletes closed 1m and 5m windows past their retention every check period (never when it is 0). */
    private void scheduleRetention(MetricCellStore cells) {
        if (settings.fineWindowRetention().isZero()) {
            return;
        }
        Duration every = settings.retentionCheckEvery();
        system.scheduler().scheduleAtFixedRate(every, every, () -> {
            long before = Clock.systemUTC().millis() - settings.fineWindowRetention().toMillis();
            try {
                int deleted = cells.deleteBefore(List.of(WindowSize.ONE_MINUTE, WindowSize.FIVE_MINUTES), before);
                if (deleted > 0) {
                    console.accept(String.format("retention: deleted %,d closed 1m/5m cells older than %s", deleted,
                            settings.fineWindowRetention()));
                }
            } catch (java.sql.SQLException e) {
                console.accept("retention: cannot delete old cells (next try in " + every + "): " + e.getMessage());
            }
        }, system.dispatchers().lookup(DispatcherSelector.blocking()));
    }

    /** An analytics event derived from the domain; one that fails validation is a bug, not bad input. */
    private static java.util.concurrent.CompletionStage<Void> publishDomainEvent(EventIngest ingest, String project,
            com.fasterxml.jackson.databind.node.ObjectNode event) {
        return ingest.accept(project, List.of(event)).thenApply(outcome -> {
            if (outcome instanceof EventIngest.Unavailable) {
                throw new IllegalStateException("the event log is unavailable; the projection will retry");
            }
            var rejected = ((EventIngest.Accepted) outcome).batch().rejected();
            if (!rejected.isEmpty()) {
                throw new IllegalStateException("an order produced an invalid analytics event: " + rejected.get(0).error());
            }
            return null;
        });
    }

    /**
     * Stops in reverse order: no new requests, then consumers, then the actors (projections still
     * publish until then), the producer, the broker, the database.
     */
    @Override
    public void close() {
        if (binding != null) {
            stage("HTTP server", () -> await(binding.terminate(Duration.ofSeconds(5))));
        }
        if (consumerLag != null) {
            stage("consumer lag", consumerLag::close);
        }
        if (consumer != null) {
            stage("partition consumers", () -> await(consumer.stop()));
        }
        if (journeyRecorder != null) {
            stage("journey recorder", () -> await(journeyRecorder.stop()));
        }
        if (archiver != null) {
            stage("archiver", archiver::close);
        }
        if (batch != null) {
            stage("batch layer", batch::close);
        }
        if (replay != null) {
            stage("replay", replay::close);
        }
        if (system != null) {
            stage("actor system", () -> {
                system.terminate();
                await(system.getWhenTerminated());
            });
        }
        if (publisher != null) {
            stage("event publisher", publisher::close);
        }
        if (kafka != null) {
            stage("embedded Kafka", kafka::close);
        }
        if (lakeStore != null) {
            stage("lake store", lakeStore::close);
        }
        if (database != null) {
            stage("database pool", database::close);
        }
        telemetry.close();
    }

    private void stage(String name, Runnable stop) {
        long started = System.nanoTime();
        stop.run();
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (millis > 1000) {
            console.accept(String.format("stopped %s in %.1f s", name, millis / 1000.0));
        }
    }

    private static void await(java.util.concurrent.CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Shutdown goes on: a part that does not stop in time must not keep the others running.
        }
    }
}
