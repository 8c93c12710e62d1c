package dev.trackstack.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

class SeriesGroupsTests extends ApiTest {

    private static final Map<String, Object> BY_LR = Map.of("hyperparameters", List.of("lr"));

    @Test
    void shouldFoldEachGroupsRunsIntoMeanMedianMinMaxAndStd() {
        String model = createModel("resnet");
        String a1 = run(model, Map.of("lr", 0.001, "seed", 1), 1.0, 2.0, 3.0);
        String b1 = run(model, Map.of("lr", 0.01, "seed", 1), 10.0, 10.0);
        String a2 = run(model, Map.of("lr", 0.001, "seed", 2), 3.0, "NaN", 6.0);
        String a3 = run(model, Map.of("lr", 1e-3, "seed", 3), 8.0, 4.0, 0.0);
        String none = createRun(model, "no loss", Map.of("lr", 0.001), List.of());

        GraphQlTester.Response groups = groups(List.of(a1, b1, a2, a3, none), BY_LR, 1000);

        groups.path("seriesGroups[0].key").entity(Map.class).isEqualTo(Map.of("hyperparameters", Map.of("lr", 0.001)))
                .path("seriesGroups[0].runIds").entityList(String.class).containsExactly(a1, a2, a3)
                .path("seriesGroups[0].steps").entityList(Long.class).containsExactly(0L, 1L, 2L)
                .path("seriesGroups[0].mean").entityList(Double.class).containsExactly(4.0, 3.0, 3.0)
                .path("seriesGroups[0].median").entityList(Double.class).containsExactly(3.0, 3.0, 3.0)
                .path("seriesGroups[0].min").entityList(Double.class).containsExactly(1.0, 2.0, 0.0)
                .path("seriesGroups[0].max").entityList(Double.class).containsExactly(8.0, 4.0, 6.0)
                .path("seriesGroups[0].runs").entityList(Long.class).containsExactly(3L, 2L, 3L)
                .path("seriesGroups[1].key").entity(Map.class).isEqualTo(Map.of("hyperparameters", Map.of("lr", 0.01)))
                .path("seriesGroups[1].runIds").entityList(String.class).containsExactly(b1)
                .path("seriesGroups[1].std").entityList(Double.class).containsExactly(0.0, 0.0);
        List<Double> std = groups.path("seriesGroups[0].std").entityList(Double.class).get();
        assertThat(std.get(0)).isCloseTo(Math.sqrt(26.0 / 3), within(1e-12));  // 1, 3, 8 around 4
        assertThat(std.get(1)).isCloseTo(1.0, within(1e-12));  // 2, 4 around 3 (the NaN left out)
        groups.path("seriesGroups").entityList(Object.class).hasSize(2);
    }

    @Test
    void shouldAlignDownsampledRunsOnCommonBuckets() {
        String model = createModel("resnet");
        List<String> runs = new ArrayList<>();
        for (int offset = 0; offset < 3; offset++) {
            String run = createRun(model, "run " + offset, Map.of("lr", 0.1), List.of());
            List<Map<String, Object>> points = new ArrayList<>();
            for (int step = 0; step < 5000; step++) {
                points.add(point("loss", null, step, (double) step + offset));
            }
            logMetrics(run, points, null);
            runs.add(run);
        }

        GraphQlTester.Response groups = groups(runs, BY_LR, 100);

        List<Long> steps = groups.path("seriesGroups[0].steps").entityList(Long.class).get();
        List<Double> mean = groups.path("seriesGroups[0].mean").entityList(Double.class).get();
        List<Double> min = groups.path("seriesGroups[0].min").entityList(Double.class).get();
        List<Double> max = groups.path("seriesGroups[0].max").entityList(Double.class).get();
        assertThat(steps).hasSizeBetween(50, 100).isSorted().endsWith(4999L);
        for (int i = 0; i < steps.size(); i++) {
            // Every run is represented by the same step of the bucket, its value there being step + offset.
            assertThat(min.get(i)).isEqualTo((double) steps.get(i));
            assertThat(mean.get(i)).isEqualTo(steps.get(i) + 1.0);
            assertThat(max.get(i)).isEqualTo(steps.get(i) + 2.0);
        }
    }

    @Test
    void shouldGroupByModelAndTagsAndPutRunsWithoutTheKeyTogether() {
        String resnet = createModel("resnet");
        String vit = createModel("vit");
        String r1 = createRun(resnet, "r1", Map.of("optimizer", Map.of("name", "adam")), List.of("b", "a"));
        String r2 = createRun(resnet, "r2", Map.of(), List.of("a", "b"));
        String r3 = createRun(vit, "r3", Map.of(), List.of("a", "b"));
        String r4 = createRun(resnet, "r4", Map.of(), List.of("a"));
        for (String run : List.of(r1, r2, r3, r4)) {
            logMetrics(run, List.of(point("loss", "val", 0, 1.0)), null);
        }
        Map<String, Object> byAll = Map.of("hyperparameters", List.of("optimizer.name"), "model", true, "tags", true);

        GraphQlTester.Response groups = groups(List.of(r1, r2, r3, r4), byAll, 1000, "val");

        groups.path("seriesGroups[*].runIds").entityList(Object.class)
                .containsExactly(List.of(r1), List.of(r2), List.of(r3), List.of(r4));
        groups.path("seriesGroups[1].key").entity(Map.class).isEqualTo(Map.of(
                "hyperparameters", java.util.Collections.singletonMap("optimizer.name", null),
                "model", Map.of("id", resnet, "name", "resnet"), "tags", List.of("a", "b")));
        groups.path("seriesGroups[0].key.hyperparameters").entity(Map.class)
                .isEqualTo(Map.of("optimizer.name", "adam"));
        groups(List.of(r1, r2, r3, r4), Map.of("tags", true), 1000, "val")
                .path("seriesGroups[*].runIds").entityList(Object.class)
                .containsExactly(List.of(r1, r2, r3), List.of(r4));
    }

    @Test
    void shouldRefuseABadKeyOrTooManyPoints() {
        String run = run(createModel("resnet"), Map.of("lr", 0.1), 1.0);
        assertThat(errorCode(groups(List.of(run), Map.of("hyperparameters", List.of("")), 1000), "BAD_USER_INPUT"))
                .contains("hyperparameter key");
        errorCode(groups(List.of(run), BY_LR, 1_000_000_000), "LIMIT_EXCEEDED");
    }

    private String run(String model, Map<String, Object> hyperparameters, Object... values) {
        String run = createRun(model, "run", hyperparameters, List.of());
        List<Map<String, Object>> points = new ArrayList<>();
        for (int step = 0; step < values.length; step++) {
            points.add(point("loss", null, step, values[step]));
        }
        logMetrics(run, points, null);
        return run;
    }

    private GraphQlTester.Response groups(List<String> runs, Map<String, Object> by, int maxPoints) {
        return groups(runs, by, maxPoints, null);
    }

    private GraphQlTester.Response groups(List<String> runs, Map<String, Object> by, int maxPoints, String split) {
        return graphQl.documentName("seriesGroups").variable("runIds", runs).variable("by", by)
                .variable("name", "loss").variable("split", split).variable("maxPoints", maxPoints).execute();
    }
}
