package io.analytics.lake.archive;

import io.analytics.core.event.EventCodec;
import io.analytics.lake.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.parquet.hadoop.ParquetWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archives the raw topic into the object store. One thread owns one Kafka consumer in its own group;
 * for each assigned partition it keeps one open offset range, written as it arrives into one local
 * Parquet file per event hour, and closes the range when a file reaches the size limit or the range
 * the age limit. Closing uploads the range's files and only then commits the offset after the range.
 *
 * <p>A failure (store or broker unreachable) drops the open ranges and resumes from the committed
 * offsets after a back-off; revoked partitions are dropped the same way, for the new owner to redo.
 */
public final class Archiver implements AutoCloseable {

    /** Where to read, how big or old a file may grow, and where to stage files before upload. */
    public record Settings(String bootstrapServers, String topic, String consumerGroup, long maxFileBytes,
            Duration maxFileAge, long rowGroupBytes, Path stagingDir) {}

    private static final Logger log = LoggerFactory.getLogger(Archiver.class);
    /** Offset metadata committed before an upload: the last offset of the range being written. */
    private static final String INTENT = "archiving-through=";
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration LAG_REFRESH = Duration.ofSeconds(1);
    private static final long HOUR = Duration.ofHours(1).toMillis();

    private final Settings settings;
    private final ObjectStore store;
    private final Clock clock;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    private final Map<Integer, OpenRange> open = new HashMap<>();
    /** Partitions whose next range must end exactly here: a predecessor committed this intent and may have uploaded it. */
    private final Map<Integer, Long> intendedEnds = new HashMap<>();
    private final Map<Integer, Long> committed = new HashMap<>();
    private long archivedRecords;
    private long malformedRecords;
    private long files;
    private long bytes;
    private long lastUploadAt;
    private String lastError;
    private long lagRefreshedAt;
    private Map<Integer, Long> lagByPartition = Map.of();
    private volatile ArchiverStatus status;

    private Archiver(Settings settings, ObjectStore store, Clock clock) throws IOException {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        Files.createDirectories(settings.stagingDir());
        clearStaging();
        this.consumer = new KafkaConsumer<>(consumerProperties(settings), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.status = new ArchiverStatus(settings.consumerGroup(), store.describe(), 0, Map.of(), 0, 0, 0, 0, 0, null);
        this.thread = new Thread(this::run, "lake-archiver");
        this.thread.setDaemon(true);
        this.thread.setUncaughtExceptionHandler((t, e) -> log.error("archiver stopped by an unexpected error", e));
    }

    public static Archiver start(Settings settings, ObjectStore store) throws IOException {
        Archiver archiver = new Archiver(settings, store, Clock.systemUTC());
        archiver.thread.start();
        return archiver;
    }

    public ArchiverStatus status() {
        return status;
    }

    private static Properties consumerProperties(Settings settings) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.consumerGroup());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        // Files close after minutes, so waiting for a fuller fetch costs nothing and spares the broker,
        // on the same cores as the live path, most of its fetch requests.
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.toString(1 << 20));
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 << 20));
        // One fetch response is one buffer, held until its last record is written: at 4 MiB for each of
        // eight partitions a backlog came back as 34 MB, all of it live until the archiver had written it.
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(8 << 20));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.consumerGroup() + "-" + ProcessHandle.current().pid());
        return props;
    }

    private void run() {
        consumer.subscribe(List.of(settings.topic()), new Rebalance());
        int failures = 0;
        while (running) {
            try {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    append(record);
                }
                closeDueRanges();
                refreshLag(false);
                failures = 0;
            } catch (WakeupException | InterruptException e) {
                break;
            } catch (Exception e) {
                failures++;
                lastError = e.getMessage();
                publishStatus();
                log.warn("archiver: {}; resuming from the last committed offsets (attempt {})", e.getMessage(), failures);
                if (!backOffAndResume(failures)) {
                    break;
                }
            }
        }
        dropAll();
        consumer.close(Duration.ofSeconds(10));
    }

    private void append(ConsumerRecord<byte[], byte[]> record) throws IOException {
        int partition = record.partition();
        Long intendedEnd = intendedEnds.get(partition);
        if (intendedEnd != null && record.offset() > intendedEnd && open.containsKey(partition)) {
            closeRange(partition);
        }
        OpenRange range = open.computeIfAbsent(partition, p -> new OpenRange(p, record.offset(), clock.millis()));
        try {
            range.write(ArchivedRecord.read(record.value(), partition, record.offset(), record.timestamp()));
        } catch (EventCodec.MalformedEventException e) {
            malformedRecords++;
            log.warn("archiver: skipping record {}-{}@{}: {}", record.topic(), partition, record.offset(), e.getMessage());
        }
        range.lastOffset = record.offset();
        if (intendedEnd != null && record.offset() >= intendedEnd) {
            closeRange(partition);
        }
    }

    private void closeDueRanges() throws IOException {
        long now = clock.millis();
        for (Integer partition : new ArrayList<>(open.keySet())) {
            OpenRange range = open.get(partition);
            boolean due = range.dataSize() >= settings.maxFileBytes()
                    || now - range.openedAt >= settings.maxFileAge().toMillis();
            if (due && !intendedEnds.containsKey(partition)) {
                closeRange(partition);
            }
        }
    }

    /** Intent, upload, commit: after this the range is in the store exactly once, under keys named by its offsets. */
    private void closeRange(int partition) throws IOException {
        OpenRange range = open.remove(partition);
        TopicPartition tp = new TopicPartition(settings.topic(), partition);
        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(range.firstOffset, INTENT + range.lastOffset)));
        try {
            for (HourFile file : range.finish()) {
                String key = LakeLayout.fileKey(file.firstEventTime, settings.topic(), partition, range.firstOffset, range.lastOffset);
                store.put(key, file.path);
                bytes += Files.size(file.path);
                files++;
            }
        } finally {
            range.delete();
        }
        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(range.lastOffset + 1)));
        committed.put(partition, range.lastOffset + 1);
        intendedEnds.remove(partition);
        archivedRecords += range.records;
        lastUploadAt = clock.millis();
        lastError = null;
        refreshLag(true);
    }

    private boolean backOffAndResume(int failures) {
        dropAll();
        try {
            Thread.sleep(Math.min(30_000L, 500L << Math.min(failures, 6)));
            Set<TopicPartition> assigned = consumer.assignment();
            Map<TopicPartition, OffsetAndMetadata> offsets = consumer.committed(assigned);
            for (TopicPartition tp : assigned) {
                OffsetAndMetadata offset = offsets.get(tp);
                if (offset == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, offset.offset());
                }
            }
            resume(offsets);
            return true;
        } catch (InterruptedException | WakeupException | InterruptException e) {
            return false;
        } catch (RuntimeException e) {
            log.warn("archiver: cannot read committed offsets yet: {}", e.getMessage());
            return true;
        }
    }

    /** Remembers where each partition stands and which of them must first redo an interrupted upload. */
    private void resume(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, offset) -> {
            if (offset == null) {
                return;
            }
            committed.put(tp.partition(), offset.offset());
            String metadata = offset.metadata();
            if (metadata != null && metadata.startsWith(INTENT)) {
                intendedEnds.put(tp.partition(), Long.parseLong(metadata.substring(INTENT.length())));
            }
        });
    }

    private void refreshLag(boolean force) {
        long now = clock.millis();
        if (!force && now - lagRefreshedAt < LAG_REFRESH.toMillis()) {
            return;
        }
        lagRefreshedAt = now;
        Set<TopicPartition> assigned = consumer.assignment();
        Map<Integer, Long> lag = new TreeMap<>();
        if (!assigned.isEmpty()) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, Duration.ofSeconds(5));
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(assigned, Duration.ofSeconds(5));
            for (TopicPartition tp : assigned) {
                long from = Math.max(committed.getOrDefault(tp.partition(), 0L), starts.getOrDefault(tp, 0L));
                lag.put(tp.partition(), Math.max(0, ends.getOrDefault(tp, from) - from));
            }
        }
        lagByPartition = Map.copyOf(lag);
        publishStatus();
    }

    private void publishStatus() {
        long lag = lagByPartition.values().stream().mapToLong(Long::longValue).sum();
        status = new ArchiverStatus(settings.consumerGroup(), store.describe(), lag, lagByPartition, archivedRecords,
                malformedRecords, files, bytes, lastUploadAt, lastError);
    }

    private void drop(Collection<Integer> partitions) {
        for (Integer partition : partitions) {
            OpenRange range = open.remove(partition);
            if (range != null) {
                range.abandon();
            }
            intendedEnds.remove(partition);
            committed.remove(partition);
        }
    }

    private void dropAll() {
        drop(new ArrayList<>(open.keySet()));
        intendedEnds.clear();
    }

    private void clearStaging() throws IOException {
        try (var leftovers = Files.list(settings.stagingDir())) {
            for (Path leftover : leftovers.toList()) {
                Files.deleteIfExists(leftover);
            }
        }
    }

    /** Stops the archiver; open ranges are dropped, uncommitted, for the next start to redo. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            drop(partitions.stream().map(TopicPartition::partition).toList());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            resume(consumer.committed(new HashSet<>(partitions)));
        }
    }

    /** The local file of one event hour of an open range. */
    private record HourFile(Path path, ParquetWriter<ArchivedRecord> writer, long firstEventTime) {}

    /** The records of one partition since the last committed offset, spread over hour files. */
    private final class OpenRange {
        final int partition;
        final long firstOffset;
        final long openedAt;
        long lastOffset;
        long records;
        /** By event hour since the epoch, so that a record costs no formatting of its hour's folder. */
        private final Map<Long, HourFile> hours = new HashMap<>();

        OpenRange(int partition, long firstOffset, long openedAt) {
            this.partition = partition;
            this.firstOffset = firstOffset;
            this.openedAt = openedAt;
        }

        void write(ArchivedRecord record) throws IOException {
            long hour = Math.floorDiv(record.timestamp(), HOUR);
            HourFile file = hours.get(hour);
            if (file == null) {
                Path path = settings.stagingDir().resolve(String.format("%s-%d-%d-%s.parquet", settings.topic(), partition,
                        firstOffset, LakeLayout.hourPrefix(record.timestamp()).replaceAll("[^0-9]", "")));
                file = new HourFile(path, EventParquet.writer(path, settings.rowGroupBytes()), record.timestamp());
                hours.put(hour, file);
            }
            file.writer.write(record);
            records++;
        }

        long dataSize() {
            long largest = 0;
            for (HourFile file : hours.values()) {
                largest = Math.max(largest, file.writer.getDataSize());
            }
            return largest;
        }

        Collection<HourFile> finish() throws IOException {
            for (HourFile file : hours.values()) {
                file.writer.close();
            }
            return hours.values();
        }

        void abandon() {
            for (HourFile file : hours.values()) {
                try {
                    file.writer.close();
                } catch (IOException | RuntimeException e) {
                    log.debug("archiver: closing an abandoned file failed: {}", e.getMessage());
                }
            }
            delete();
        }

        void delete() {
            for (HourFile file : hours.values()) {
                try {
                    Files.deleteIfExists(file.path);
                } catch (IOException e) {
                    log.warn("archiver: cannot delete staged file {}: {}", file.path, e.getMessage());
                }
            }
        }
    }
}
