package dev.trackstack.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;

import dev.trackstack.storage.BucketPlan.Part;
import dev.trackstack.storage.PointStore.Extent;
import org.junit.jupiter.api.Test;

class BucketPlanTests {

    private static final OffsetDateTime T0 = OffsetDateTime.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldReadTheCoarsestRollupNoWiderThanABucketAndFinerOnesForTheRaggedEnd() {
        BucketPlan plan = BucketPlan.ofRollups(steps(0, 9999, 1), 100);

        assertThat(plan.width()).isEqualTo(100);
        assertThat(plan.resolution()).isEqualTo("rollup-64:100");
        assertThat(plan.parts()).containsExactly(new Part(64, 0, 9920), new Part(8, 9984, 9992));
    }

    @Test
    void shouldCoverStepsOutsideWholeRollupBucketsWithRawPoints() {
        BucketPlan plan = BucketPlan.ofRollups(steps(5, 200, 1), 10);

        assertThat(plan.origin()).isEqualTo(5);
        assertThat(plan.last()).isEqualTo(200);
        assertThat(plan.resolution()).isEqualTo("rollup-8:20");
        assertThat(plan.parts()).containsExactly(new Part(0, 5, 7), new Part(8, 8, 192), new Part(0, 200, 200));
    }

    @Test
    void shouldReadRawPointsWhenBucketsAreNarrowerThanTheFinestRollup() {
        BucketPlan plan = BucketPlan.ofRollups(steps(0, 100, 1), 50);

        assertThat(plan.resolution()).isEqualTo("raw:3");
        assertThat(plan.parts()).containsExactly(new Part(0, 0, 100));
    }

    @Test
    void shouldPickTheCoarsestAggregateWhoseBucketsHoldNoMoreStepsThanAnAskedBucket() {
        // 10 steps a second: a 10-second bucket holds 100 steps, a minute 600; an asked bucket 361.
        BucketPlan plan = BucketPlan.ofAggregates(steps(0, 36000, 3600), 100);

        assertThat(plan.level()).isEqualTo(AggregateLevel.TEN_SECONDS);
        assertThat(plan.resolution()).isEqualTo("aggregate-10s:361");
        assertThat(plan.parts()).isEmpty();
    }

    @Test
    void shouldReadRawPointsWhenEvenASecondHoldsMoreStepsThanAnAskedBucket() {
        BucketPlan plan = BucketPlan.ofAggregates(steps(0, 1000, 1), 1000);

        assertThat(plan.level()).isNull();
        assertThat(plan.resolution()).isEqualTo("raw:2");
    }

    /** Steps first to last, logged evenly over that many seconds. */
    private static Extent steps(long first, long last, long seconds) {
        return new Extent(first, T0, last, T0.plusSeconds(seconds));
    }
}
