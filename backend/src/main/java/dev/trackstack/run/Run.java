package dev.trackstack.run;

import java.time.OffsetDateTime;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One run of a model: training, or an eval (its kind). Updates write the changed columns only, so that renaming a
 * run, say, cannot undo a status or heartbeat that RunLifecycle wrote meanwhile.
 */
@Entity
@DynamicUpdate
public class Run {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private Long modelId;

    private String name;

    @Enumerated(EnumType.STRING)
    private RunKind kind;

    @Enumerated(EnumType.STRING)
    private RunStatus status;

    /** A JSON object, kept as its text: the API hands it through and filters run in SQL. */
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String hyperparameters;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]")
    private List<String> tags;

    private String notes;

    private OffsetDateTime createdAt;

    private OffsetDateTime finishedAt;

    private OffsetDateTime lastHeartbeatAt;

    /** RunFailure as JSON while the run is FAILED and its script said why; null otherwise. */
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String failure;

    protected Run() {
    }

    public Run(Long modelId, RunKind kind, String name, String hyperparameters, List<String> tags, String notes) {
        this.modelId = modelId;
        this.kind = kind;
        this.name = name;
        this.hyperparameters = hyperparameters;
        this.tags = tags;
        this.notes = notes;
        this.status = RunStatus.RUNNING;
        this.createdAt = OffsetDateTime.now();
    }

    /**
     * Moves to the status; leaving RUNNING stamps the finish time, returning to it clears it. The failure (JSON, for
     * FAILED only) replaces what was kept.
     */
    void changeStatus(RunStatus status, String failure) {
        this.failure = failure;
        if (status == this.status) {
            return;
        }
        this.status = status;
        this.finishedAt = status == RunStatus.RUNNING ? null : OffsetDateTime.now();
    }

    public void rename(String name) {
        this.name = name;
    }

    public void setNotes(String notes) {
        this.notes = notes;
    }

    public void setTags(List<String> tags) {
        this.tags = tags;
    }

    public Long getId() {
        return id;
    }

    public Long getModelId() {
        return modelId;
    }

    public String getName() {
        return name;
    }

    public RunKind getKind() {
        return kind;
    }

    public RunStatus getStatus() {
        return status;
    }

    public String getHyperparameters() {
        return hyperparameters;
    }

    public List<String> getTags() {
        return tags;
    }

    public String getNotes() {
        return notes;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }

    public String getFailure() {
        return failure;
    }

    public OffsetDateTime getFinishedAt() {
        return finishedAt;
    }

    public OffsetDateTime getLastHeartbeatAt() {
        return lastHeartbeatAt;
    }
}
