#!/usr/bin/python3
"""deploy/aws/openaps.yaml, the CloudFormation template, checked offline:
parsed with python3-yaml (CloudFormation's short tags turned into their
long forms), then every reference resolved, the network boundaries and the
secrets handling checked. cfn-lint is not in Debian 12; when one is on PATH
it runs too.
"""

import re
import shutil
import subprocess
import unittest

import yaml

import deploytest as dt

PSEUDO_PARAMETERS = {"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
                     "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"}
SHORT_TAGS = ("Base64", "Cidr", "FindInMap", "GetAZs", "ImportValue", "Join", "Select", "Split",
              "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "Condition", "GetAtt", "Ref")


class CloudFormationLoader(yaml.SafeLoader):
    pass


def _construct(tag):
    name = "Ref" if tag == "Ref" else "Condition" if tag == "Condition" else f"Fn::{tag}"

    def construct(loader, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if tag == "GetAtt":  # !GetAtt Resource.Attribute.Path
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}
    return construct


for _tag in SHORT_TAGS:
    CloudFormationLoader.add_constructor(f"!{_tag}", _construct(_tag))


def load_template():
    with open(dt.source_path("deploy", "aws", "openaps.yaml"), encoding="utf-8") as f:
        return yaml.load(f, Loader=CloudFormationLoader)


def walk(node, path=()):
    """Every (path, node) in the template."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, path + (i,))


def references(node):
    """(kind, target) for every Ref, GetAtt and ${...} in a Sub below node."""
    for _, item in walk(node):
        if not isinstance(item, dict) or len(item) != 1:
            continue
        (key, value), = item.items()
        if key == "Ref":
            yield "Ref", value
        elif key == "Fn::GetAtt":
            yield "GetAtt", value[0]
        elif key == "Fn::Sub":
            text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])
            for name in re.findall(r"\$\{([^!}][^}]*)\}", text):
                if name not in variables:
                    kind = "GetAtt" if "." in name and not name.startswith("AWS::") else "Ref"
                    yield kind, name.split(".")[0] if kind == "GetAtt" else name


def is_ref(node, target):
    return node == {"Ref": target}


def present(items):
    """A list with `!If [cond, value, !Ref AWS::NoValue]` entries taken as
    their value (both branches must be checked, and the other one is NoValue)."""
    result = []
    for item in items:
        if isinstance(item, dict) and "Fn::If" in item:
            _, value, otherwise = item["Fn::If"]
            assert otherwise == {"Ref": "AWS::NoValue"}, item
            item = value
        result.append(item)
    return result


def cfn_lint_works():
    if not shutil.which("cfn-lint"):
        return False
    try:  # a version-manager shim may exist without a working program behind it
        return subprocess.run(["cfn-lint", "--version"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class TemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.template = load_template()
        cls.resources = cls.template["Resources"]
        cls.parameters = cls.template["Parameters"]

    def of_type(self, type_name):
        return {name: r for name, r in self.resources.items() if r["Type"] == type_name}

    def test_every_reference_resolves(self):
        defined = set(self.resources) | set(self.parameters) | PSEUDO_PARAMETERS
        for kind, target in references(self.template):
            with self.subTest(reference=f"{kind} {target}"):
                known = self.resources if kind == "GetAtt" else defined
                self.assertTrue(target in known, f"{kind} {target}: no such resource or parameter")
        for name, resource in self.resources.items():
            depends = resource.get("DependsOn", [])
            for target in [depends] if isinstance(depends, str) else depends:
                self.assertIn(target, self.resources, f"{name} DependsOn {target}")
        # The check itself sees the references (a broken loader would find none).
        self.assertGreater(len(list(references(self.template))), 40)

    def test_every_parameter_is_used(self):
        used = {target for kind, target in references(self.template) if kind == "Ref"}
        self.assertEqual(sorted(set(self.parameters) - used), [])

    def test_required_resources(self):
        for type_name in ("AWS::RDS::DBInstance", "AWS::SecretsManager::Secret", "AWS::Logs::LogGroup",
                          "AWS::ECS::Service", "AWS::ECS::TaskDefinition",
                          "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::EC2::VPC"):
            with self.subTest(type=type_name):
                self.assertTrue(self.of_type(type_name), type_name)

    def test_database_is_private_encrypted_and_its_password_generated(self):
        (name, database), = self.of_type("AWS::RDS::DBInstance").items()
        props = database["Properties"]
        self.assertIs(props["StorageEncrypted"], True)
        self.assertIs(props["PubliclyAccessible"], False)
        self.assertGreater(props["BackupRetentionPeriod"], 0)
        self.assertEqual(database.get("DeletionPolicy"), "Snapshot")
        secret_name = re.search(r"\{\{resolve:secretsmanager:\$\{(\w+)\}:SecretString:password\}\}",
                                props["MasterUserPassword"]["Fn::Sub"]).group(1)
        secret = self.resources[secret_name]
        self.assertEqual(secret["Type"], "AWS::SecretsManager::Secret")
        self.assertIn("GenerateSecretString", secret["Properties"])

    def test_no_plaintext_secrets(self):
        secretish = re.compile(r"SECRET|PASSWORD|TOKEN|KEY|PGPASS", re.I)
        for name, parameter in self.parameters.items():
            if secretish.search(name):
                with self.subTest(parameter=name):
                    self.assertTrue(name.endswith("Arn"), "secret parameters are ARNs")
                    self.assertIn("secretsmanager", parameter["AllowedPattern"])
                    self.assertEqual(parameter.get("Default", ""), "")
        for name, task in self.of_type("AWS::ECS::TaskDefinition").items():
            for container in task["Properties"]["ContainerDefinitions"]:
                for variable in container.get("Environment", []):
                    with self.subTest(task=name, variable=variable["Name"]):
                        self.assertIsNone(secretish.search(variable["Name"]))
                        # A database URL here must not carry a password.
                        value = variable["Value"]
                        text = value.get("Fn::Sub", "") if isinstance(value, dict) else value
                        self.assertNotRegex(text, r"://[^/@]*:[^/@]*@")
                names = {s["Name"] for s in present(container["Secrets"])}
                self.assertLessEqual({"OPENAPS_SECRET_KEY", "OPENAPS_OH_CLIENT_SECRET", "PGPASSWORD"}, names)
        for path, node in walk(self.template):
            if isinstance(node, str) and path and path[-1] in ("MasterUserPassword", "Password"):
                self.fail(f"{'/'.join(map(str, path))} is a literal")

    def test_every_secret_setting_comes_from_secrets_manager(self):
        # /metrics is blocked at the load balancer: no token needed. The
        # database password comes as libpq's PGPASSWORD, the URL has none.
        needed = {f"OPENAPS_{n}" for n in dt.secret_settings() - {"METRICS_TOKEN", "DATABASE_URL"}}
        needed.add("PGPASSWORD")
        for name, task in self.of_type("AWS::ECS::TaskDefinition").items():
            (container,) = task["Properties"]["ContainerDefinitions"]
            self.assertEqual(sorted(needed - {s["Name"] for s in present(container["Secrets"])}), [], name)

    def test_tasks_read_only_the_secrets_they_are_given(self):
        granted = []
        for _, role in self.of_type("AWS::IAM::Role").items():
            for policy in role["Properties"].get("Policies", []):
                for statement in policy["PolicyDocument"]["Statement"]:
                    if "secretsmanager:GetSecretValue" in str(statement["Action"]):
                        granted += present(statement["Resource"])
        self.assertNotIn("*", granted)
        for name, task in self.of_type("AWS::ECS::TaskDefinition").items():
            for container in task["Properties"]["ContainerDefinitions"]:
                for secret in present(container["Secrets"]):
                    source = secret["ValueFrom"]
                    if "Fn::Sub" in source:  # ${Secret}:json-key::
                        source = {"Ref": re.match(r"\$\{(\w+)\}", source["Fn::Sub"]).group(1)}
                    self.assertIn(source, granted, f"{name}: {secret['Name']}")

    def test_security_groups_open_only_what_is_needed(self):
        groups = self.of_type("AWS::EC2::SecurityGroup")
        world_open = {}
        for name, group in groups.items():
            for rule in group["Properties"].get("SecurityGroupIngress", []):
                if rule.get("CidrIp") == "0.0.0.0/0" or rule.get("CidrIpv6") == "::/0":
                    world_open.setdefault(name, set()).add((rule["FromPort"], rule["ToPort"]))
        self.assertEqual(len(world_open), 1, world_open)
        (proxy_group, ports), = world_open.items()
        self.assertEqual(ports, {(80, 80), (443, 443)})
        # The proxy group belongs to the load balancer.
        (_, balancer), = self.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer").items()
        self.assertIn({"Ref": proxy_group}, balancer["Properties"]["SecurityGroups"])
        # 5432 only from the app's group, and the app's group only from the proxy.
        (_, database), = self.of_type("AWS::RDS::DBInstance").items()
        (db_group_ref,) = database["Properties"]["VPCSecurityGroups"]
        db_rules = groups[db_group_ref["Ref"]]["Properties"]["SecurityGroupIngress"]
        self.assertEqual([(r["FromPort"], r["ToPort"]) for r in db_rules], [(5432, 5432)])
        app_group = db_rules[0]["SourceSecurityGroupId"]["Ref"]
        app_rules = groups[app_group]["Properties"]["SecurityGroupIngress"]
        self.assertTrue(all(is_ref(r["SourceSecurityGroupId"], proxy_group) for r in app_rules))
        for name, service in self.of_type("AWS::ECS::Service").items():
            network = service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
            self.assertEqual(network["SecurityGroups"], [{"Ref": app_group}], name)

    def test_https_with_tls_1_2_and_a_redirect(self):
        listeners = self.of_type("AWS::ElasticLoadBalancingV2::Listener")
        by_port = {l["Properties"]["Port"]: l["Properties"] for l in listeners.values()}
        self.assertEqual(set(by_port), {80, 443})
        self.assertEqual(by_port[443]["Protocol"], "HTTPS")
        self.assertRegex(by_port[443]["SslPolicy"], r"TLS13-1-2|TLS-1-2")
        self.assertEqual(by_port[80]["DefaultActions"][0]["Type"], "redirect")
        self.assertEqual(by_port[80]["DefaultActions"][0]["RedirectConfig"]["Protocol"], "HTTPS")

    def test_services_split_by_role_with_logs(self):
        roles = []
        for name, task in self.of_type("AWS::ECS::TaskDefinition").items():
            (container,) = task["Properties"]["ContainerDefinitions"]
            roles.append(container["Command"][container["Command"].index("--roles") + 1])
            log = container["LogConfiguration"]
            self.assertEqual(log["LogDriver"], "awslogs")
            self.assertIn(log["Options"]["awslogs-group"]["Ref"], self.of_type("AWS::Logs::LogGroup"))
        self.assertEqual(sorted(roles), ["ingest,etl", "web,api"])

    @unittest.skipUnless(cfn_lint_works(), "cfn-lint is not installed (not in Debian 12)")
    def test_cfn_lint(self):
        result = subprocess.run(["cfn-lint", dt.source_path("deploy", "aws", "openaps.yaml")],
                                capture_output=True, text=True, timeout=300)
        # Exit bits: 2 errors, 4 warnings, 8 informational.
        self.assertEqual(result.returncode & 6, 0, result.stdout + result.stderr)


if __name__ == "__main__":
    dt.main()
