package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.analytics.ops.OpsRoutes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml cannot run here (no Docker), so it is read as YAML (anchors and merge keys resolved,
 * as Compose does) and its wiring checked: the services exist, the nodes point at them with variables the
 * node reads, Prometheus scrapes the nodes' metrics path, Grafana gets its data source and dashboard.
 */
class ComposeFileTest {

    private static final List<String> NODES = List.of("node-1", "node-2");

    static Map<String, Object> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(DeploymentFiles.repository().resolve("docker-compose.yml")));
        services = (Map<String, Object>) compose.get("services");
    }

    @Test
    void bringsUpKafkaPostgresAnObjectStoreMonitoringAndTwoNodes() {
        assertThat(services).containsKeys("kafka", "postgres", "minio", "prometheus", "grafana", "node-1", "node-2");
        Map<String, String> kafka = env("kafka");
        assertThat(kafka.get("KAFKA_PROCESS_ROLES")).as("KRaft, no ZooKeeper").isEqualTo("broker,controller");
        assertThat(services).doesNotContainKey("zookeeper");
        for (String node : NODES) {
            assertThat(map(node, "depends_on")).containsKeys("kafka", "postgres", "minio");
            assertThat(map(node, "build").get("dockerfile")).isEqualTo("deploy/Dockerfile");
            assertThat(DeploymentFiles.repository().resolve("deploy/Dockerfile")).isRegularFile();
        }
    }

    @Test
    void nodesUseOnlyVariablesTheNodeReads() {
        Set<String> known = DeploymentFiles.environmentOverrides();
        for (String node : NODES) {
            Set<String> used = new TreeSet<>(env(node).keySet());
            assertThat(used).as(node).isNotEmpty().allSatisfy(name -> assertThat(known).as(node + " sets " + name).contains(name));
        }
    }

    @Test
    void nodesPointAtTheServicesTheyNeed() {
        Map<String, String> kafka = env("kafka");
        Map<String, String> postgres = env("postgres");
        for (String node : NODES) {
            Map<String, String> env = env(node);
            assertThat(kafka.get("KAFKA_ADVERTISED_LISTENERS")).contains("//" + env.get("ANALYTICS_KAFKA_BOOTSTRAP_SERVERS"));
            assertThat(env.get("ANALYTICS_DB_URL")).isEqualTo("jdbc:postgresql://postgres:5432/" + postgres.get("POSTGRES_DB"));
            assertThat(env.get("ANALYTICS_DB_USER")).isEqualTo(postgres.get("POSTGRES_USER"));
            assertThat(env.get("ANALYTICS_DB_PASSWORD")).isEqualTo(postgres.get("POSTGRES_PASSWORD"));
            assertThat(env.get("ANALYTICS_CLUSTER_HOST")).as("remoting address is the service name").isEqualTo(node);
            String seed = env.get("ANALYTICS_CLUSTER_SEED_NODE");
            assertThat(seed).isEqualTo("pekko://analytics@node-1:" + DeploymentFiles.nodeDefaults().getInt("pekko.remote.artery.canonical.port"));
        }
        assertThat(env("node-1").get("ANALYTICS_CLUSTER_HOST")).isNotEqualTo(env("node-2").get("ANALYTICS_CLUSTER_HOST"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEveryNodeAndGrafanaIsProvisioned() throws Exception {
        Map<String, Object> prometheus = new Yaml().load(Files.readString(mountedFile("prometheus", "/etc/prometheus/prometheus.yml")));
        Map<String, Object> job = ((List<Map<String, Object>>) prometheus.get("scrape_configs")).get(0);
        assertThat(job.get("metrics_path")).isEqualTo(OpsRoutes.METRICS_PATH);
        List<String> targets = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) job.get("static_configs")) {
            targets.addAll((List<String>) group.get("targets"));
        }
        int httpPort = DeploymentFiles.nodeDefaults().getInt("analytics.http.port");
        assertThat(targets).containsExactlyInAnyOrderElementsOf(NODES.stream().map(n -> n + ":" + httpPort).toList());

        Path provisioning = mountedFile("grafana", "/etc/grafana/provisioning");
        Map<String, Object> datasources = new Yaml().load(Files.readString(provisioning.resolve("datasources/prometheus.yml")));
        Map<String, Object> datasource = ((List<Map<String, Object>>) datasources.get("datasources")).get(0);
        assertThat(datasource.get("url")).isEqualTo("http://prometheus:9090");
        Map<String, Object> providers = new Yaml().load(Files.readString(provisioning.resolve("dashboards/analytics.yml")));
        Map<String, Object> options = (Map<String, Object>) ((List<Map<String, Object>>) providers.get("providers")).get(0).get("options");
        Path dashboards = mountedFile("grafana", (String) options.get("path"));
        JsonNode dashboard = ApiClient.JSON.readTree(dashboards.resolve("analytics.json").toFile());
        assertThat(dashboard.get("panels")).isNotEmpty();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.at("/datasource/uid").asText()).as(panel.get("title").asText()).isEqualTo(datasource.get("uid"));
                assertThat(target.get("expr").asText()).isNotBlank();
            }
        }
    }

    /** The repository path bind-mounted at {@code target} in {@code service}. */
    @SuppressWarnings("unchecked")
    private static Path mountedFile(String service, String target) {
        for (String volume : (List<String>) ((Map<String, Object>) services.get(service)).get("volumes")) {
            String[] parts = volume.split(":");
            if (parts[1].equals(target)) {
                Path source = DeploymentFiles.repository().resolve(parts[0]).normalize();
                assertThat(source).as(volume).exists();
                return source;
            }
        }
        throw new AssertionError(service + " mounts nothing at " + target);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> env(String service) {
        Map<String, String> env = new java.util.HashMap<>();
        ((Map<String, Object>) ((Map<String, Object>) services.get(service)).get("environment"))
                .forEach((name, value) -> env.put(name, String.valueOf(value)));
        return env;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(String service, String key) {
        return (Map<String, Object>) ((Map<String, Object>) services.get(service)).get(key);
    }
}
