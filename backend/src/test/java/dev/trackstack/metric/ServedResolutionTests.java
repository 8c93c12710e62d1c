package dev.trackstack.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The resolution tag of trackstack_series_read_seconds: a level, never a bucket width. */
class ServedResolutionTests {

    @Test
    void shouldTagAReadWithTheLevelThatServedAllItsSeries() {
        assertThat(SeriesQuery.served(List.of(series("rollup-512:1000"), series("rollup-512:20"))))
                .isEqualTo("rollup-512");
        assertThat(SeriesQuery.served(List.of(series("aggregate-10s:1000")))).isEqualTo("aggregate-10s");
        assertThat(SeriesQuery.served(List.of(series("raw"), series("raw")))).isEqualTo("raw");
    }

    @Test
    void shouldTagMixedAndEmptyReadsAsSuch() {
        assertThat(SeriesQuery.served(List.of(series("raw"), series("rollup-8:10")))).isEqualTo("mixed");
        assertThat(SeriesQuery.served(List.of())).isEqualTo("none");
    }

    private static Series series(String resolution) {
        return new Series(1, "loss", null, 0, !resolution.equals("raw"), resolution, List.of());
    }
}
