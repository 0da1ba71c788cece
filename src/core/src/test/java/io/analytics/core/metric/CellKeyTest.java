package io.analytics.core.metric;

import static org.assertj.core.api.Assertions.assertThat;

import io.analytics.core.window.WindowSize;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cell's key is equal to another exactly when every part is, whichever part differs (equality is written out). */
class CellKeyTest {

    private static final CellKey KEY = new CellKey("p", WindowSize.ONE_MINUTE, 60_000, "country", "US", "page_view");

    @Test
    void equalPartsMakeEqualKeysWithEqualHashes() {
        CellKey same = new CellKey(new String("p"), WindowSize.ONE_MINUTE, 60_000, new String("country"), new String("US"),
                new String("page_view"));
        assertThat(same).isEqualTo(KEY).hasSameHashCodeAs(KEY);
        CellKey ungrouped = new CellKey("p", WindowSize.ONE_MINUTE, 60_000, "", null, CellKey.ALL_TYPES);
        assertThat(ungrouped).isEqualTo(new CellKey("p", WindowSize.ONE_MINUTE, 60_000, "", null, CellKey.ALL_TYPES));
    }

    @Test
    void anyDifferingPartMakesADifferentKey() {
        List<CellKey> others = List.of(
                new CellKey("q", WindowSize.ONE_MINUTE, 60_000, "country", "US", "page_view"),
                new CellKey("p", WindowSize.FIVE_MINUTES, 60_000, "country", "US", "page_view"),
                new CellKey("p", WindowSize.ONE_MINUTE, 120_000, "country", "US", "page_view"),
                new CellKey("p", WindowSize.ONE_MINUTE, 60_000, "platform", "US", "page_view"),
                new CellKey("p", WindowSize.ONE_MINUTE, 60_000, "country", "DE", "page_view"),
                new CellKey("p", WindowSize.ONE_MINUTE, 60_000, "country", null, "page_view"),
                new CellKey("p", WindowSize.ONE_MINUTE, 60_000, "country", "US", CellKey.ALL_TYPES));
        assertThat(others).allSatisfy(other -> assertThat(other).isNotEqualTo(KEY));
        assertThat(others).doesNotHaveDuplicates();
    }
}
