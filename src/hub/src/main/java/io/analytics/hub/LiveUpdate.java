package io.analytics.hub;

/**
 * A series' new value for its subscribers: a snapshot (the whole value) or a delta (what changed
 * since the previous update). A delta knows the snapshot of the same value, so a client that missed
 * updates can be sent that instead. The JSON is rendered once, on first use, and shared.
 */
public final class LiveUpdate implements Outgoing {

    private final String name;
    private final LiveValue value;
    private final LiveUpdate snapshot;
    private volatile String json;

    private LiveUpdate(String name, LiveValue value, LiveUpdate snapshot) {
        this.name = name;
        this.value = value;
        this.snapshot = snapshot == null ? this : snapshot;
    }

    static LiveUpdate snapshot(String name, LiveValue value) {
        return new LiveUpdate(name, value, null);
    }

    /** A delta carrying {@code changes}, whose snapshot is this update's. */
    LiveUpdate delta(LiveValue changes) {
        return new LiveUpdate(name, changes, snapshot);
    }

    public String name() {
        return name;
    }

    public LiveValue value() {
        return value;
    }

    public boolean isSnapshot() {
        return snapshot == this;
    }

    public LiveUpdate asSnapshot() {
        return snapshot;
    }

    /** {@code {"type":"metrics_update","name":…,"mode":"snapshot"|"delta","data":{…}}} */
    public String json() {
        String rendered = json;
        if (rendered == null) {
            rendered = LiveJson.update(this);
            json = rendered;
        }
        return rendered;
    }
}
