package io.analytics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.core.event.EventValidator;
import java.util.ArrayList;
import java.util.List;

/** One request's events, split into the valid ones and the rejections (with their index in the request). */
public record IngestBatch(List<EventValidator.Valid> valid, List<Rejection> rejected) {

    public record Rejection(int index, String eventId, String error) {}

    public static IngestBatch validate(String projectId, List<JsonNode> events) {
        List<EventValidator.Valid> valid = new ArrayList<>(events.size());
        List<Rejection> rejected = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            EventValidator.Result result = EventValidator.validate(events.get(i), projectId);
            if (result instanceof EventValidator.Valid ok) {
                valid.add(ok);
            } else if (result instanceof EventValidator.Invalid bad) {
                rejected.add(new Rejection(i, bad.eventId(), bad.error()));
            }
        }
        return new IngestBatch(valid, rejected);
    }

    public ObjectNode answer(int accepted, int duplicates) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("accepted", accepted);
        body.put("duplicates", duplicates);
        ArrayNode list = body.putArray("rejected");
        for (Rejection rejection : rejected) {
            ObjectNode item = list.addObject();
            item.put("index", rejection.index());
            item.put("event_id", rejection.eventId());
            item.put("error", rejection.error());
        }
        return body;
    }
}
