package io.analytics.core.journey;

/**
 * A run of one user's events with no gap longer than the inactivity gap. Its dimension values are its
 * first event's (where the visit came from), like a session's landing page.
 */
public record Session(String userId, long start, long end, int events, int pageViews, UserEvent first) {

    public long durationMillis() {
        return end - start;
    }

    /** A bounce: the visitor saw a single page (whatever else the session held). */
    public boolean isBounce() {
        return pageViews == 1;
    }
}
