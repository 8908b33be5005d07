import Foundation
import PikaMemory
import PikaService
import PikaTestSupport
import Testing

@Suite("deploy/ manifests", .blockingWork)
struct ManifestTests {
    @Test func everyYAMLFileUnderDeployParses() throws {
        let files = DeploymentFiles.yamlFiles
        for expected in [
            DeploymentFiles.compose, DeploymentFiles.prometheus, DeploymentFiles.alerts,
            "deploy/grafana/provisioning/datasources/prometheus.yml",
            "deploy/grafana/provisioning/dashboards/pika.yml",
        ] {
            #expect(files.contains(expected), "missing \(expected)")
        }
        for file in files {
            let documents = try YAMLDocuments.load(file)
            #expect(!documents.isEmpty, "\(file) holds no YAML document")
            #expect(documents.allSatisfy { $0.objectValue != nil }, "\(file): every document must be a mapping")
        }
    }

    @Test func composeNamesEveryServiceWithAHealthcheck() throws {
        let compose = try YAMLDocuments.single(DeploymentFiles.compose)
        let services = compose["services"]?.objectValue ?? [:]
        for name in ["pika", "postgres", "redis", "prometheus", "grafana"] {  // the worker has no HTTP to check
            guard let service = services[name] else {
                Issue.record("\(DeploymentFiles.compose) has no service \(name)")
                continue
            }
            let test = service["healthcheck"]?["test"]?.elements.compactMap(\.stringValue) ?? []
            #expect(test.first == "CMD" || test.first == "CMD-SHELL", "\(name): healthcheck test must be a CMD list")
            #expect(test.count > 1, "\(name) has no healthcheck command")
        }
        #expect(services["pika"]?["command"]?.elements.first?.stringValue == "serve")
        // Workers write into the service's data directory: same volume, a `pika worker` command that
        // exists, and no inherited HTTP healthcheck (they serve no HTTP).
        if let worker = services["worker"] {
            #expect(worker["command"]?.elements.first?.stringValue == "worker")
            let dataVolume = services["pika"]?["volumes"]?.elements.compactMap(\.stringValue).first { $0.hasSuffix(":/var/lib/pika/data") }
            #expect(
                dataVolume != nil && worker["volumes"]?.elements.compactMap(\.stringValue).contains(dataVolume!) == true,
                "the worker must mount the service's data volume")
            #expect(worker["healthcheck"]?["disable"] == .bool(true))
            let help = try HostCommand.run(try DebianLibraries.builtExecutable(), ["worker", "--help"])
            #expect(help.status == 0, "`pika worker --help` failed: \(help.stderr)")
        }
        #expect(services["pika"]?["build"]?["dockerfile"]?.stringValue == "Dockerfile")
        // The monitoring files the stack mounts are the ones these tests check.
        let prometheusMounts = services["prometheus"]?["volumes"]?.elements.compactMap(\.stringValue) ?? []
        #expect(prometheusMounts.contains { $0.hasPrefix("./prometheus/alerts.yml:") })
        let grafanaMounts = services["grafana"]?["volumes"]?.elements.compactMap(\.stringValue) ?? []
        #expect(grafanaMounts.contains { $0.hasPrefix("./grafana/pika-dashboard.json:/var/lib/grafana/dashboards/") })
        let provider = try YAMLDocuments.single("deploy/grafana/provisioning/dashboards/pika.yml")
        #expect(provider["providers"]?.elements.first?["options"]?["path"]?.stringValue == "/var/lib/grafana/dashboards")
    }

    @Test func composeAndKubernetesSetOnlySettingsTheServiceAccepts() throws {
        var settings: [(place: String, name: String)] = []
        let compose = try YAMLDocuments.single(DeploymentFiles.compose)
        for (service, definition) in compose["services"]?.objectValue ?? [:] {
            for name in definition["environment"]?.objectValue?.keys.sorted() ?? [] { settings.append(("compose \(service)", name)) }
        }
        for name in compose["x-pika-environment"]?.objectValue?.keys.sorted() ?? [] {
            settings.append(("compose x-pika-environment", name))
        }
        for (file, object) in try DeploymentFiles.kubernetesObjects() where ["ConfigMap", "Secret"].contains(object["kind"]?.stringValue) {
            let data = (object["data"]?.objectValue ?? [:]).merging(object["stringData"]?.objectValue ?? [:]) { a, _ in a }
            for name in data.keys.sorted() { settings.append((file, name)) }
        }
        let accepted = Set(ServiceConfiguration.variables + ServiceConfiguration.otherVariables)
        let pikaSettings = settings.filter { $0.name.hasPrefix("PIKA_") }
        #expect(!pikaSettings.isEmpty)
        for (place, name) in pikaSettings {
            #expect(accepted.contains(name), "\(place) sets \(name), which `pika serve` refuses")
        }
    }

    @Test func prometheusScrapesTheServiceAndLoadsTheAlertRules() throws {
        let config = try YAMLDocuments.single(DeploymentFiles.prometheus)
        #expect(config["rule_files"]?.elements.compactMap(\.stringValue) == ["/etc/prometheus/alerts.yml"])
        let pika = config["scrape_configs"]?.elements.first { $0["job_name"]?.stringValue == "pika" }
        #expect(pika?["metrics_path"]?.stringValue == "/metrics")
        #expect(pika?["static_configs"]?.elements.first?["targets"]?.elements.first?.stringValue == "pika:8080")
        let rules = try DeploymentFiles.alertRules()
        #expect(rules.count >= 8)
        for group in try YAMLDocuments.single(DeploymentFiles.alerts)["groups"]?.elements ?? [] {
            for rule in group["rules"]?.elements ?? [] {
                let name = rule["alert"]?.stringValue ?? "?"
                #expect(["critical", "warning", "info"].contains(rule["labels"]?["severity"]?.stringValue), "\(name): severity")
                #expect(rule["annotations"]?["summary"]?.stringValue != nil, "\(name): summary")
            }
        }
    }

    @Test func kubernetesManifestsHaveTheExpectedKindsAndShapes() throws {
        let objects = try DeploymentFiles.kubernetesObjects().map(\.object)
        let kinds = Set(objects.compactMap { $0["kind"]?.stringValue })
        for kind in [
            "Namespace", "ConfigMap", "Secret", "Service", "StatefulSet", "Deployment", "PodDisruptionBudget",
            "NetworkPolicy",
        ] {
            #expect(kinds.contains(kind), "deploy/k8s has no \(kind)")
        }
        func object(_ kind: String, _ name: String? = nil) -> JSONValue? {
            objects.first { $0["kind"]?.stringValue == kind && (name == nil || $0["metadata"]?["name"]?.stringValue == name) }
        }
        let config = object("ConfigMap")?["data"]?.objectValue ?? [:]
        let dataDirectory = config["PIKA_DATA_DIR"]?.stringValue

        // The data directory has one writer: one StatefulSet replica, its own volume at PIKA_DATA_DIR.
        let api = try #require(object("StatefulSet", "pika"))
        #expect(api["spec"]?["replicas"] == .number(1))
        let claim = try #require(api["spec"]?["volumeClaimTemplates"]?.elements.first?["metadata"]?["name"]?.stringValue)
        let mounts = DeploymentFiles.containers(of: api).first?["volumeMounts"]?.elements ?? []
        #expect(
            mounts.contains { $0["name"]?.stringValue == claim && $0["mountPath"]?.stringValue == dataDirectory },
            "the StatefulSet must mount its claim at PIKA_DATA_DIR (\(dataDirectory ?? "unset"))")
        // Nothing scales the single writer out, and nothing runs `pika serve` as a Deployment.
        for hpa in objects where hpa["kind"]?.stringValue == "HorizontalPodAutoscaler" {
            #expect(hpa["spec"]?["scaleTargetRef"]?["name"] != api["metadata"]?["name"], "an HPA scales the single-writer StatefulSet")
        }
        for deployment in objects where deployment["kind"]?.stringValue == "Deployment" {
            #expect(
                !DeploymentFiles.containers(of: deployment).contains { $0["args"]?.elements.first?.stringValue == "serve" },
                "`pika serve` owns a data directory: a StatefulSet, not a Deployment")
        }
        let cache = try #require(object("Deployment", "pika-redis"))
        #expect(cache["spec"]?["replicas"] == .number(1), "one Redis: independent replicas would split the version tags")

        let podLabels = api["spec"]?["template"]?["metadata"]?["labels"]?.objectValue ?? [:]
        func selects(_ selector: [String: JSONValue]) -> Bool { !selector.isEmpty && selector.allSatisfy { podLabels[$0.key] == $0.value } }
        #expect(selects(object("PodDisruptionBudget")?["spec"]?["selector"]?["matchLabels"]?.objectValue ?? [:]))
        #expect(selects(object("NetworkPolicy", "pika-api")?["spec"]?["podSelector"]?["matchLabels"]?.objectValue ?? [:]))
        for name in ["pika", "pika-headless"] {
            #expect(
                selects(object("Service", name)?["spec"]?["selector"]?.objectValue ?? [:]), "Service \(name) does not select the API pod")
        }
        #expect(api["spec"]?["serviceName"]?.stringValue == "pika-headless")

        #expect(api["spec"]?["template"]?["spec"]?["securityContext"]?["runAsNonRoot"] == .bool(true), "runAsNonRoot")
        for container in DeploymentFiles.containers(of: api) {
            #expect(container["args"]?.elements.first?.stringValue == "serve", "runs `pika serve`")
            let ports = Set(container["ports"]?.elements.compactMap { $0["name"]?.stringValue } ?? [])
            for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
                let get = container[probe]?["httpGet"]
                #expect(get != nil, "no \(probe)")
                if let port = get?["port"]?.stringValue { #expect(ports.contains(port), "\(probe): unknown port \(port)") }
            }
            #expect(container["readinessProbe"]?["httpGet"]?["path"]?.stringValue == "/readyz")
            #expect(container["livenessProbe"]?["httpGet"]?["path"]?.stringValue == "/healthz")
        }
    }

    @Test func probesAndHealthchecksUsePathsTheServiceServes() async throws {
        let probes = try DeploymentFiles.probePaths()
        #expect(probes.count >= 5)
        let observed = try await SharedService.observation.value
        for (place, path) in probes {
            #expect(observed.routes.contains("GET \(path)"), "\(place): the service has no route GET \(path)")
            #expect(
                observed.probeStatuses[path] == 200,
                "\(place): GET \(path) answered \(observed.probeStatuses[path].map(String.init) ?? "nothing")")
        }
    }
}
