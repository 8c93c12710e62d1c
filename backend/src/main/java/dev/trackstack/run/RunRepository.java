package dev.trackstack.run;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface RunRepository extends JpaRepository<Run, Long> {

    @Query(value = "select exists (select from model where id = ?1)", nativeQuery = true)
    boolean modelExists(long modelId);
}
