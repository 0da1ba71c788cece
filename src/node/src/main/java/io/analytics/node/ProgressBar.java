package io.analytics.node;

import com.fasterxml.jackson.databind.JsonNode;

/** The one-line progress bar of the launcher's long-running admin commands (rebuild, batch). */
final class ProgressBar {

    private static final int WIDTH = 30;

    private ProgressBar() {}

    /** {@code [#########.....................]  31%  312,000/1,000,000 events  52,000 ev/s  ETA 13s  building} */
    static String line(JsonNode progress, double seconds, String unit) {
        long total = Math.max(1, progress.get("total").asLong());
        long applied = progress.get("applied").asLong();
        double fraction = Math.min(1.0, applied / (double) total);
        int filled = (int) Math.round(fraction * WIDTH);
        double rate = seconds > 0 ? applied / seconds : 0;
        String eta = rate > 0 && applied < total ? String.format("ETA %ds", (long) Math.ceil((total - applied) / rate)) : "";
        return String.format("[%s%s] %3d%%  %,d/%,d %s  %,.0f/s  %-9s %s",
                "#".repeat(filled), ".".repeat(WIDTH - filled), Math.round(fraction * 100), applied, total, unit, rate, eta,
                progress.get("state").asText());
    }
}
