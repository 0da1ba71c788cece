package io.analytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaPeerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void normalizeIsWhatIngestWritesToTheRawTopic() throws Exception {
        ObjectNode event = (ObjectNode) JSON.readTree("{\"event_id\":\"evt_1\",\"event_type\":\"page_view\","
                + "\"timestamp\":\"2024-05-01T12:00:00.250Z\",\"user_id\":\"user_7\",\"properties\":{\"page\":\"/\"}}");
        ObjectNode record = KafkaPeer.normalize(event, "demo");
        assertThat(JSON.writeValueAsString(record)).isEqualTo("{\"event_id\":\"evt_1\",\"event_type\":\"page_view\","
                + "\"timestamp\":1714564800250,\"user_id\":\"user_7\",\"properties\":{\"page\":\"/\"},\"project_id\":\"demo\"}");
        assertThat(event.get("timestamp").isTextual()).isTrue(); // the input is left alone
        // key "demo/user_7" + headers project_id=demo, event_id=evt_1
        assertThat(KafkaPeer.keyAndHeaderBytes(event, "demo")).isEqualTo(11 + 10 + 4 + 8 + 5);
    }

    @Test
    void payloadFileHasOneRawTopicRecordPerLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("payload.jsonl");
        KafkaPeer.PayloadStats stats = KafkaPeer.writePayload(file, 1200, "demo", 7);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1200);
        assertThat(stats.events()).isEqualTo(1200);
        long bytes = 0;
        Set<String> ids = new HashSet<>();
        Set<String> types = new HashSet<>();
        for (String line : lines) {
            JsonNode record = JSON.readTree(line);
            assertThat(record.get("timestamp").isIntegralNumber()).isTrue();
            assertThat(record.get("project_id").asText()).isEqualTo("demo");
            ids.add(record.get("event_id").asText());
            types.add(record.get("event_type").asText());
            bytes += line.getBytes(StandardCharsets.UTF_8).length;
        }
        assertThat(ids).hasSize(1200);
        assertThat(types).contains("page_view", "product_view", "add_to_cart");
        assertThat(stats.meanRecordBytes()).isEqualTo((double) bytes / 1200);
        assertThat(stats.meanRecordBytes()).isBetween(200.0, 600.0);
        assertThat(stats.fileBytes()).isEqualTo(bytes + 1200);
    }
}
