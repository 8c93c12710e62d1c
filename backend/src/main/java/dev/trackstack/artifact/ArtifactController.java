package dev.trackstack.artifact;

import java.util.List;

import dev.trackstack.run.Run;
import dev.trackstack.system.Page;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;

/** The artifacts' GraphQL fields (graphql/artifact.graphqls); AccessGuard keeps tokens to their projects. */
@Controller
class ArtifactController {

    private final Artifacts artifacts;
    private final ArtifactLog log;
    private final DownloadLinks links;

    ArtifactController(Artifacts artifacts, ArtifactLog log, DownloadLinks links) {
        this.artifacts = artifacts;
        this.log = log;
        this.links = links;
    }

    @QueryMapping
    Page<Artifact> artifacts(@Argument String project, @Argument String type, @Argument String namePrefix,
            @Argument Integer first, @Argument String after) {
        return artifacts.list(project, type, namePrefix, first, after);
    }

    @QueryMapping
    Artifact artifact(@Argument String project, @Argument String name) {
        return artifacts.find(project, name);
    }

    @QueryMapping
    ArtifactVersion artifactVersion(@Argument String project, @Argument String name, @Argument Integer version,
            @Argument String alias) {
        return artifacts.resolve(project, name, version, alias);
    }

    @QueryMapping
    ArtifactStorage artifactStorage(@Argument String project) {
        return artifacts.storage(project);
    }

    @MutationMapping
    LoggedArtifact logArtifact(@Argument LogArtifactInput input) {
        return log.log(input);
    }

    @MutationMapping
    ArtifactVersion useArtifact(@Argument String runId, @Argument String project, @Argument String name,
            @Argument Integer version, @Argument String alias) {
        return artifacts.use(runId, project, name, version, alias);
    }

    @MutationMapping
    ArtifactVersion setArtifactAlias(@Argument String project, @Argument String name, @Argument String alias,
            @Argument int version) {
        return artifacts.setAlias(project, name, alias, version);
    }

    @MutationMapping
    boolean deleteArtifactAlias(@Argument String project, @Argument String name, @Argument String alias) {
        return artifacts.deleteAlias(project, name, alias);
    }

    @MutationMapping
    boolean deleteArtifactVersion(@Argument String project, @Argument String name, @Argument int version) {
        return artifacts.deleteVersion(project, name, version);
    }

    @SchemaMapping(typeName = "Run", field = "loggedArtifacts")
    List<ArtifactVersion> loggedArtifacts(Run run) {
        return artifacts.loggedBy(run);
    }

    @SchemaMapping(typeName = "Run", field = "usedArtifacts")
    List<ArtifactVersion> usedArtifacts(Run run) {
        return artifacts.usedBy(run);
    }

    @SchemaMapping(typeName = "Artifact", field = "versions")
    Page<ArtifactVersion> versions(Artifact artifact, @Argument Integer first, @Argument String after) {
        return artifacts.versions(artifact, first, after);
    }

    @SchemaMapping(typeName = "Artifact", field = "aliases")
    List<ArtifactAlias> artifactAliases(Artifact artifact) {
        return artifacts.aliases(artifact);
    }

    @SchemaMapping(typeName = "ArtifactVersion", field = "artifact")
    Artifact versionArtifact(ArtifactVersion version) {
        return artifacts.artifact(version.artifactId());
    }

    @SchemaMapping(typeName = "ArtifactVersion", field = "aliases")
    List<String> versionAliases(ArtifactVersion version) {
        return artifacts.aliases(version);
    }

    @SchemaMapping(typeName = "ArtifactVersion", field = "files")
    Page<ArtifactFile> files(ArtifactVersion version, @Argument String pathPrefix, @Argument Integer first,
            @Argument String after) {
        return artifacts.files(version, pathPrefix, first, after);
    }

    @SchemaMapping(typeName = "ArtifactVersion", field = "producedBy")
    Run producedBy(ArtifactVersion version) {
        return artifacts.producedBy(version);
    }

    @SchemaMapping(typeName = "ArtifactVersion", field = "usedBy")
    List<Run> usedBy(ArtifactVersion version) {
        return artifacts.usedBy(version);
    }

    @SchemaMapping(typeName = "ArtifactFile", field = "downloadUrl")
    String downloadUrl(ArtifactFile file) {
        return links.url(file.project(), file.sha256(), file.path());
    }
}
