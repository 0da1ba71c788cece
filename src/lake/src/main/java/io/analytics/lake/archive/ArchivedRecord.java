package io.analytics.lake.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.event.EventCodec;
import io.analytics.core.metric.Dimension;
import java.util.Map;
import org.apache.parquet.io.api.Binary;

/**
 * One raw-topic record as archived: the columns of {@link EventParquet#SCHEMA} and where it was in the log.
 * {@code timestamp} is the event time and {@code brokerTime} the record's, in epoch milliseconds. Text
 * columns are UTF-8 bytes, absent ones null; {@code properties} and {@code metadata} are JSON objects,
 * as the producer wrote them when read straight from the record ({@link #read}), or written again from a
 * decoded event ({@link #of}), which leaves out attributes that are null.
 */
public record ArchivedRecord(Binary eventId, Binary eventType, long timestamp, Binary userId, Binary sessionId,
        Binary projectId, Double amount, Binary currency, Binary country, Binary productId, Binary properties,
        Binary metadata, int partition, long offset, long brokerTime) {

    private static final Dimension CURRENCY = new Dimension("currency");
    private static final Dimension COUNTRY = new Dimension("country");
    private static final Dimension PRODUCT = new Dimension("product_id");
    /** Typed up front, so that a record costs no look-up of the map serialiser. */
    private static final ObjectWriter ATTRIBUTES = new ObjectMapper().writerFor(new TypeReference<Map<String, Object>>() {});

    /**
     * The record with this value of the raw topic. Values in the shape the ingest writes are read straight
     * from their bytes ({@link RecordReader}); any other is decoded and validated in full, like the live path.
     *
     * @throws EventCodec.MalformedEventException if the value is not a valid event
     */
    public static ArchivedRecord read(byte[] value, int partition, long offset, long brokerTime) {
        ArchivedRecord record = value == null ? null : RecordReader.read(value, partition, offset, brokerTime);
        return record != null ? record : of(EventCodec.decode(value), partition, offset, brokerTime);
    }

    /** A decoded event as archived; its attributes are written as JSON objects again. */
    public static ArchivedRecord of(AnalyticsEvent event, int partition, long offset, long brokerTime) {
        return new ArchivedRecord(text(event.eventId()), text(event.eventType()), event.timestamp(), text(event.userId()),
                text(event.sessionId()), text(event.projectId()), event.amount(), text(CURRENCY.valueOf(event)),
                text(COUNTRY.valueOf(event)), text(PRODUCT.valueOf(event)), json(event.properties()), json(event.metadata()),
                partition, offset, brokerTime);
    }

    private static Binary text(String value) {
        return value == null ? null : Binary.fromString(value);
    }

    private static Binary json(Map<String, Object> attributes) {
        try {
            return Binary.fromConstantByteArray(ATTRIBUTES.writeValueAsBytes(attributes));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("decoded JSON attributes always serialise", e);
        }
    }
}
