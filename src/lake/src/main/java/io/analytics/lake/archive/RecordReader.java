package io.analytics.lake.archive;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.analytics.core.event.EventValidator;
import io.analytics.core.metric.Dimension;
import java.io.IOException;
import java.util.Arrays;
import org.apache.parquet.io.api.Binary;

/**
 * Reads the columns of a raw-topic record straight from its JSON bytes: text columns are slices of those
 * bytes, and so are {@code properties} and {@code metadata}, archived as the producer wrote them. No event,
 * maps or strings are built and no JSON is written again, which was most of the archiver's work.
 *
 * <p>It reads only what the ingest writes and what the validator accepts: epoch-millisecond timestamps,
 * text without escapes, looked-up attributes that are short text. On anything else it gives up, and the
 * record is decoded and validated in full, which also says what is wrong with a malformed one. A name
 * given twice takes its last value, as in the decoder's tree.
 */
final class RecordReader {

    private static final JsonFactory JSON = new JsonFactory();
    private static final Binary EMPTY_OBJECT = Binary.fromConstantByteArray("{}".getBytes(UTF_8));
    private static final int CURRENCY = 0;
    private static final int COUNTRY = 1;
    private static final int PRODUCT = 2;

    private final byte[] value;
    private final JsonParser json;
    private Binary eventId;
    private Binary eventType;
    private long timestamp = -1;
    private Binary userId;
    private Binary sessionId;
    private Binary projectId;
    private Double amount;
    private Binary properties = EMPTY_OBJECT;
    private Binary metadata = EMPTY_OBJECT;
    /** Currency, country and product, as properties and as metadata: a property wins. */
    private final Binary[] propertyLookups = new Binary[3];
    private final Binary[] metadataLookups = new Binary[3];

    private RecordReader(byte[] value, JsonParser json) {
        this.value = value;
        this.json = json;
    }

    /** The record's columns, or null if it is not in the shape read here. */
    static ArchivedRecord read(byte[] value, int partition, long offset, long brokerTime) {
        try (JsonParser json = JSON.createParser(value)) {
            RecordReader reader = new RecordReader(value, json);
            reader.readEvent();
            return new ArchivedRecord(reader.eventId, reader.eventType, reader.timestamp, reader.userId, reader.sessionId,
                    reader.projectId, reader.amount, reader.lookedUp(CURRENCY), reader.lookedUp(COUNTRY),
                    reader.lookedUp(PRODUCT), reader.properties, reader.metadata, partition, offset, brokerTime);
        } catch (IOException | NotReadHere e) {
            return null;
        }
    }

    private void readEvent() throws IOException {
        expect(json.nextToken() == JsonToken.START_OBJECT);
        for (String name = json.nextFieldName(); name != null; name = json.nextFieldName()) {
            JsonToken token = json.nextToken();
            switch (name) {
                case "event_id" -> eventId = text(token, 1, EventValidator.MAX_EVENT_ID_LENGTH);
                case "event_type" -> eventType = eventType(token);
                case "timestamp" -> timestamp = epochMillis(token);
                case "user_id" -> userId = nullableText(token, Integer.MAX_VALUE);
                case "session_id" -> sessionId = nullableText(token, Integer.MAX_VALUE);
                case "project_id" -> projectId = text(token, 0, Integer.MAX_VALUE);
                case "properties" -> properties = attributes(token, propertyLookups, true);
                case "metadata" -> metadata = attributes(token, metadataLookups, false);
                default -> json.skipChildren();
            }
        }
        expect(eventId != null && eventType != null && timestamp >= 0 && projectId != null);
    }

    /** The object as written, its looked-up attributes and, in the properties, the amount. */
    private Binary attributes(JsonToken token, Binary[] lookups, boolean withAmount) throws IOException {
        // a name given twice counts once, with its last value, as in the decoder's tree
        Arrays.fill(lookups, null);
        if (withAmount) {
            amount = null;
        }
        if (token == JsonToken.VALUE_NULL) {
            return EMPTY_OBJECT;
        }
        expect(token == JsonToken.START_OBJECT);
        int start = tokenStart();
        for (String name = json.nextFieldName(); name != null; name = json.nextFieldName()) {
            JsonToken attribute = json.nextToken();
            switch (name) {
                case "currency" -> lookups[CURRENCY] = nullableText(attribute, Dimension.MAX_VALUE_LENGTH);
                case "country" -> lookups[COUNTRY] = nullableText(attribute, Dimension.MAX_VALUE_LENGTH);
                case "product_id" -> lookups[PRODUCT] = nullableText(attribute, Dimension.MAX_VALUE_LENGTH);
                case "amount" -> {
                    if (withAmount) {
                        amount = amount(attribute);
                    } else {
                        json.skipChildren();
                    }
                }
                default -> json.skipChildren();
            }
        }
        int end = (int) json.currentLocation().getByteOffset();
        expect(value[start] == '{' && value[end - 1] == '}');
        return Binary.fromReusedByteArray(value, start, end - start);
    }

    private Binary lookedUp(int attribute) {
        return propertyLookups[attribute] != null ? propertyLookups[attribute] : metadataLookups[attribute];
    }

    private Binary eventType(JsonToken token) {
        Binary type = text(token, 1, EventValidator.MAX_EVENT_TYPE_LENGTH);
        int start = tokenStart() + 1;
        for (int i = start; i < start + type.length(); i++) {
            expect(isEventTypeByte(value[i]));
        }
        return type;
    }

    /** The validator's event type characters: letters, digits and {@code _ . : -}. */
    private static boolean isEventTypeByte(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '.' || b == ':' || b == '-';
    }

    private long epochMillis(JsonToken token) throws IOException {
        expect(token == JsonToken.VALUE_NUMBER_INT && json.getNumberType() != JsonParser.NumberType.BIG_INTEGER);
        long millis = json.getLongValue();
        expect(millis >= 0 && millis < EventValidator.MAX_EPOCH_MILLIS);
        return millis;
    }

    private Double amount(JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT);
        double amount = json.getDoubleValue();
        expect(Double.isFinite(amount));
        return amount;
    }

    private Binary nullableText(JsonToken token, int maxBytes) {
        return token == JsonToken.VALUE_NULL ? null : text(token, 0, maxBytes);
    }

    /**
     * The string's UTF-8 bytes, which without escapes are its bytes in the record. Bytes are at least as many
     * as characters, so a length limit in bytes is never looser than the validator's in characters.
     */
    private Binary text(JsonToken token, int minBytes, int maxBytes) {
        expect(token == JsonToken.VALUE_STRING);
        int quote = tokenStart();
        expect(value[quote] == '"');
        int end = quote + 1;
        while (end < value.length && value[end] != '"') {
            expect(value[end] != '\\');
            end++;
        }
        int length = end - quote - 1;
        expect(end < value.length && length >= minBytes && length <= maxBytes);
        return Binary.fromReusedByteArray(value, quote + 1, length);
    }

    private int tokenStart() {
        return (int) json.currentTokenLocation().getByteOffset();
    }

    private static void expect(boolean inShape) {
        if (!inShape) {
            throw NotReadHere.INSTANCE;
        }
    }

    /** The record leaves the shape read here; thrown without a stack trace, as it says nothing about the code. */
    private static final class NotReadHere extends RuntimeException {
        static final NotReadHere INSTANCE = new NotReadHere();

        private NotReadHere() {
            super("not in the shape the ingest writes", null, false, false);
        }
    }
}
