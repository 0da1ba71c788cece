package io.analytics.lake.archive;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.analytics.core.event.EventCodec;
import io.analytics.core.event.EventValidator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Records read straight from their bytes have the columns of the same records decoded in full, and the
 * records the straight reading leaves alone are decoded in full, malformed ones rejected with the decoder's
 * own message.
 */
class ArchivedRecordTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** As the ingest writes them: validated, timestamp in epoch milliseconds, project stamped, encoded. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{'event_id':'e1','event_type':'purchase_completed','timestamp':'2026-02-16T10:30:00.123Z','user_id':'u1','session_id':'s1',"
                + "'properties':{'amount':99.50,'currency':'USD','product_id':'prod_1','tags':['a','b'],'price':5.00},"
                + "'metadata':{'country':'DE','platform':'web'}}",
        "{'event_id':'e2','event_type':'page_view','timestamp':1771236000000}",
        "{'event_id':'e3','event_type':'add_to_cart','timestamp':1771236000000,'user_id':null,'properties':null,'metadata':{}}",
        "{'event_id':'é€','event_type':'a.b:c-d_9','timestamp':0,'user_id':'Zoë','properties':{'country':'Ελλάδα','amount':3},"
                + "'metadata':{'country':'GR','currency':'EUR','product_id':'p','nested':{'x':[1,{'y':null}]}}}",
        "{'event_id':'e5','event_type':'x','timestamp':1771236000000,'properties':{'currency':null,'amount':null},"
                + "'metadata':{'currency':'GBP','amount':'not looked at'},'extra':{'ignored':[true]}}",
    })
    void ingestRecordsAreReadStraightFromTheirBytesWithTheColumnsOfAFullDecode(String event) throws IOException {
        byte[] value = ingested(event);
        ArchivedRecord straight = RecordReader.read(value, 3, 42, 7);
        assertThat(straight).as("read straight from the bytes").isNotNull();
        assertThat(typedColumns(straight)).isEqualTo(typedColumns(ArchivedRecord.of(EventCodec.decode(value), 3, 42, 7)));
        JsonNode sent = JSON.readTree(value);
        assertThat(JSON.readTree(straight.properties().getBytes())).as("properties as written").isEqualTo(attributes(sent.get("properties")));
        assertThat(JSON.readTree(straight.metadata().getBytes())).as("metadata as written").isEqualTo(attributes(sent.get("metadata")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':'2026-02-16T10:30:00.123+01:00'}",
        "{'project_id':'p','event_id':'e\\u0031','event_type':'view','timestamp':1771236000000}",
        "{'project_id':'p','event_id':'\\uD83D\\uDE00','event_type':'view','timestamp':1771236000000}",
        "{'project_id':'p','event_id':'e1','event_type':'vi\\u0065w','timestamp':1771236000000}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'properties':{'country':7}}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'properties':{'country':{'a':1}},"
                + "'metadata':{'country':'DE'}}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'metadata':{'product_id':2.0}}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'user_id':'u\\n1'}",
    })
    void otherValidRecordsAreDecodedInFull(String event) throws IOException {
        byte[] value = event.replace('\'', '"').getBytes(UTF_8);
        assertThat(RecordReader.read(value, 0, 1, 2)).as("left to the full decode").isNull();
        assertThat(columns(ArchivedRecord.read(value, 0, 1, 2))).isEqualTo(columns(ArchivedRecord.of(EventCodec.decode(value), 0, 1, 2)));
    }

    /** Direct producers may repeat a name; the decoder's tree keeps the last value. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{'project_id':'p','event_id':'e1','event_id':'e2','event_type':'view','timestamp':1771236000000}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'properties':{'currency':'USD','currency':'EUR'}}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'properties':{'currency':'USD','currency':null},"
                + "'metadata':{'currency':'GBP'}}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'properties':{'country':'DE','amount':2},"
                + "'properties':{'currency':'USD'},'metadata':{'country':'FR'}}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'properties':{'currency':'USD','amount':2},"
                + "'properties':null}",
    })
    void aRepeatedNameTakesItsLastValue(String event) {
        byte[] value = event.replace('\'', '"').getBytes(UTF_8);
        ArchivedRecord straight = RecordReader.read(value, 0, 1, 2);
        assertThat(straight).as("read straight from the bytes").isNotNull();
        assertThat(typedColumns(straight)).isEqualTo(typedColumns(ArchivedRecord.of(EventCodec.decode(value), 0, 1, 2)));
    }

    @Test
    void longLookedUpTextIsCutLikeTheDimension() throws IOException {
        String country = "c".repeat(300);
        byte[] value = ingested("{'event_id':'e1','event_type':'view','timestamp':1771236000000,'properties':{'country':'" + country + "'}}");
        assertThat(ArchivedRecord.read(value, 0, 0, 0).country().toStringUsingUTF8()).isEqualTo(country.substring(0, 256));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json",
        "[1,2]",
        "{'event_id':'e1','event_type':'view','timestamp':1771236000000}",
        "{'project_id':'p','event_type':'view','timestamp':1771236000000}",
        "{'project_id':'p','event_id':'','event_type':'view','timestamp':1771236000000}",
        "{'project_id':'p','event_id':'e1','event_type':'no spaces','timestamp':1771236000000}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':-1}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1.5}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'user_id':7}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'properties':[]}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'properties':{'amount':'12'}}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'properties':{'amount':1e999}}",
        "{'project_id':'p','event_id':'e1','event_type':'view','timestamp':1771236000000,'properties':{'country':'DE'",
    })
    void malformedRecordsAreRejectedWithTheDecodersMessage(String event) {
        byte[] value = event.replace('\'', '"').getBytes(UTF_8);
        String expected = catchMessage(value);
        assertThatThrownBy(() -> ArchivedRecord.read(value, 0, 0, 0))
                .isInstanceOf(EventCodec.MalformedEventException.class).hasMessage(expected);
    }

    @Test
    void aRecordWithoutValueIsMalformedRatherThanAFailure() {
        assertThatThrownBy(() -> ArchivedRecord.read(null, 0, 0, 0))
                .isInstanceOf(EventCodec.MalformedEventException.class).hasMessageStartingWith("record has no value");
        assertThatThrownBy(() -> ArchivedRecord.read(new byte[0], 0, 0, 0))
                .isInstanceOf(EventCodec.MalformedEventException.class).hasMessageStartingWith("record has no value");
    }

    private static String catchMessage(byte[] value) {
        try {
            EventCodec.decode(value);
        } catch (EventCodec.MalformedEventException e) {
            return e.getMessage();
        }
        throw new AssertionError("not malformed: " + new String(value, UTF_8));
    }

    private static byte[] ingested(String event) throws IOException {
        EventValidator.Result result = EventValidator.validate(JSON.readTree(event.replace('\'', '"')), "demo");
        return EventCodec.encode(((EventValidator.Valid) result).normalized());
    }

    private static JsonNode attributes(JsonNode sent) {
        return sent == null || sent.isNull() ? JSON.createObjectNode() : sent;
    }

    /** Every column: text as strings, the JSON columns as trees, so that formatting does not count. */
    private static List<Object> columns(ArchivedRecord record) throws IOException {
        List<Object> columns = new ArrayList<>(typedColumns(record));
        columns.add(JSON.readTree(record.properties().getBytes()));
        columns.add(JSON.readTree(record.metadata().getBytes()));
        return columns;
    }

    private static List<Object> typedColumns(ArchivedRecord record) {
        return Arrays.asList(text(record.eventId()), text(record.eventType()), record.timestamp(), text(record.userId()),
                text(record.sessionId()), text(record.projectId()), record.amount(), text(record.currency()), text(record.country()),
                text(record.productId()), record.partition(), record.offset(), record.brokerTime());
    }

    private static String text(Binary value) {
        return value == null ? null : value.toStringUsingUTF8();
    }
}
