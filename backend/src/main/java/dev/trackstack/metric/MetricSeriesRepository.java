package dev.trackstack.metric;

import java.util.Collection;
import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;

public interface MetricSeriesRepository extends JpaRepository<MetricSeries, Long> {

    List<MetricSeries> findByRunIdInOrderByNameAscSplitAsc(Collection<Long> runIds);
}
