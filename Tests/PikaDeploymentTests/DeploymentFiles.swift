import Foundation
import PikaMemory

/// The deploy/ files as the tests read them, and what they have in common.
enum DeploymentFiles {
    static let compose = "deploy/docker-compose.yml"
    static let prometheus = "deploy/prometheus/prometheus.yml"
    static let alerts = "deploy/prometheus/alerts.yml"
    static let dashboard = "deploy/grafana/pika-dashboard.json"
    static let kubernetes = "deploy/k8s"

    /// Every YAML file under deploy/.
    static var yamlFiles: [String] { RepositoryFile.files(under: "deploy", extensions: ["yml", "yaml"]) }

    /// Every Kubernetes object under deploy/k8s, with the file it came from.
    static func kubernetesObjects() throws -> [(file: String, object: JSONValue)] {
        try RepositoryFile.files(under: kubernetes, extensions: ["yml", "yaml"]).flatMap { file in
            try YAMLDocuments.load(file).map { (file, $0) }
        }
    }

    /// The pod template's containers of a workload object (Deployment, StatefulSet), empty otherwise.
    static func containers(of object: JSONValue) -> [JSONValue] {
        object["spec"]?["template"]?["spec"]?["containers"]?.elements ?? []
    }

    /// `(where, path)` of every HTTP probe and healthcheck in the Dockerfile, compose and Kubernetes files.
    static func probePaths() throws -> [(place: String, path: String)] {
        var found: [(String, String)] = []
        for (file, object) in try kubernetesObjects() {
            for container in containers(of: object) {
                for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
                    if let path = container[probe]?["httpGet"]?["path"]?.stringValue {
                        found.append(("\(file) \(object["metadata"]?["name"]?.stringValue ?? "?") \(probe)", path))
                    }
                }
            }
        }
        let compose = try YAMLDocuments.single(compose)
        if let test = compose["services"]?["pika"]?["healthcheck"]?["test"] {
            for path in urlPaths(in: test.elements.compactMap(\.stringValue).joined(separator: " ")) {
                found.append(("\(DeploymentFiles.compose) pika healthcheck", path))
            }
        }
        let docker = DockerfileModel(try RepositoryFile.text("Dockerfile"))
        for check in docker.stages.last?.all("HEALTHCHECK") ?? [] {
            for path in urlPaths(in: check) { found.append(("Dockerfile HEALTHCHECK", path)) }
        }
        return found
    }

    /// The paths of the loopback URLs in a command line.
    static func urlPaths(in command: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"https?://[^/\s"']+(/[A-Za-z0-9_/.-]*)"#)
        return pattern.matches(in: command, range: NSRange(command.startIndex..., in: command)).map {
            String(command[Range($0.range(at: 1), in: command)!])
        }
    }

    /// Every PromQL expression of the dashboard's panels.
    static func dashboardExpressions() throws -> [String] {
        try panels().flatMap { $0["targets"]?.elements ?? [] }.compactMap { $0["expr"]?.stringValue }
    }

    /// The dashboard's panels, rows included, in order.
    static func panels() throws -> [JSONValue] {
        try RepositoryFile.json(dashboard)["panels"]?.elements ?? []
    }

    /// The metric names the dashboard's template variables read (`label_values(metric, label)`).
    static func dashboardVariableMetrics() throws -> [String] {
        let variables = try RepositoryFile.json(dashboard)["templating"]?["list"]?.elements ?? []
        let pattern = try! NSRegularExpression(pattern: #"label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)"#)
        return variables.compactMap { $0["definition"]?.stringValue }.flatMap { text in
            pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
                String(text[Range($0.range(at: 1), in: text)!])
            }
        }
    }

    /// Every alert rule: name and expression.
    static func alertRules() throws -> [(name: String, expr: String)] {
        try YAMLDocuments.single(alerts)["groups"]?.elements.flatMap { $0["rules"]?.elements ?? [] }.compactMap { rule in
            guard let name = rule["alert"]?.stringValue, let expr = rule["expr"]?.stringValue else { return nil }
            return (name, expr)
        } ?? []
    }
}
