package dev.trackstack.run;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface RunRepository extends JpaRepository<Run, Long> {

    @Query(value = "select exists (select from model where id = ?1)", nativeQuery = true)
    boolean modelExists(long modelId);

    /** The name of the project that the run's model belongs to. */
    @Query(value = """
            select p.name from run r join model m on m.id = r.model_id join project p on p.id = m.project_id
            where r.id = ?1
            """, nativeQuery = true)
    String findProjectName(long runId);
}
