package dev.trackstack.project;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;

public interface ModelRepository extends JpaRepository<Model, Long> {

    Optional<Model> findByProjectIdAndName(Long projectId, String name);

    List<Model> findByProjectIdInOrderByName(Collection<Long> projectIds);
}
