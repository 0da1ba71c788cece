package io.analytics.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A reproducible stream of valid events for the integration tests: a few hundred users browsing and
 * buying over 30 minutes of event time, posted out of order within blocks of three minutes (less than
 * the allowed lateness, so every event counts).
 */
final class EventScenario {

    static final Instant START = Instant.parse("2026-02-16T10:00:00Z");
    static final String[] TYPES = {"page_view", "product_view", "add_to_cart", "checkout_started",
            "purchase_completed", "payment_failed", "refund"};
    static final String[] COUNTRIES = {"US", "DE", "FR", "GB", "JP", "BR", "IN"};
    static final String[] CURRENCIES = {"USD", "EUR", "GBP"};

    private EventScenario() {}

    /** {@code count} events in posting order (shuffled within three-minute blocks of event time). */
    static List<ObjectNode> generate(long seed, int count, String idPrefix) {
        Random random = new Random(seed);
        List<ObjectNode> events = new ArrayList<>(count);
        long span = 30 * 60_000L;
        for (int i = 0; i < count; i++) {
            long time = START.toEpochMilli() + (span * i) / count + random.nextInt(1000);
            events.add(event(random, idPrefix + "-" + i, time));
        }
        List<ObjectNode> posted = new ArrayList<>(count);
        long block = 3 * 60_000L;
        for (long from = START.toEpochMilli(); from < START.toEpochMilli() + span; from += block) {
            long lo = from;
            List<ObjectNode> inBlock = new ArrayList<>(events.stream()
                    .filter(e -> millis(e) >= lo && millis(e) < lo + block).toList());
            Collections.shuffle(inBlock, random);
            posted.addAll(inBlock);
        }
        return posted;
    }

    static long millis(ObjectNode event) {
        return Instant.parse(event.get("timestamp").asText()).toEpochMilli();
    }

    /** One event of the scenario's mix at {@code time}. */
    static ObjectNode event(Random random, String id, long time) {
        String type = TYPES[weighted(random)];
        ObjectNode event = ApiClient.JSON.createObjectNode();
        event.put("event_id", id);
        event.put("event_type", type);
        event.put("timestamp", Instant.ofEpochMilli(time).toString());
        if (random.nextInt(20) != 0) {
            event.put("user_id", "user_" + random.nextInt(300));
        }
        event.put("session_id", "sess_" + random.nextInt(1000));
        ObjectNode properties = event.putObject("properties");
        if (random.nextInt(10) != 0) {
            properties.put("country", COUNTRIES[random.nextInt(COUNTRIES.length)]);
        }
        if (!type.equals("page_view")) {
            properties.put("product_id", "prod_" + random.nextInt(30));
        }
        if (type.equals("purchase_completed") || type.equals("refund")) {
            properties.put("amount", Math.round((5 + random.nextDouble() * 195) * 100) / 100.0);
            properties.put("currency", CURRENCIES[random.nextInt(CURRENCIES.length)]);
        }
        event.putObject("metadata").put("platform", random.nextBoolean() ? "web" : "ios");
        return event;
    }

    private static int weighted(Random random) {
        int roll = random.nextInt(100);
        if (roll < 40) return 0;
        if (roll < 65) return 1;
        if (roll < 78) return 2;
        if (roll < 86) return 3;
        if (roll < 94) return 4;
        if (roll < 98) return 5;
        return 6;
    }
}
