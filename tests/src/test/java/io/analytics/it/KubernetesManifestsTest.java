package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.analytics.ops.OpsRoutes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every manifest of k8s/ (as listed by its kustomization) loaded into fabric8's typed Kubernetes models, and
 * the wiring checked against the node itself: probe paths and ports, labels and selectors, the RBAC that
 * cluster bootstrap needs, ConfigMap and Secret references, graceful termination and scaling bounds.
 */
class KubernetesManifestsTest {

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "Namespace", Namespace.class,
            "ServiceAccount", ServiceAccount.class,
            "Role", Role.class,
            "RoleBinding", RoleBinding.class,
            "ConfigMap", ConfigMap.class,
            "Secret", Secret.class,
            "Service", Service.class,
            "Deployment", Deployment.class,
            "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "PodDisruptionBudget", PodDisruptionBudget.class);

    static final List<HasMetadata> resources = new ArrayList<>();
    static Config node;
    static Deployment deployment;
    static Container container;
    static ConfigMap config;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws Exception {
        Path k8s = DeploymentFiles.repository().resolve("k8s");
        Map<String, Object> kustomization = new Yaml().load(Files.readString(k8s.resolve("kustomization.yaml")));
        List<String> listed = (List<String>) kustomization.get("resources");
        try (Stream<Path> files = Files.list(k8s)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> !f.equals("kustomization.yaml")))
                    .as("every manifest in k8s/ is listed in kustomization.yaml").containsExactlyInAnyOrderElementsOf(listed);
        }
        for (String file : listed) {
            for (Object document : new Yaml().loadAll(Files.readString(k8s.resolve(file)))) {
                JsonNode tree = ApiClient.JSON.valueToTree(document);
                String kind = tree.get("kind").asText();
                assertThat(KINDS).as(file + ": a typed model for kind " + kind).containsKey(kind);
                HasMetadata resource = ApiClient.JSON.treeToValue(tree, KINDS.get(kind));
                assertThat(tree.get("apiVersion").asText()).as(file + " " + kind)
                        .isEqualTo(KINDS.get(kind).getDeclaredConstructor().newInstance().getApiVersion());
                assertThat(unknownFields(resource, kind)).as(file + ": fields the " + kind + " model does not know").isEmpty();
                resources.add(resource);
            }
        }
        node = DeploymentFiles.nodeDefaults();
        deployment = one(Deployment.class);
        container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        config = one(ConfigMap.class);
    }

    @Test
    void probesUseTheNodesHealthEndpointsOnItsHttpPort() {
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo(OpsRoutes.LIVE_PATH);
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo(OpsRoutes.LIVE_PATH);
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo(OpsRoutes.READY_PATH);
        int httpPort = Integer.parseInt(config.getData().getOrDefault("ANALYTICS_PORT", node.getString("analytics.http.port")));
        for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())) {
            assertThat(containerPort(probe.getHttpGet().getPort().getStrVal())).isEqualTo(httpPort);
        }
        assertThat(config.getData().get("ANALYTICS_HOST")).as("listen on the pod's address").isEqualTo("0.0.0.0");
        Service service = one(Service.class);
        assertThat(containerPort(service.getSpec().getPorts().get(0).getTargetPort().getStrVal())).isEqualTo(httpPort);

        assertThat(containerPort(node.getString("pekko.discovery.kubernetes-api.pod-port-name")))
                .as("cluster bootstrap finds the management port by name")
                .isEqualTo(Integer.parseInt(config.getData().getOrDefault("ANALYTICS_MANAGEMENT_PORT", node.getString("pekko.management.http.port"))));
        assertThat(containerPort("remoting"))
                .isEqualTo(Integer.parseInt(config.getData().getOrDefault("ANALYTICS_CLUSTER_PORT", node.getString("pekko.remote.artery.canonical.port"))));
    }

    @Test
    void labelsAndSelectorsMatchThePods() {
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(podLabels).containsAllEntriesOf(one(Service.class).getSpec().getSelector());
        assertThat(podLabels).containsAllEntriesOf(one(PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels());
        assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution().get(0).getPodAffinityTerm().getLabelSelector().getMatchLabels());

        String serviceName = config.getData().getOrDefault("ANALYTICS_BOOTSTRAP_SERVICE_NAME",
                node.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name"));
        String[] selector = node.getString("pekko.discovery.kubernetes-api.pod-label-selector").formatted(serviceName).split("=");
        assertThat(podLabels).as("bootstrap's pod label selector finds the nodes").containsEntry(selector[0], selector[1]);

        var target = one(HorizontalPodAutoscaler.class).getSpec().getScaleTargetRef();
        assertThat(List.of(target.getApiVersion(), target.getKind(), target.getName()))
                .containsExactly(deployment.getApiVersion(), deployment.getKind(), deployment.getMetadata().getName());
    }

    @Test
    void theNodesMayListPodsForClusterBootstrap() {
        assertThat(config.getData().get("ANALYTICS_CLUSTER_BOOTSTRAP")).isEqualTo("true");
        assertThat(node.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method")).isEqualTo("kubernetes-api");
        String account = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(named(ServiceAccount.class, account)).isNotNull();
        RoleBinding binding = one(RoleBinding.class);
        assertThat(binding.getSubjects()).anySatisfy(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(account);
        });
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        Role role = named(Role.class, binding.getRoleRef().getName());
        assertThat(role.getRules()).anySatisfy(rule -> {
            assertThat(rule.getApiGroups()).contains("");
            assertThat(rule.getResources()).contains("pods");
            assertThat(rule.getVerbs()).contains("get", "list", "watch");
        });
        assertThat(role.getRules()).extracting(PolicyRule::getVerbs).allSatisfy(verbs ->
                assertThat(verbs).as("read only").isSubsetOf("get", "list", "watch"));
    }

    @Test
    void configMapAndSecretAreWiredWithVariablesTheNodeReads() {
        Set<String> known = DeploymentFiles.environmentOverrides();
        Set<String> used = new TreeSet<>(config.getData().keySet());
        container.getEnv().forEach(env -> used.add(env.getName()));
        assertThat(used).allSatisfy(name -> assertThat(known).as("application.conf reads " + name).contains(name));

        assertThat(container.getEnvFrom()).allSatisfy(source ->
                assertThat(named(ConfigMap.class, source.getConfigMapRef().getName())).isNotNull());
        Map<String, String> secretKeys = new HashMap<>();
        for (EnvVar env : container.getEnv()) {
            if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                var ref = env.getValueFrom().getSecretKeyRef();
                assertThat(named(Secret.class, ref.getName()).getStringData()).as(env.getName()).containsKey(ref.getKey());
                secretKeys.put(env.getName(), ref.getKey());
            }
        }
        assertThat(secretKeys).containsKeys("ANALYTICS_DB_PASSWORD", "ANALYTICS_DEMO_API_KEY");
        assertThat(config.getData()).doesNotContainKeys("ANALYTICS_DB_PASSWORD", "ANALYTICS_DEMO_API_KEY");
        EnvVar clusterHost = container.getEnv().stream().filter(e -> e.getName().equals("ANALYTICS_CLUSTER_HOST")).findFirst().orElseThrow();
        assertThat(clusterHost.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
    }

    @Test
    void terminationDrainsWithinTheGracePeriodAndScalingStaysWithinThePartitions() {
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        List<String> preStop = container.getLifecycle().getPreStop().getExec().getCommand();
        int preStopSeconds = Integer.parseInt(preStop.get(preStop.size() - 1).replaceAll("\\D", ""));
        // After preStop the node stops HTTP (≤ 5 s), consumers, then leaves the cluster handing off shards.
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(preStopSeconds + 30L);
        Probe startup = container.getStartupProbe();
        long joinTimeout = java.time.Duration.parse("PT" + config.getData().get("ANALYTICS_CLUSTER_JOIN_TIMEOUT").toUpperCase()).toSeconds();
        assertThat((long) startup.getPeriodSeconds() * startup.getFailureThreshold())
                .as("the startup probe waits at least as long as joining may take").isGreaterThanOrEqualTo(joinTimeout);
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(one(PodDisruptionBudget.class).getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

        HorizontalPodAutoscaler hpa = one(HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getMetrics()).anySatisfy(m -> assertThat(m.getResource().getName()).isEqualTo("cpu"));
        int partitions = Integer.parseInt(config.getData().get("ANALYTICS_KAFKA_PARTITIONS"));
        assertThat(hpa.getSpec().getMaxReplicas()).as("no more nodes than partitions").isLessThanOrEqualTo(partitions);
        assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);
        assertThat(container.getResources().getRequests()).as("the HPA needs a CPU request").containsKey("cpu");
    }

    private static int containerPort(String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError("no container port named " + name));
    }

    private static <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = resources.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    private static <T extends HasMetadata> T named(Class<T> type, String name) {
        return resources.stream().filter(type::isInstance).map(type::cast).filter(r -> r.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
    }

    /** Paths of fields the typed model did not recognise (fabric8 keeps them as additional properties): typos. */
    private static List<String> unknownFields(Object model, String path) throws Exception {
        List<String> unknown = new ArrayList<>();
        if (model instanceof Collection<?> items) {
            for (Object item : items) {
                unknown.addAll(unknownFields(item, path + "[]"));
            }
            return unknown;
        }
        if (model == null || !model.getClass().getPackageName().startsWith("io.fabric8")) {
            return unknown;
        }
        for (PropertyDescriptor property : Introspector.getBeanInfo(model.getClass()).getPropertyDescriptors()) {
            Method getter = property.getReadMethod();
            if (getter == null || getter.getParameterCount() > 0 || property.getName().equals("class")) {
                continue;
            }
            Object value = getter.invoke(model);
            if (property.getName().equals("additionalProperties") && value instanceof Map<?, ?> extra) {
                extra.keySet().forEach(key -> unknown.add(path + "." + key));
            } else if (value instanceof KubernetesResource || value instanceof Collection<?>) {
                unknown.addAll(unknownFields(value, path + "." + property.getName()));
            }
        }
        return unknown;
    }
}
