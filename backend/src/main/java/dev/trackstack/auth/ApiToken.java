package dev.trackstack.auth;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** An API token: what it may do, and the SHA-256 hash of its secret (never the secret). */
@Entity
public class ApiToken {

    public enum Scope { READ, WRITE, MAINTAIN }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private String name;

    @Enumerated(EnumType.STRING)
    private Scope scope;

    /** Null for every project. */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]")
    private List<String> projects;

    private byte[] secretHash;

    private OffsetDateTime createdAt;

    private OffsetDateTime revokedAt;

    protected ApiToken() {
    }

    ApiToken(String name, Scope scope, List<String> projects, byte[] secretHash) {
        this.name = name;
        this.scope = scope;
        this.projects = projects;
        this.secretHash = secretHash;
        this.createdAt = OffsetDateTime.now();
    }

    Caller caller() {
        return new Caller("token " + id + " (" + name + ")", id, false, scope != Scope.READ,
                scope == Scope.MAINTAIN, projects == null ? null : Set.copyOf(projects));
    }

    void revoke() {
        if (revokedAt == null) {
            revokedAt = OffsetDateTime.now();
        }
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public Scope getScope() {
        return scope;
    }

    public List<String> getProjects() {
        return projects;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }

    public OffsetDateTime getRevokedAt() {
        return revokedAt;
    }
}
