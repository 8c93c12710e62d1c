package dev.trackstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart in deploy/helm, linted and rendered by Helm's own code (helm-java's native library), and every
 * rendered object read by the Kubernetes API's models, which refuse an unknown kind, an unknown field or a missing
 * required one. No cluster runs here: nothing is applied.
 */
class HelmChartTests {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path CHART = ROOT.resolve("deploy/helm/trackstack");
    private static final Path EXAMPLE_VALUES = ROOT.resolve("deploy/kubernetes/example-values.yaml");
    private static final Path MANIFESTS = ROOT.resolve("deploy/kubernetes/trackstack.yaml");
    private static final String MANIFESTS_HEADER = """
            # Rendered from deploy/helm/trackstack with deploy/kubernetes/example-values.yaml:
            #   helm template trackstack deploy/helm/trackstack -f deploy/kubernetes/example-values.yaml
            # HelmChartTests checks that it is current.
            """;

    /** The API types the chart may render, by apiVersion and kind: all of them stable (GA) APIs. */
    private static final Map<String, Class<?>> TYPES = Map.of(
            "apps/v1 Deployment", V1Deployment.class,
            "v1 Service", V1Service.class,
            "v1 Secret", V1Secret.class,
            "policy/v1 PodDisruptionBudget", V1PodDisruptionBudget.class,
            "networking.k8s.io/v1 Ingress", V1Ingress.class);

    private static final Gson GSON = new Gson();

    private static TemplateCommand template() {
        return new Helm(CHART).template().withName("trackstack");
    }

    /** The rendered objects, each read into its API type (which throws on what the API would refuse). */
    private static List<Object> objects(String rendered) throws IOException {
        List<Object> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(rendered)) {
            if (document == null) {
                continue;
            }
            Map<?, ?> map = (Map<?, ?>) document;
            String type = map.get("apiVersion") + " " + map.get("kind");
            assertThat(TYPES).as("a known API type").containsKey(type);
            objects.add(JSON.deserialize(GSON.toJson(map), TYPES.get(type)));
        }
        return objects;
    }

    private static <T> T one(List<Object> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    private static V1Container container(List<Object> objects) {
        return one(objects, V1Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static String env(V1Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().map(V1EnvVar::getValue)
                .orElse(null);
    }

    @Test
    void lintsStrictly() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void defaultValuesRenderReplicasOnS3WithProbes() throws IOException {
        List<Object> objects = objects(template().call());

        assertThat(objects).hasSize(3).noneMatch(o -> o instanceof V1Ingress || o instanceof V1Secret);
        V1Deployment deployment = one(objects, V1Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        V1Container container = container(objects);
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(container.getResources().getLimits()).containsKey("memory");
        assertThat(env(container, "TRACKSTACK_ARTIFACTS_STORE")).isEqualTo("S3");
        assertThat(env(container, "TRACKSTACK_AUTH_MODE")).isEqualTo("required");
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("TRACKSTACK_ADMIN_TOKEN")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("admin-token"));
        assertThat(one(objects, V1PodDisruptionBudget.class).getSpec().getMaxUnavailable().getIntValue()).isEqualTo(1);
        // Two replicas without a shared data volume: each client sticks to one, for uploads in parts.
        assertThat(one(objects, V1Service.class).getSpec().getSessionAffinity()).isEqualTo("ClientIP");
    }

    @Test
    void exampleValuesWithAChartMadeSecretRenderIngressS3AndSecret() throws IOException {
        String token = "0123456789abcdef0123456789abcdef";
        List<Object> objects = objects(template().withValuesFile(EXAMPLE_VALUES).set("secret.create", true)
                .set("secret.adminToken", token).set("secret.databasePassword", "db-secret")
                .set("secret.s3AccessKey", "trackstack").set("secret.s3SecretKey", "s3-secret")
                .set("secret.metricsToken", token.toUpperCase()).call());

        assertThat(objects).hasSize(5);
        V1Secret secret = one(objects, V1Secret.class);
        assertThat(secret.getMetadata().getName()).isEqualTo("trackstack");
        assertThat(secret.getStringData()).containsEntry("admin-token", token)
                .containsKeys("database-password", "s3-access-key", "s3-secret-key", "metrics-token");
        V1Container container = container(objects);
        assertThat(env(container, "TRACKSTACK_ARTIFACTS_S3_ENDPOINT")).isEqualTo("http://minio:9000");
        assertThat(env(container, "SPRING_DATASOURCE_URL")).isEqualTo("jdbc:postgresql://timescaledb:5432/trackstack");
        assertThat(one(objects, V1Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey("checksum/secret");

        V1Ingress ingress = one(objects, V1Ingress.class);
        // Subscriptions (WebSocket on /graphql) idle for long, uploads streamed in parts of 64 MiB.
        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "0")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-request-buffering", "off")
                .containsEntry("nginx.ingress.kubernetes.io/upstream-hash-by", "$remote_addr");
        assertThat(ingress.getSpec().getTls()).singleElement()
                .satisfies(tls -> assertThat(tls.getHosts()).containsExactly("trackstack.example.com"));
        assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths()).singleElement()
                .satisfies(path -> assertThat(path.getPath()).isEqualTo("/"));
    }

    @Test
    void aSharedDataVolumeNeedsNoStickiness() throws IOException {
        List<Object> objects = objects(template().set("dataVolume.existingClaim", "trackstack-uploads")
                .set("ingress.enabled", true).call());

        assertThat(one(objects, V1Service.class).getSpec().getSessionAffinity()).isNull();
        assertThat(one(objects, V1Ingress.class).getMetadata().getAnnotations())
                .doesNotContainKey("nginx.ingress.kubernetes.io/upstream-hash-by");
        assertThat(one(objects, V1Deployment.class).getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getName().equals("data")).singleElement()
                .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName())
                        .isEqualTo("trackstack-uploads"));
    }

    @Test
    void oneReplicaWithoutS3KeepsBlobsOnItsClaim() throws IOException {
        List<Object> objects = objects(template().set("replicaCount", 1).set("artifacts.s3.enabled", false)
                .set("dataVolume.existingClaim", "trackstack-data").call());

        V1Deployment deployment = one(objects, V1Deployment.class);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(env(container(objects), "TRACKSTACK_ARTIFACTS_STORE")).isNull();
    }

    @Test
    void refusesValuesThatCannotWork() {
        assertThatThrownBy(template().set("artifacts.s3.enabled", false)::call)
                .hasMessageContaining("replicaCount=2 needs artifacts.s3.enabled=true");
        assertThatThrownBy(template().set("replicaCount", 1).set("artifacts.s3.enabled", false)::call)
                .hasMessageContaining("name a PersistentVolumeClaim in dataVolume.existingClaim");
        assertThatThrownBy(template().set("secret.create", true).set("secret.adminToken", "short")
                .set("secret.databasePassword", "x")::call)
                .hasMessageContaining("secret.adminToken must have at least 32 characters");
    }

    /** A release sets them as it sets the Python client's version (CONTRIBUTING.md, Releases). */
    @Test
    void chartVersionsAreTheServersVersion() throws IOException {
        Map<?, ?> chart = new Yaml().load(Files.readString(CHART.resolve("Chart.yaml")));
        String version = System.getProperty("trackstack.version").replace("-SNAPSHOT", "");
        assertThat(chart.get("version")).as("version in deploy/helm/trackstack/Chart.yaml").isEqualTo(version);
        assertThat(chart.get("appVersion")).as("appVersion in deploy/helm/trackstack/Chart.yaml, the image's tag")
                .isEqualTo(version);
    }

    @Test
    void committedManifestsAreAFreshRender() throws IOException {
        String fresh = MANIFESTS_HEADER + template().withValuesFile(EXAMPLE_VALUES).call();
        Path written = Path.of("target/trackstack.yaml");
        Files.writeString(written, fresh);
        assertThat(Files.readString(MANIFESTS))
                .as("deploy/kubernetes/trackstack.yaml is not what the chart renders now; if the change is meant, "
                        + "copy the fresh render over it: cp backend/%s deploy/kubernetes/trackstack.yaml", written)
                .isEqualTo(fresh);
        assertThat(one(objects(fresh), V1Deployment.class).getSpec().getReplicas()).isEqualTo(3);
    }
}
