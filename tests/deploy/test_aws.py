#!/usr/bin/python3
"""deploy/aws/openaps.yaml, the CloudFormation template, checked offline:
parsed with python3-yaml (CloudFormation's short tags turned into their
long forms), then every reference resolved, the network boundaries and the
secrets handling and least privilege checked; and cfn-lint (npm, installed
in tests/deploy by tests/run.sh) validates it against the CloudFormation
resource specification (tests/deploy/cfn-lint.cjs).
"""

import json
import os
import re
import shutil
import subprocess
import unittest

import yaml

import deploytest as dt

RDS_BUNDLE = "/usr/local/share/openaps/rds-ca-bundle.pem"
# Values for the parameters without a default, as a deployment passes them.
LINT_PARAMETERS = ["CertificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/0b6e1a2c-0000-4000-8000-000000000000",
                   "OhClientSecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:oh-client-AbCdEf",
                   "OhWebhookSecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:oh-webhook-AbCdEf",
                   "ImageUri=123456789012.dkr.ecr.eu-west-1.amazonaws.com/openaps-server:1.0",
                   "DomainName=data.example.org", "OhClientId=client"]

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


def load_template(name="openaps.yaml"):
    with open(dt.source_path("deploy", "aws", name), encoding="utf-8") as f:
        return yaml.load(f, Loader=CloudFormationLoader)


NO_VALUE = {"Ref": "AWS::NoValue"}


def resolve(template, values):
    """The template as CloudFormation deploys it with these parameter values
    (defaults for the others): conditions evaluated, resources and outputs
    whose condition is false left out, each Fn::If replaced by its branch and
    AWS::NoValue items dropped."""
    parameters = {name: str(p.get("Default", "")) for name, p in template.get("Parameters", {}).items()}
    parameters.update(values)
    conditions = {}

    def value(node):
        if isinstance(node, dict) and len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                return parameters[arg]
            if key == "Condition":
                return condition(arg)
            if key == "Fn::Equals":
                return value(arg[0]) == value(arg[1])
            if key == "Fn::Not":
                return not value(arg[0])
            if key == "Fn::And":
                return all(value(a) for a in arg)
            if key == "Fn::Or":
                return any(value(a) for a in arg)
        if isinstance(node, (str, int, float)):
            return str(node)
        raise AssertionError(f"cannot evaluate {node!r} in a condition")

    def condition(name):
        if name not in conditions:
            conditions[name] = value(template["Conditions"][name])
        return conditions[name]

    def pick(node):
        if isinstance(node, list):
            return [item for item in (pick(i) for i in node) if item != NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1 and "Fn::If" in node:
            name, yes, no = node["Fn::If"]
            return pick(yes if condition(name) else no)
        return {k: v for k, v in ((k, pick(v)) for k, v in node.items()) if v != NO_VALUE}

    result = dict(template)
    for section in ("Resources", "Outputs"):
        kept = {name: item for name, item in template.get(section, {}).items()
                if "Condition" not in item or condition(item["Condition"])}
        result[section] = pick(kept)
    return result


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


def cfn_lint(template, extra=(), parameters=LINT_PARAMETERS):
    """(exit code, output) of tests/deploy/cfn-lint.cjs on a template."""
    here = os.path.dirname(os.path.abspath(__file__))
    node = shutil.which("node")
    if not node or not os.path.isdir(os.path.join(here, "node_modules", "cfn-lint")):
        raise AssertionError("cfn-lint is not installed: run `npm install` in tests/deploy (tests/run.sh does)")
    result = subprocess.run([node, os.path.join(here, "cfn-lint.cjs"), template, *parameters, *extra],
                            capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def substituted(value):
    """The text of a `!Sub` value (string or [text, variables])."""
    sub = value["Fn::Sub"]
    return sub if isinstance(sub, str) else sub[0]


# Optional secrets given, so that their handling is checked too.
OPTIONAL_SECRETS = {"SmtpPasswordArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:smtp-AbCdEf",
                    "OhMasterTokenArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:master-AbCdEf",
                    "DemographicsCsvUrlsArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:csv-AbCdEf"}


class RawTemplateTest(unittest.TestCase):
    """The template as written, before any condition is evaluated."""

    def test_every_condition_branch_names_real_resources(self):
        template = load_template()
        defined = set(template["Resources"]) | set(template["Parameters"]) | PSEUDO_PARAMETERS
        for kind, target in references(template):
            self.assertIn(target, defined, f"{kind} {target}")

    def test_both_database_engines_deploy_one_database(self):
        template = load_template()
        for engine, storage in (("postgres", "AWS::RDS::DBInstance"), ("aurora-postgresql", "AWS::RDS::DBCluster")):
            resources = resolve(template, {"DatabaseEngine": engine})["Resources"]
            kinds = [r["Type"] for r in resources.values()]
            with self.subTest(engine=engine):
                self.assertEqual(kinds.count("AWS::RDS::DBCluster"), 1 if engine != "postgres" else 0)
                self.assertIn(storage, kinds)
                # The servers connect to the endpoint of the engine chosen.
                text = json.dumps(resources)
                self.assertEqual('"AuroraCluster", "Endpoint' in text, engine != "postgres")
                self.assertEqual('"Database", "Endpoint' in text, engine == "postgres")

    def test_every_parameter_is_used(self):
        used = {target for kind, target in references(load_template()) if kind == "Ref"}
        self.assertEqual(sorted(set(load_template()["Parameters"]) - used), [])

    def test_cfn_lint_finds_broken_properties(self):
        """The linter checks resource properties, not only the YAML."""
        with open(dt.source_path("deploy", "aws", "openaps.yaml"), encoding="utf-8") as f:
            text = f.read()
        breakages = {"StorageEncrypted: true": "StorageEncryptd: true",  # an unknown property
                     "Engine: postgres": "Engine: [postgres]",  # a list for a string
                     "DBSubnetGroupDescription:": "Description:",  # a required one missing
                     "!GetAtt TaskRole.Arn": "!GetAtt TaskRole.Nope"}  # no such attribute
        broken = text
        for good, bad in breakages.items():
            self.assertIn(good, broken)
            broken = broken.replace(good, bad)
        tmp = dt.TempDir()
        try:
            code, output = cfn_lint(dt.write(tmp.join("broken.yaml"), broken))
            self.assertEqual(code & 2, 2, output)
            for expected in ("StorageEncryptd", "Engine", "DBSubnetGroupDescription", "Nope"):
                self.assertRegex(output, rf"crit: .*{expected}", expected)
        finally:
            tmp.cleanup()


class TemplateTest(unittest.TestCase):
    """The template as deployed with RDS PostgreSQL (AuroraTemplateTest below
    runs the same checks with Aurora)."""
    values = {"DatabaseEngine": "postgres", **OPTIONAL_SECRETS}

    @classmethod
    def setUpClass(cls):
        cls.template = resolve(load_template(), cls.values)
        cls.resources = cls.template["Resources"]
        cls.parameters = cls.template["Parameters"]

    def of_type(self, type_name):
        return {name: r for name, r in self.resources.items() if r["Type"] == type_name}

    def database(self):
        """(name, resource) of what holds the data: the Aurora cluster, or the RDS instance."""
        instances = {name: r for name, r in self.of_type("AWS::RDS::DBInstance").items()
                     if "SourceDBInstanceIdentifier" not in r["Properties"]}
        (item,) = (self.of_type("AWS::RDS::DBCluster") or instances).items()
        return item

    def test_heavy_reads_go_to_a_replica_only_when_asked(self):
        """DbReadReplica: the site service (web,api) reads exports and the like
        from an RDS read replica or Aurora's reader endpoint, as the same user
        with the same verify-full TLS; the jobs and every write keep the writer."""
        wanted = self.values.get("DbReadReplica") == "true"
        aurora = self.values.get("DatabaseEngine") == "aurora-postgresql"
        replicas = {name: r for name, r in self.of_type("AWS::RDS::DBInstance").items()
                    if "SourceDBInstanceIdentifier" in r["Properties"]}
        self.assertEqual(len(replicas), 1 if wanted and not aurora else 0)
        for name, replica in replicas.items():
            props = replica["Properties"]
            self.assertEqual(props["SourceDBInstanceIdentifier"], {"Ref": self.database()[0]})
            self.assertIs(props["PubliclyAccessible"], False)
            self.assertEqual(props["VPCSecurityGroups"], [{"Ref": "DatabaseSecurityGroup"}])
            group = self.resources[props["DBParameterGroupName"]["Ref"]]["Properties"]
            self.assertEqual(group["Parameters"], {"hot_standby_feedback": "1"})
        if aurora and wanted:
            readers = [r for r in self.of_type("AWS::RDS::DBInstance").values()
                       if r["Properties"].get("AvailabilityZone") == {"Fn::Select": ["1", {"Fn::GetAZs": ""}]}
                       or r["Properties"].get("AvailabilityZone") == {"Fn::Select": [1, {"Fn::GetAZs": ""}]}]
            self.assertEqual(len(readers), 1, "a reader behind the reader endpoint")
        for name, server in self.servers().items():
            env = {v["Name"]: v["Value"] for v in server["Environment"]}
            roles = server["Command"][server["Command"].index("--roles") + 1]
            with self.subTest(task=name):
                if not (wanted and "api" in roles):
                    self.assertIn(env.get("OPENAPS_DATABASE_READ_URL", ""), ("", None))  # empty is unset
                    continue
                prefix, host, colon, port, suffix = env["OPENAPS_DATABASE_READ_URL"]["Fn::Join"][1]
                # The same user, database and verify-full TLS as the writer's URL.
                self.assertEqual(f"{prefix}${{Host}}{colon}${{Port}}{suffix}", self.database_url(server))
                endpoint = ["AuroraCluster", "ReadEndpoint.Address"] if aurora else ["ReadReplica", "Endpoint.Address"]
                self.assertEqual(host, {"Fn::GetAtt": endpoint})
                self.assertIn(host["Fn::GetAtt"][0], self.resources)
                self.assertIn(port["Fn::GetAtt"][0], self.resources)
            self.assertEqual(env["OPENAPS_DATABASE_READ_MAX_LAG"], {"Ref": "DbReadMaxLag"})
            self.assertEqual(env["OPENAPS_DATABASE_READ_FALLBACK"], {"Ref": "DbReadFallback"})

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

    def test_required_resources(self):
        for type_name in ("AWS::RDS::DBInstance", "AWS::SecretsManager::Secret", "AWS::Logs::LogGroup",
                          "AWS::ECS::Service", "AWS::ECS::TaskDefinition",
                          "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::EC2::VPC"):
            with self.subTest(type=type_name):
                self.assertTrue(self.of_type(type_name), type_name)

    def test_database_is_private_encrypted_and_its_password_generated(self):
        name, database = self.database()
        props = database["Properties"]
        self.assertIs(props["StorageEncrypted"], True)
        for instance in self.of_type("AWS::RDS::DBInstance").values():
            self.assertIs(instance["Properties"]["PubliclyAccessible"], False)
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
                        text = substituted(value) if "Fn::Sub" in value else "" if isinstance(value, dict) else value
                        self.assertNotRegex(text, r"://[^/@]*:[^/@]*@")
                names = {s["Name"] for s in present(container["Secrets"])}
                needed = {"PGPASSWORD"}  # the migrate container needs no server secret
                if container["Name"] == "openaps-server":
                    needed |= {"OPENAPS_SECRET_KEY", "OPENAPS_OH_CLIENT_SECRET"}
                self.assertLessEqual(needed, names)
        for path, node in walk(self.template):
            if isinstance(node, str) and path and path[-1] in ("MasterUserPassword", "Password"):
                self.fail(f"{'/'.join(map(str, path))} is a literal")

    def test_every_secret_setting_comes_from_secrets_manager(self):
        # /metrics is blocked at the load balancer: no token needed. The
        # database password comes as libpq's PGPASSWORD, the URL has none.
        needed = {f"OPENAPS_{n}" for n in dt.secret_settings() - {"METRICS_TOKEN", "DATABASE_URL"}}
        needed.add("PGPASSWORD")
        for name, container in self.servers().items():
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
        _, database = self.database()
        props = database["Properties"]
        (db_group_ref,) = props.get("VPCSecurityGroups") or props["VpcSecurityGroupIds"]
        db_rules = groups[db_group_ref["Ref"]]["Properties"]["SecurityGroupIngress"]
        self.assertEqual([(r["FromPort"], r["ToPort"]) for r in db_rules], [(5432, 5432)])
        app_group = db_rules[0]["SourceSecurityGroupId"]["Ref"]
        app_rules = groups[app_group]["Properties"]["SecurityGroupIngress"]
        self.assertTrue(all(is_ref(r["SourceSecurityGroupId"], proxy_group) for r in app_rules))
        for name, service in self.of_type("AWS::ECS::Service").items():
            network = service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
            self.assertEqual(network["SecurityGroups"], [{"Ref": app_group}], name)

    def test_release_files_on_one_shared_encrypted_file_system(self):
        """Every task with the api role mounts the same EFS file system at
        OPENAPS_RELEASE_DIR (a release built by one task is served by any),
        encrypted at rest and in transit, NFS only from the app's group, in
        both subnets the tasks run in, as the container's user."""
        groups = self.of_type("AWS::EC2::SecurityGroup")
        (fs_name, fs), = self.of_type("AWS::EFS::FileSystem").items()
        self.assertIs(fs["Properties"]["Encrypted"], True)
        targets = self.of_type("AWS::EFS::MountTarget").values()
        app_group = self.resources["SiteService"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"][
            "SecurityGroups"][0]["Ref"]
        service_subnets = self.resources["SiteService"]["Properties"]["NetworkConfiguration"][
            "AwsvpcConfiguration"]["Subnets"]
        self.assertEqual(sorted(str(t["Properties"]["SubnetId"]) for t in targets),
                         sorted(str(s) for s in service_subnets))
        for target in targets:
            self.assertEqual(target["Properties"]["FileSystemId"], {"Ref": fs_name})
            for group in target["Properties"]["SecurityGroups"]:
                rules = groups[group["Ref"]]["Properties"]["SecurityGroupIngress"]
                self.assertEqual([(r["FromPort"], r["ToPort"], r["SourceSecurityGroupId"]) for r in rules],
                                 [(2049, 2049, {"Ref": app_group})])
        (_, access_point), = self.of_type("AWS::EFS::AccessPoint").items()
        self.assertEqual(access_point["Properties"]["PosixUser"]["Uid"], "10001")
        api_tasks = 0
        for name, task in self.of_type("AWS::ECS::TaskDefinition").items():
            (server,) = [c for c in task["Properties"]["ContainerDefinitions"] if c["Name"] == "openaps-server"]
            if "api" not in server["Command"][server["Command"].index("--roles") + 1].split(","):
                continue
            api_tasks += 1
            (directory,) = [v["Value"] for v in server["Environment"] if v["Name"] == "OPENAPS_RELEASE_DIR"]
            (mount,) = [m for m in server["MountPoints"] if m["ContainerPath"] == directory]
            (volume,) = [v for v in task["Properties"]["Volumes"] if v["Name"] == mount["SourceVolume"]]
            efs = volume["EFSVolumeConfiguration"]
            self.assertEqual(efs["FilesystemId"], {"Ref": fs_name}, name)
            self.assertEqual(efs["TransitEncryption"], "ENABLED", name)
        self.assertEqual(api_tasks, 1)

    def test_https_with_tls_1_2_and_a_redirect(self):
        listeners = self.of_type("AWS::ElasticLoadBalancingV2::Listener")
        by_port = {l["Properties"]["Port"]: l["Properties"] for l in listeners.values()}
        self.assertEqual(set(by_port), {80, 443})
        self.assertEqual(by_port[443]["Protocol"], "HTTPS")
        self.assertRegex(by_port[443]["SslPolicy"], r"TLS13-1-2|TLS-1-2")
        self.assertEqual(by_port[80]["DefaultActions"][0]["Type"], "redirect")
        self.assertEqual(by_port[80]["DefaultActions"][0]["RedirectConfig"]["Protocol"], "HTTPS")

    def servers(self):
        """{task name: its openaps-server container}"""
        result = {}
        for name, task in self.of_type("AWS::ECS::TaskDefinition").items():
            (server,) = [c for c in task["Properties"]["ContainerDefinitions"] if c["Name"] == "openaps-server"]
            result[name] = server
        return result

    def test_services_split_by_role_with_logs(self):
        roles = []
        for name, task in self.of_type("AWS::ECS::TaskDefinition").items():
            for container in task["Properties"]["ContainerDefinitions"]:
                log = container["LogConfiguration"]
                self.assertEqual(log["LogDriver"], "awslogs")
                self.assertIn(log["Options"]["awslogs-group"]["Ref"], self.of_type("AWS::Logs::LogGroup"))
        for container in self.servers().values():
            roles.append(container["Command"][container["Command"].index("--roles") + 1])
        self.assertEqual(sorted(roles), ["ingest,etl", "web,api"])

    def database_url(self, container):
        (value,) = [v["Value"] for v in container["Environment"] if v["Name"] == "OPENAPS_DATABASE_URL"]
        return substituted(value)

    def password_secret(self, container):
        (source,) = [s["ValueFrom"] for s in present(container["Secrets"]) if s["Name"] == "PGPASSWORD"]
        return re.fullmatch(r"\$\{(\w+)\}:password::", substituted(source)).group(1)

    def test_each_server_connects_as_a_least_privilege_user(self):
        """The master user only in the one migrate container (before the jobs
        server, one jobs task at a time); each server as the LOGIN user that
        migrate makes a member of exactly its --roles' groups."""
        _, database = self.database()
        master_secret = re.search(r"\$\{(\w+)\}", database["Properties"]["MasterUsername"]["Fn::Sub"]).group(1)
        migrates = {}
        for name, task in self.of_type("AWS::ECS::TaskDefinition").items():
            for container in task["Properties"]["ContainerDefinitions"]:
                if container["Command"][0] == "migrate":
                    migrates[name] = container
        (task_name, migrate), = migrates.items()
        self.assertEqual(migrate["Command"][:2], ["migrate", "--roles"])
        self.assertIs(migrate["Essential"], False)
        self.assertEqual(self.password_secret(migrate), master_secret)
        self.assertRegex(self.database_url(migrate), r"^postgresql://openaps@")
        logins = dict(migrate["Command"][i + 1].split("=") for i, a in enumerate(migrate["Command"]) if a == "--login")
        self.assertEqual(self.servers()[task_name]["DependsOn"], [{"ContainerName": "migrate", "Condition": "SUCCESS"}])
        jobs_service = [s for s in self.of_type("AWS::ECS::Service").values()
                        if s["Properties"]["TaskDefinition"] == {"Ref": task_name}][0]
        self.assertEqual(jobs_service["Properties"]["DeploymentConfiguration"]["MaximumPercent"], 100)
        self.assertEqual(jobs_service["Properties"]["DesiredCount"], 1)
        names = {s["Name"]: substituted(s["ValueFrom"]) for s in migrate["Secrets"]}
        users = set()
        for name, server in self.servers().items():
            with self.subTest(task=name):
                user = re.match(r"postgresql://(\w+)@", self.database_url(server)).group(1)
                roles = server["Command"][server["Command"].index("--roles") + 1]
                self.assertEqual(logins.get(user), roles, f"{user} must be made with --login {user}={roles}")
                secret = self.password_secret(server)
                self.assertNotEqual(secret, master_secret)
                template = self.resources[secret]["Properties"]["GenerateSecretString"]["SecretStringTemplate"]
                self.assertEqual(json.loads(template)["username"], user)
                # migrate sets the password the server uses.
                self.assertEqual(names[f"OPENAPS_LOGIN_PASSWORD_{user.upper()}"], f"${{{secret}}}:password::")
                users.add(user)
        self.assertEqual(users, set(logins))

    def test_postgres_tls_verifies_the_server(self):
        with open(dt.source_path("deploy", "container", "Containerfile"), encoding="utf-8") as f:
            self.assertIn(f"COPY deploy/aws/rds-ca-bundle.pem {RDS_BUNDLE}", f.read())
        for name, task in self.of_type("AWS::ECS::TaskDefinition").items():
            for container in task["Properties"]["ContainerDefinitions"]:
                with self.subTest(task=name, container=container["Name"]):
                    url = self.database_url(container)
                    self.assertIn("${Host}", url)  # the RDS endpoint name its certificate carries
                    self.assertTrue(url.endswith(f"?sslmode=verify-full&sslrootcert={RDS_BUNDLE}"), url)

    def test_the_rds_ca_bundle_holds_current_amazon_rds_roots(self):
        path = dt.source_path("deploy", "aws", "rds-ca-bundle.pem")
        with open(path, encoding="ascii") as f:
            blocks = re.findall(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", f.read(), re.S)
        self.assertGreater(len(blocks), 50)
        subjects = []
        for block in blocks:
            out = subprocess.run(["openssl", "x509", "-noout", "-subject", "-checkend", "0", "-nameopt", "oneline"],
                                 input=block, capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, "expired or unreadable: " + out.stdout)
            subjects.append(out.stdout)
        for region in ("eu-west-1", "us-east-1", "ap-southeast-2"):
            for kind in ("RSA2048 G1", "RSA4096 G1", "ECC384 G1"):
                self.assertTrue(any(f"Amazon RDS {region} Root CA {kind}" in s for s in subjects), (region, kind))

    def test_cfn_lint(self):
        code, output = cfn_lint(dt.source_path("deploy", "aws", "openaps.yaml"),
                                # (the old linter cannot follow the optional secrets' conditions)
                                [f"{k}={v}" for k, v in self.values.items() if k not in OPTIONAL_SECRETS])
        self.assertIn("CloudFormation specification", output)
        self.assertEqual(code, 0, output)  # no errors, no warnings

class AuroraTemplateTest(TemplateTest):
    values = {"DatabaseEngine": "aurora-postgresql", "DbMultiAz": "true", "DbEngineVersion": "16.6",
              **OPTIONAL_SECRETS}


class ReadReplicaTemplateTest(TemplateTest):
    values = {"DatabaseEngine": "postgres", "DbReadReplica": "true", **OPTIONAL_SECRETS}


class AuroraReaderTemplateTest(TemplateTest):
    values = {"DatabaseEngine": "aurora-postgresql", "DbReadReplica": "true", "DbEngineVersion": "16.6",
              **OPTIONAL_SECRETS}


if __name__ == "__main__":
    dt.main()
