package dev.trackstack.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;

class SeriesTests extends ApiTest {

    /** 10,000 steps of a falling loss with one spike, logged in batches as a training script would. */
    private String runWithSpike(long spikeStep) {
        String run = createRun();
        for (int batch = 0; batch < 10; batch++) {
            List<Map<String, Object>> points = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                long step = batch * 1000L + i;
                points.add(point("loss", "train", step, step == spikeStep ? 1000.0 : 1.0 / (1 + step)));
            }
            logMetrics(run, points, "b" + batch);
        }
        return run;
    }

    @Test
    void shouldQueryWithoutJitCompilation() {
        // Compiling a chart query costs more than running it (see application.properties).
        assertThat(jdbc.queryForObject("show jit", String.class)).isEqualTo("off");
    }

    @Test
    void shouldReturnAShortSeriesRaw() {
        String run = createRun();
        logMetrics(run, List.of(point("loss", "train", 0, 2.0), point("loss", "train", 5, 1.0)), null);

        graphQl.documentName("series").variable("runIds", List.of(run)).execute()
                .path("series[0].downsampled").entity(Boolean.class).isEqualTo(false)
                .path("series[0].resolution").entity(String.class).isEqualTo("raw")
                .path("series[0].totalPoints").entity(Long.class).isEqualTo(2L)
                .path("series[0].points[*].step").entityList(Long.class).containsExactly(0L, 5L)
                .path("series[0].points[0].min").valueIsNull()
                .path("series[0].points[0].count").valueIsNull();
    }

    @Test
    void shouldDownsampleALongSeriesAndKeepTheSpike() {
        String run = runWithSpike(5123);

        var response = graphQl.documentName("series").variable("runIds", List.of(run)).variable("maxPoints", 100)
                .execute();
        response.path("series[0].downsampled").entity(Boolean.class).isEqualTo(true)
                .path("series[0].totalPoints").entity(Long.class).isEqualTo(10_000L)
                .path("series[0].resolution").entity(String.class).isEqualTo("rollup-64:100");
        List<Long> steps = response.path("series[0].points[*].step").entityList(Long.class).get();
        List<Double> maxima = response.path("series[0].points[*].max").entityList(Double.class).get();
        List<Integer> counts = response.path("series[0].points[*].count").entityList(Integer.class).get();

        assertThat(steps).hasSizeLessThanOrEqualTo(100).isSorted();
        assertThat(maxima).contains(1000.0);
        assertThat(counts.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10_000);
        // Each representative is a real point, the bucket's last.
        assertThat(steps.get(0)).isBetween(0L, 99L);
        assertThat(steps.get(steps.size() - 1)).isEqualTo(9999L);
    }

    @Test
    void shouldGiveThePointsColumnByColumnToo() {
        String raw = createRun();
        logMetrics(raw, List.of(point("loss", null, 0, 2.0), point("loss", null, 1, "NaN")), null);
        String downsampled = runWithSpike(5123);

        for (String run : List.of(raw, downsampled)) {
            var response = graphQl.documentName("seriesColumns").variable("maxPoints", 100)
                    .variable("runIds", List.of(run)).execute();
            for (String[] column : new String[][] {{"step", "steps"}, {"time", "times"}, {"value", "values"},
                    {"min", "mins"}, {"max", "maxes"}, {"count", "counts"}}) {
                List<Object> points = response.path("series[0].points[*]." + column[0]).entityList(Object.class).get();
                response.path("series[0]." + column[1]).entityList(Object.class).containsExactly(points.toArray());
            }
        }
    }

    @Test
    void shouldShowDetailWhenZoomedIntoAStepRange() {
        String run = runWithSpike(5123);

        var response = graphQl.documentName("series").variable("runIds", List.of(run)).variable("maxPoints", 100)
                .variable("fromStep", 5100).variable("toStep", 5150).execute();
        response.path("series[0].downsampled").entity(Boolean.class).isEqualTo(false);
        List<Long> steps = response.path("series[0].points[*].step").entityList(Long.class).get();
        assertThat(steps).hasSize(51).startsWith(5100L).endsWith(5150L);
        response.path("series[0].points[23].value").entity(Double.class).isEqualTo(1000.0);
    }

    @Test
    void shouldNeverReturnMoreThanMaxPointsForOddRanges() {
        String run = runWithSpike(-1);

        for (int maxPoints : new int[] {1, 3, 7, 999, 1000}) {
            List<Long> steps = graphQl.documentName("series").variable("runIds", List.of(run))
                    .variable("maxPoints", maxPoints).variable("fromStep", 17).variable("toStep", 9_001).execute()
                    .path("series[0].points[*].step").entityList(Long.class).get();
            assertThat(steps).hasSizeLessThanOrEqualTo(maxPoints).isNotEmpty()
                    .allMatch(step -> step >= 17 && step <= 9001);
        }
    }

    @Test
    void shouldSelectSeriesByNameAndSplitIncludingSplitLessOnes() {
        String run = createRun();
        logMetrics(run, List.of(point("loss", "train", 0, 1.0), point("loss", "validation", 0, 2.0),
                point("lr", null, 0, 0.1)), null);

        graphQl.documentName("series").variable("runIds", List.of(run)).execute()
                .path("series[*].name").entityList(String.class).containsExactly("loss", "loss", "lr");
        graphQl.documentName("series").variable("runIds", List.of(run)).variable("names", List.of("loss"))
                .variable("splits", List.of("validation")).execute()
                .path("series[*].split").entityList(String.class).containsExactly("validation");
        List<String> nullSplit = new ArrayList<>();
        nullSplit.add(null);
        graphQl.documentName("series").variable("runIds", List.of(run)).variable("splits", nullSplit).execute()
                .path("series[*].name").entityList(String.class).containsExactly("lr");
    }

    @Test
    void shouldReadSeveralRunsAtOnce() {
        String first = createRun();
        String second = createRun();
        logMetrics(first, List.of(point("loss", null, 0, 1.0)), null);
        logMetrics(second, List.of(point("loss", null, 0, 2.0)), null);

        List<String> runIds = graphQl.documentName("series").variable("runIds", List.of(first, second)).execute()
                .path("series[*].runId").entityList(String.class).get();
        assertThat(runIds).containsExactlyInAnyOrder(first, second);
    }

    @Test
    void shouldTellHowItStoresPoints() {
        graphQl.documentName("serverInfo").execute()
                .path("serverInfo.storage").entity(String.class).isEqualTo("POSTGRESQL")
                .path("serverInfo.levels").entityList(String.class).containsExactly("rollup-8", "rollup-64",
                        "rollup-512", "rollup-4096", "rollup-32768", "rollup-262144")
                .path("serverInfo.version").entity(String.class).isEqualTo(System.getProperty("trackstack.version"));
    }

    @Test
    void shouldKeepToMaxPointsWhenStepsSpanTheWholeLongRange() {
        String run = createRun();
        logMetrics(run, List.of(point("loss", null, 0, 1.0), point("loss", null, 1, 2.0),
                point("loss", null, Long.MAX_VALUE, 3.0)), null);

        graphQl.documentName("series").variable("runIds", List.of(run)).variable("maxPoints", 2).execute()
                .path("series[0].points[*].step").entityList(Long.class).containsExactly(1L, Long.MAX_VALUE);
    }

    @Test
    void shouldRejectMaxPointsOutsideTheLimit() {
        String run = createRun();
        errorCode(graphQl.documentName("series").variable("runIds", List.of(run)).variable("maxPoints", 0)
                .execute(), "LIMIT_EXCEEDED");
        assertThat(errorCode(graphQl.documentName("series").variable("runIds", List.of(run))
                .variable("maxPoints", 10_001).execute(), "LIMIT_EXCEEDED")).contains("10000");
        errorCode(graphQl.documentName("series").variable("runIds", List.of(run)).variable("fromStep", 10)
                .variable("toStep", 5).execute(), "BAD_USER_INPUT");
    }
}
