package dev.trackstack.metric;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Immutable;

/**
 * A series (run, name, split) and its summary, exposed as MetricSummary. Ingest keeps the summary current
 * with SQL, in the transaction that stores the points, so JPA only reads it.
 */
@Entity
@Immutable
public class MetricSeries {

    @Id
    private Long id;
    private Long runId;
    private String name;
    private String split;
    private long pointCount;
    private Long lastStep;
    private Double lastValue;
    private Long minStep;
    private Double minValue;
    private Long maxStep;
    private Double maxValue;

    protected MetricSeries() {
    }

    public Long getId() {
        return id;
    }

    public Long getRunId() {
        return runId;
    }

    public String getName() {
        return name;
    }

    public String getSplit() {
        return split;
    }

    public long getCount() {
        return pointCount;
    }

    public Long getLastStep() {
        return lastStep;
    }

    public Double getLast() {
        return lastValue;
    }

    public Long getMinStep() {
        return minStep;
    }

    public Double getMin() {
        return minValue;
    }

    public Long getMaxStep() {
        return maxStep;
    }

    public Double getMax() {
        return maxValue;
    }
}
