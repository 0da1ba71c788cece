package io.analytics.lake.archive;

import static org.apache.parquet.schema.LogicalTypeAnnotation.jsonType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.stringType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.timestampType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.DOUBLE;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;

/**
 * The Parquet form of an archived event: typed common fields, the full {@code properties} and
 * {@code metadata} as JSON, and the record's Kafka coordinates. {@code currency}, {@code country} and
 * {@code product_id} are looked up like the metrics API's dimensions (property, then metadata); see
 * {@link ArchivedRecord}.
 */
public final class EventParquet {

    public static final MessageType SCHEMA = Types.buildMessage()
            .required(BINARY).as(stringType()).named("event_id")
            .required(BINARY).as(stringType()).named("event_type")
            .required(INT64).as(timestampType(true, TimeUnit.MILLIS)).named("timestamp")
            .optional(BINARY).as(stringType()).named("user_id")
            .optional(BINARY).as(stringType()).named("session_id")
            .required(BINARY).as(stringType()).named("project_id")
            .optional(DOUBLE).named("amount")
            .optional(BINARY).as(stringType()).named("currency")
            .optional(BINARY).as(stringType()).named("country")
            .optional(BINARY).as(stringType()).named("product_id")
            .required(BINARY).as(jsonType()).named("properties")
            .required(BINARY).as(jsonType()).named("metadata")
            .required(INT32).named("kafka_partition")
            .required(INT64).named("kafka_offset")
            .required(INT64).as(timestampType(true, TimeUnit.MILLIS)).named("kafka_timestamp")
            .named("event");

    private EventParquet() {}

    /**
     * Columns without a dictionary: values that are (nearly) all distinct, where a dictionary would only hash
     * every value until it overflows and falls back to plain encoding; users and sessions, whose dictionaries
     * grow to tens of thousands of entries, so that every value costs a lookup that misses the cache (without
     * them a record read straight from its bytes costs about 30% less CPU, for files 8% larger); and the
     * JSON of properties and metadata. Those repeat often enough that a dictionary shrinks them by about a
     * third, but hashing and comparing every document was a fifth of the archiver's CPU, and Snappy keeps the
     * files far below a quarter of the raw JSON without it.
     */
    private static final List<String> WITHOUT_DICTIONARY = List.of("event_id", "user_id", "session_id", "timestamp", "kafka_offset",
            "properties", "metadata");

    /** A Snappy-compressed writer to a local file, buffering at most {@code rowGroupBytes} in memory. */
    public static ParquetWriter<ArchivedRecord> writer(Path file, long rowGroupBytes) throws IOException {
        Builder builder = new Builder(new LocalOutputFile(file))
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withRowGroupSize(rowGroupBytes)
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
                .withDictionaryEncoding(true);
        for (String column : WITHOUT_DICTIONARY) {
            builder = builder.withDictionaryEncoding(column, false);
        }
        return builder.build();
    }

    private static final class Builder extends ParquetWriter.Builder<ArchivedRecord, Builder> {

        Builder(OutputFile file) {
            super(file);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<ArchivedRecord> getWriteSupport(Configuration conf) {
            return new RecordWriteSupport();
        }
    }

    private static final class RecordWriteSupport extends WriteSupport<ArchivedRecord> {

        private RecordConsumer out;

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(SCHEMA, Map.of("writer", "analytics archiver"));
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(ArchivedRecord record) {
            out.startMessage();
            binary(0, "event_id", record.eventId());
            binary(1, "event_type", record.eventType());
            int64(2, "timestamp", record.timestamp());
            binary(3, "user_id", record.userId());
            binary(4, "session_id", record.sessionId());
            binary(5, "project_id", record.projectId());
            if (record.amount() != null) {
                out.startField("amount", 6);
                out.addDouble(record.amount());
                out.endField("amount", 6);
            }
            binary(7, "currency", record.currency());
            binary(8, "country", record.country());
            binary(9, "product_id", record.productId());
            binary(10, "properties", record.properties());
            binary(11, "metadata", record.metadata());
            out.startField("kafka_partition", 12);
            out.addInteger(record.partition());
            out.endField("kafka_partition", 12);
            int64(13, "kafka_offset", record.offset());
            int64(14, "kafka_timestamp", record.brokerTime());
            out.endMessage();
        }

        private void binary(int index, String name, Binary value) {
            if (value == null) {
                return;
            }
            out.startField(name, index);
            out.addBinary(value);
            out.endField(name, index);
        }

        private void int64(int index, String name, long value) {
            out.startField(name, index);
            out.addLong(value);
            out.endField(name, index);
        }
    }
}
