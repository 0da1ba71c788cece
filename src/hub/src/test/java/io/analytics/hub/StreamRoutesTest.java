package io.analytics.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.junit.jupiter.api.Test;

/** How the plain WebSocket frames what accumulated for a client, one update per message or batched. */
class StreamRoutesTest {

    final LiveUpdate first = LiveUpdate.snapshot("a", alerts("first"));
    final LiveUpdate second = LiveUpdate.snapshot("b", alerts("second")).delta(alerts("changed"));
    final List<Outgoing> taken = List.of(new Outgoing.Notice("{\"type\":\"error\"}"), new Outgoing.Lagging(1, 3), first, second);

    @Test
    void byDefaultEachMessageIsAFrameOfItsOwn() throws Exception {
        List<JsonNode> frames = json(StreamRoutes.frames(taken));

        assertThat(frames).extracting(f -> f.get("type").asText())
                .containsExactly("error", "lagging", "metrics_update", "metrics_update");
        assertThat(frames.get(3)).isEqualTo(LiveJson.JSON.readTree(second.json()));
    }

    @Test
    void batchedAllUpdatesShareOneFrameAfterTheNoticesEachAsItsOwnMessageWouldBe() throws Exception {
        List<JsonNode> frames = json(StreamRoutes.batchedFrames(taken));

        assertThat(frames).extracting(f -> f.get("type").asText()).containsExactly("error", "lagging", "metrics_updates");
        assertThat(frames.get(2).get("updates")).containsExactly(
                LiveJson.JSON.readTree(first.json()), LiveJson.JSON.readTree(second.json()));
        assertThat(frames.get(2).get("updates").get(1).get("mode").asText()).isEqualTo("delta");
    }

    @Test
    void batchedNoticesAloneMakeNoUpdatesFrame() throws Exception {
        assertThat(json(StreamRoutes.batchedFrames(List.of(new Outgoing.Lagging(2, 2)))))
                .extracting(f -> f.get("type").asText()).containsExactly("lagging");
    }

    private static List<JsonNode> json(List<Message> frames) throws Exception {
        List<JsonNode> parsed = new java.util.ArrayList<>();
        for (Message frame : frames) {
            parsed.add(LiveJson.JSON.readTree(frame.asTextMessage().getStrictText()));
        }
        return parsed;
    }

    private static LiveValue alerts(String message) {
        return new LiveValue.Alerts(List.of(new Alert("rule", "series", AlertRule.Condition.ABOVE, 0, 1, 0, message)));
    }
}
