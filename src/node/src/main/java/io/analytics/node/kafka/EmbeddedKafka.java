package io.analytics.node.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process, single-node Apache Kafka broker in KRaft mode (combined broker + controller).
 *
 * <p>This is the real Kafka 3.9 broker ({@link KafkaRaftServer}), running in this JVM. It listens only on
 * 127.0.0.1: a PLAINTEXT listener for clients ({@link #bootstrapServers()}) and a separate CONTROLLER
 * listener on another loopback port that only the broker itself uses.
 *
 * <p>The log directory is formatted on first use ({@code kafka.tools.StorageTool format}, i.e.
 * {@code kafka-storage.sh format}) with a fresh cluster id. A later start on the same directory reuses
 * it as is: cluster id, topics, records and committed offsets all survive. The controller quorum is a
 * static one ({@code controller.quorum.voters}, kraft.version 0), whose voter endpoints are read from
 * the configuration at every start and never stored in the log, so the controller port may differ
 * from one start to the next.
 *
 * <p>Note: like a stand-alone broker, Kafka's own fatal-fault handlers halt the JVM
 * ({@code org.apache.kafka.common.utils.Exit.halt}) if the metadata layer hits an unrecoverable error.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final String CLIENT_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);
    /** Attempts when a port we picked ourselves was taken by someone else before the broker bound it. */
    private static final int BIND_ATTEMPTS = 3;
    /**
     * Our own lock on the log directory, held from before formatting until the broker has stopped. Kafka's
     * {@code .lock} is taken by the broker's LogManager only after the controller has already opened the
     * metadata log in the same directory, so it does not keep a second instance from touching a live log.
     */
    private static final String LOCK_FILE = "embedded-kafka.lock";

    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private final KafkaRaftServer server;
    private final DirLock dirLock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(Path logDir, int port, int controllerPort, String clusterId, KafkaRaftServer server,
                          DirLock dirLock) {
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
        this.server = server;
        this.dirLock = dirLock;
    }

    /**
     * Starts a single-node KRaft broker whose log lives in {@code logDir}. {@code port} 0 picks a free
     * loopback port. If {@code logDir} already holds a formatted log (from an earlier start), it is
     * reused with its cluster id and the data survives.
     */
    public static EmbeddedKafka start(Path logDir, int port) {
        return start(logDir, port, Map.of());
    }

    /**
     * Like {@link #start(Path, int)}, with extra broker properties (e.g. {@code log.retention.hours})
     * that override the defaults. The listener, quorum, node id and log directory settings are owned by
     * this class and cannot be overridden.
     */
    public static EmbeddedKafka start(Path logDir, int port, Map<String, String> overrides) {
        return start(logDir, port, 0, overrides);
    }

    /** As {@link #start(Path, int, Map)} with an explicit controller port (0 = pick one); for tests. */
    static EmbeddedKafka start(Path logDir, int port, int controllerPort, Map<String, String> overrides) {
        Objects.requireNonNull(logDir, "logDir");
        Objects.requireNonNull(overrides, "overrides");
        if (port < 0 || port > 65535 || controllerPort < 0 || controllerPort > 65535) {
            throw new IllegalArgumentException("port out of range: " + port + ", " + controllerPort);
        }
        for (String owned : OWNED_KEYS) {
            if (overrides.containsKey(owned)) {
                throw new IllegalArgumentException("EmbeddedKafka sets '" + owned + "' itself; it cannot be overridden");
            }
        }
        Path dir = logDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new EmbeddedKafkaException("Cannot create Kafka log directory " + dir, e);
        }
        for (int explicit : new int[] {port, controllerPort}) {
            if (explicit != 0 && !isFree(explicit)) {
                throw new EmbeddedKafkaException("Cannot start embedded Kafka: " + HOST + ":" + explicit + " is in use");
            }
        }
        quietBrokerLogging();

        DirLock lock = DirLock.acquire(dir);
        try {
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            for (int attempt = 1; ; attempt++) {
                int clientPort = port != 0 ? port : freeLoopbackPort();
                int ctrlPort = controllerPort != 0 ? controllerPort : freeLoopbackPort(clientPort);
                try {
                    return startOnce(dir, clientPort, ctrlPort, overrides, lock, deadline);
                } catch (RuntimeException e) {
                    // The explicit ports were free a moment ago, so a bind failure is about a port we picked.
                    boolean pickedPorts = port == 0 || controllerPort == 0;
                    if (attempt >= BIND_ATTEMPTS || !pickedPorts || !isBindFailure(e) || lock.isLeaked()) {
                        throw e;
                    }
                    LOG.warn("Embedded Kafka could not bind port {} or {} (attempt {}/{}), retrying with other ports",
                            clientPort, ctrlPort, attempt, BIND_ATTEMPTS);
                }
            }
        } catch (RuntimeException | Error e) {
            lock.release();
            throw e;
        }
    }

    private static final List<String> OWNED_KEYS = List.of(
            "process.roles", "node.id", "broker.id", "controller.quorum.voters",
            "controller.quorum.bootstrap.servers", "controller.listener.names", "listeners",
            "advertised.listeners", "listener.security.protocol.map", "inter.broker.listener.name",
            "log.dirs", "log.dir", "metadata.log.dir");

    private static EmbeddedKafka startOnce(Path dir, int clientPort, int ctrlPort, Map<String, String> overrides,
                                           DirLock lock, long deadline) {
        long t0 = System.nanoTime();
        long startupBudgetMs = Math.max(5_000, TimeUnit.NANOSECONDS.toMillis(deadline - t0));
        Map<String, String> props = brokerProperties(dir, clientPort, ctrlPort, startupBudgetMs, overrides);
        KafkaConfig config;
        try {
            config = new KafkaConfig(props, false);
        } catch (RuntimeException e) {
            throw new EmbeddedKafkaException("Invalid embedded Kafka configuration: " + e.getMessage(), e);
        }

        String clusterId = readClusterId(dir);
        if (clusterId == null) {
            clusterId = format(dir, props);
        }

        KafkaRaftServer server;
        try {
            server = new KafkaRaftServer(config, Time.SYSTEM);
        } catch (RuntimeException e) {
            throw new EmbeddedKafkaException("Cannot open Kafka log directory " + dir + ": " + describe(e), e);
        }
        try {
            server.startup();
        } catch (RuntimeException e) {
            if (!shutdown(server, SHUTDOWN_TIMEOUT)) {
                lock.leak();
            }
            throw new EmbeddedKafkaException("Embedded Kafka failed to start on " + HOST + ":" + clientPort
                    + " (controller port " + ctrlPort + ", log dir " + dir + "): " + describe(e), e);
        }
        EmbeddedKafka kafka = new EmbeddedKafka(dir, clientPort, ctrlPort, clusterId, server, lock);
        try {
            kafka.awaitReady(deadline);
        } catch (RuntimeException e) {
            if (!shutdown(server, SHUTDOWN_TIMEOUT)) {
                lock.leak();
            }
            throw e;
        }
        LOG.info("Embedded Kafka ready at {} (cluster {}, controller port {}, log dir {}) in {} ms",
                kafka.bootstrapServers(), clusterId, ctrlPort, dir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return kafka;
    }

    private static Map<String, String> brokerProperties(Path dir, int clientPort, int ctrlPort, long startupBudgetMs,
                                                        Map<String, String> overrides) {
        Map<String, String> p = new LinkedHashMap<>();
        // Defaults suited to a single node; any of them may be overridden.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "8");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "8");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "8");
        p.put("auto.create.topics.enable", "false");
        p.put("log.retention.hours", "168");
        // The log cleaner (compaction of __consumer_offsets) otherwise allocates a 128 MiB heap buffer.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16L * 1024 * 1024));
        // Fail start-up within a bound instead of waiting forever for the quorum.
        p.put("server.max.startup.time.ms", String.valueOf(startupBudgetMs));
        // A single node: heartbeat faster so the broker is unfenced quickly after start, and after a crash
        // (kill -9) the controller accepts the restarted broker once the old session expired: 4 s, not 9 s.
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "4000");
        p.putAll(overrides);

        // Owned by this class.
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + ctrlPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", CLIENT_LISTENER + "://" + HOST + ":" + clientPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + ctrlPort);
        p.put("advertised.listeners", CLIENT_LISTENER + "://" + HOST + ":" + clientPort);
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("log.dirs", dir.toString());
        return p;
    }

    /** The cluster id of an already formatted log directory, or null if it is not formatted yet. */
    private static String readClusterId(Path dir) {
        Path meta = dir.resolve("meta.properties");
        if (!Files.isRegularFile(meta)) {
            return null;
        }
        Properties props = new Properties();
        try (var in = Files.newInputStream(meta)) {
            props.load(in);
        } catch (IOException e) {
            throw new EmbeddedKafkaException("Cannot read " + meta, e);
        }
        String id = props.getProperty("cluster.id");
        if (id == null || id.isBlank()) {
            throw new EmbeddedKafkaException(meta + " has no cluster.id; it is not a KRaft log directory");
        }
        String nodeId = props.getProperty("node.id");
        if (nodeId != null && !nodeId.trim().equals(String.valueOf(NODE_ID))) {
            throw new EmbeddedKafkaException(meta + " belongs to node " + nodeId + ", not " + NODE_ID);
        }
        return id.trim();
    }

    /**
     * Formats the log directory with a new cluster id, exactly as {@code kafka-storage.sh format} does:
     * {@code kafka.tools.StorageTool.execute} (which, unlike {@code StorageTool.main}, never exits the JVM)
     * running {@code org.apache.kafka.metadata.storage.Formatter}. The tool reads its settings from a
     * server.properties file, so the broker properties are written to a temporary one.
     */
    private static String format(Path dir, Map<String, String> brokerProps) {
        String clusterId = Uuid.randomUuid().toString();
        Path configFile = null;
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            configFile = Files.createTempFile("embedded-kafka-", ".properties");
            Properties props = new Properties();
            props.putAll(brokerProps);
            try (Writer w = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
                props.store(w, "embedded Kafka, for formatting " + dir);
            }
            int rc;
            try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                rc = StorageTool.execute(new String[] {
                    "format", "--config", configFile.toString(), "--cluster-id", clusterId}, out);
            }
            if (rc != 0) {
                throw new EmbeddedKafkaException("Formatting Kafka log directory " + dir + " failed (exit code "
                        + rc + "): " + output.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (EmbeddedKafkaException e) {
            throw e;
        } catch (Exception e) {
            throw new EmbeddedKafkaException("Cannot format Kafka log directory " + dir + ": " + e.getMessage()
                    + " " + output.toString(StandardCharsets.UTF_8).strip(), e);
        } finally {
            if (configFile != null) {
                try {
                    Files.deleteIfExists(configFile);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
        LOG.info("Formatted Kafka log directory {} with cluster id {}", dir, clusterId);
        LOG.debug("kafka-storage format: {}", output.toString(StandardCharsets.UTF_8).strip());
        return clusterId;
    }

    private void awaitReady(long deadline) {
        // At least a few seconds, even if formatting and start-up used up most of the overall deadline.
        deadline = Math.max(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        Map<String, Object> conf = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        Throwable lastError = null;
        try (Admin admin = Admin.create(conf)) {
            while (true) {
                long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remainingMs <= 0) {
                    break;
                }
                try {
                    int callTimeout = (int) Math.min(remainingMs, 5_000);
                    Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(callTimeout))
                            .nodes().get(callTimeout + 1_000L, TimeUnit.MILLISECONDS);
                    if (nodes.stream().anyMatch(n -> n.id() == NODE_ID)) {
                        return;
                    }
                    lastError = null;
                } catch (ExecutionException e) {
                    lastError = e.getCause();
                } catch (java.util.concurrent.TimeoutException e) {
                    lastError = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EmbeddedKafkaException("Interrupted while waiting for embedded Kafka", e);
                }
                if (System.nanoTime() - deadline >= 0) {
                    break;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EmbeddedKafkaException("Interrupted while waiting for embedded Kafka", e);
                }
            }
        }
        throw new EmbeddedKafkaException("Embedded Kafka at " + bootstrapServers() + " (log dir " + logDir
                + ") did not answer describeCluster within " + READY_TIMEOUT.toSeconds() + " s of starting"
                + (lastError != null ? ": " + lastError : ""), lastError);
    }

    /** "127.0.0.1:PORT", for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The client (PLAINTEXT) port. */
    public int port() {
        return port;
    }

    /** The KRaft cluster id stored in the log directory. */
    public String clusterId() {
        return clusterId;
    }

    /** The log directory. */
    public Path logDir() {
        return logDir;
    }

    int controllerPort() {
        return controllerPort;
    }

    /**
     * Shuts the broker down: a controlled shutdown (the broker tells the controller, stops serving,
     * flushes and closes its logs), then the controller. Waits at most 60 s.
     * Calling it again does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long t0 = System.nanoTime();
        if (shutdown(server, SHUTDOWN_TIMEOUT)) {
            dirLock.release();
            LOG.info("Embedded Kafka at {} stopped in {} ms", bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } else {
            // Parts of the broker may still be running: keep the directory locked so no new instance opens it.
            dirLock.leak();
            LOG.warn("Embedded Kafka at {} did not shut down within {} s; its log directory {} stays locked",
                    bootstrapServers(), SHUTDOWN_TIMEOUT.toSeconds(), logDir);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", " + logDir + "]";
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * Shuts the server down on a separate thread and waits at most {@code timeout}. Returns false if it
     * was still shutting down at the end; a failure while shutting down is logged and counts as done.
     */
    private static boolean shutdown(KafkaRaftServer server, Duration timeout) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "embedded-kafka-shutdown");
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (t.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting: a half-closed broker must not be left behind silently
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            return false;
        }
        if (failure.get() != null) {
            LOG.warn("Embedded Kafka failed while shutting down", failure.get());
        }
        return true;
    }

    /** The exception's message, followed by its root cause's if that says something else. */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = String.valueOf(e.getMessage());
        return root == e || root.getMessage() == null || msg.contains(root.getMessage())
                ? msg : msg + " (caused by " + root + ")";
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.net.BindException) {
                return true;
            }
            String m = c.getMessage();
            if (m != null && (m.contains("Address already in use") || m.contains("failed to bind"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freeLoopbackPort(int... avoid) {
        for (int i = 0; i < 20; i++) {
            int p;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                s.setReuseAddress(true);
                p = s.getLocalPort();
            } catch (IOException e) {
                throw new EmbeddedKafkaException("Cannot find a free port on " + HOST, e);
            }
            boolean clash = false;
            for (int a : avoid) {
                clash |= a == p;
            }
            if (!clash) {
                return p;
            }
        }
        throw new EmbeddedKafkaException("Cannot find a free port on " + HOST);
    }

    /**
     * Sets the broker-side Kafka loggers to WARN when logback is the slf4j backend and the application's
     * logback configuration says nothing about them. Loggers that the configuration does set are left alone,
     * and the Kafka client loggers ({@code org.apache.kafka.clients}) are never touched.
     */
    private static void quietBrokerLogging() {
        try {
            LogbackQuieter.apply(List.of(
                    "kafka", "state.change.logger",
                    "org.apache.kafka.server", "org.apache.kafka.raft", "org.apache.kafka.controller",
                    "org.apache.kafka.metadata", "org.apache.kafka.image", "org.apache.kafka.storage",
                    "org.apache.kafka.coordinator", "org.apache.kafka.queue", "org.apache.kafka.snapshot",
                    "org.apache.kafka.security", "org.apache.kafka.network", "org.apache.kafka.timeline",
                    "org.apache.kafka.deferred", "org.apache.kafka.common.network",
                    "org.apache.kafka.common.security", "org.apache.kafka.common.utils.AppInfoParser"));
        } catch (LinkageError | RuntimeException | ReflectiveOperationException e) {
            // logback is not on the classpath (or not the slf4j backend): leave logging as configured
        }
    }

    /**
     * logback is driven by reflection: this class must compile against whichever slf4j-api Maven picks
     * (kafka_2.13 brings 1.7.x, logback 1.5 is built on 2.0.x) and must work without logback at all.
     */
    private static final class LogbackQuieter {
        static void apply(List<String> names) throws ReflectiveOperationException {
            Object context = LoggerFactory.getILoggerFactory();
            if (!context.getClass().getName().equals("ch.qos.logback.classic.LoggerContext")) {
                return;
            }
            Class<?> levelClass = Class.forName("ch.qos.logback.classic.Level", true, context.getClass().getClassLoader());
            Object warn = levelClass.getField("WARN").get(null);
            Method isGreaterOrEqual = levelClass.getMethod("isGreaterOrEqual", levelClass);
            Method getLogger = context.getClass().getMethod("getLogger", String.class);
            for (String name : names) {
                Object logger = getLogger.invoke(context, name);
                Class<?> loggerClass = logger.getClass();
                Object level = loggerClass.getMethod("getLevel").invoke(logger);
                Object effective = loggerClass.getMethod("getEffectiveLevel").invoke(logger);
                if (level == null && !(Boolean) isGreaterOrEqual.invoke(effective, warn)) {
                    loggerClass.getMethod("setLevel", levelClass).invoke(logger, warn);
                }
            }
        }
    }

    /** An exclusive lock on embedded-kafka.lock in the log directory, across threads and processes. */
    private static final class DirLock {
        private final Path file;
        private final FileChannel channel;
        private final FileLock lock;
        private volatile boolean leaked;

        private DirLock(Path file, FileChannel channel, FileLock lock) {
            this.file = file;
            this.channel = channel;
            this.lock = lock;
        }

        static DirLock acquire(Path dir) {
            Path file = dir.resolve(LOCK_FILE);
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new EmbeddedKafkaException("Cannot open " + file, e);
            }
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                closeQuietly(channel);
                throw new EmbeddedKafkaException("Kafka log directory " + dir
                        + " is already used by another embedded Kafka in this JVM");
            } catch (IOException e) {
                closeQuietly(channel);
                throw new EmbeddedKafkaException("Cannot lock " + file, e);
            }
            if (lock == null) {
                closeQuietly(channel);
                throw new EmbeddedKafkaException("Kafka log directory " + dir + " is already used by another process");
            }
            return new DirLock(file, channel, lock);
        }

        /** Keeps the lock for the life of the JVM (the broker may still be using the directory). */
        void leak() {
            leaked = true;
        }

        boolean isLeaked() {
            return leaked;
        }

        void release() {
            if (leaked) {
                return;
            }
            try {
                lock.release();
            } catch (IOException e) {
                LOG.debug("Cannot release {}", file, e);
            }
            closeQuietly(channel);
        }

        private static void closeQuietly(FileChannel channel) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** Thrown when the embedded broker cannot be started. */
    public static final class EmbeddedKafkaException extends RuntimeException {
        EmbeddedKafkaException(String message) {
            super(message);
        }

        EmbeddedKafkaException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
