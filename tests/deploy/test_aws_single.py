#!/usr/bin/python3
"""deploy/aws/single-host.yaml (one EC2 instance) and what its first boot
runs: the template's structure, boundaries and least privilege checked
offline and by cfn-lint; deploy/aws/single-host-setup.sh run for real into a
temporary root, with a stand-in `aws` command (Secrets Manager and S3 kept
in a directory); the backup script run on a real SQLite database made by
the built server, and a second setup restoring that backup.
"""

import gzip
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import unittest

import deploytest as dt
from test_aws import PSEUDO_PARAMETERS, cfn_lint, load_template, references, walk

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:{}-AbCdEf"
LINT_PARAMETERS = ["DomainName=data.example.org", "OhClientId=client",
                   "OhClientSecretArn=" + ARN.format("oh-client"), "OhWebhookSecretArn=" + ARN.format("oh-webhook"),
                   "SourceRepository=https://git.example.org/openaps.git"]

# `aws` as the scripts use it, on a directory: FAKE_AWS/secrets/<arn> and
# FAKE_AWS/s3/<bucket>/<key>; every call is logged (without values).
FAKE_AWS = r'''#!/usr/bin/python3
import os, shutil, sys
root = os.environ["FAKE_AWS"]
args = sys.argv[1:]
with open(os.path.join(root, "calls.log"), "a") as log:
    log.write(" ".join(args) + "\n")
def s3_path(url):
    assert url.startswith("s3://"), url
    return os.path.join(root, "s3", url[5:])
if args[:2] == ["secretsmanager", "get-secret-value"]:
    path = os.path.join(root, "secrets", args[args.index("--secret-id") + 1])
    if not os.path.exists(path):
        sys.exit("An error occurred (ResourceNotFoundException)")
    print(open(path).read())
elif args[:2] == ["s3", "cp"]:
    src, dst = [a for a in args[2:] if not a.startswith("--")]
    if src.startswith("s3://"):
        src = s3_path(src)
        if not os.path.exists(src):
            sys.exit("fatal error: An error occurred (404) when calling the HeadObject operation: Not Found")
    else:
        dst = s3_path(dst)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)
else:
    sys.exit("fake aws: unexpected call " + " ".join(args))
'''


class TemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.template = load_template("single-host.yaml")
        cls.resources = cls.template["Resources"]
        cls.parameters = cls.template["Parameters"]

    def of_type(self, type_name):
        return {name: r for name, r in self.resources.items() if r["Type"] == type_name}

    def one(self, type_name):
        (item,) = self.of_type(type_name).values()
        return item["Properties"]

    def test_every_reference_resolves_and_every_parameter_is_used(self):
        defined = set(self.resources) | set(self.parameters) | PSEUDO_PARAMETERS
        found = list(references(self.template))
        for kind, target in found:
            self.assertIn(target, self.resources if kind == "GetAtt" else defined, f"{kind} {target}")
        self.assertGreater(len(found), 30)
        used = {target for kind, target in found if kind == "Ref"}
        self.assertEqual(sorted(set(self.parameters) - used), [])

    def test_cfn_lint(self):
        code, output = cfn_lint(dt.source_path("deploy", "aws", "single-host.yaml"), parameters=LINT_PARAMETERS)
        self.assertIn("CloudFormation specification", output)
        self.assertEqual(code, 0, output)

    def test_only_https_and_http_are_open(self):
        (group,) = self.of_type("AWS::EC2::SecurityGroup").values()
        ports = {(r["FromPort"], r["ToPort"]) for r in group["Properties"]["SecurityGroupIngress"]}
        self.assertEqual(ports, {(80, 80), (443, 443)})

    def test_the_bucket_is_private_encrypted_tls_only_and_backups_expire(self):
        bucket = self.one("AWS::S3::Bucket")
        self.assertEqual(set(bucket["PublicAccessBlockConfiguration"].values()), {True})
        self.assertEqual(len(bucket["PublicAccessBlockConfiguration"]), 4)
        rule, = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        self.assertIn(rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"], ("AES256", "aws:kms"))
        expiring = [r for r in bucket["LifecycleConfiguration"]["Rules"] if r.get("Prefix") == "backups/"]
        self.assertEqual(expiring[0]["ExpirationInDays"], {"Ref": "BackupRetentionDays"})
        statement, = self.one("AWS::S3::BucketPolicy")["PolicyDocument"]["Statement"]
        self.assertEqual((statement["Effect"], statement["Condition"]), ("Deny", {"Bool": {"aws:SecureTransport": "false"}}))

    def test_instance_uses_imdsv2_an_encrypted_disk_and_the_elastic_ip(self):
        data = self.one("AWS::EC2::LaunchTemplate")["LaunchTemplateData"]
        self.assertEqual(data["MetadataOptions"]["HttpTokens"], "required")
        self.assertIs(data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"], True)
        association = self.one("AWS::EC2::EIPAssociation")
        self.assertEqual(association["InstanceId"], {"Ref": "Instance"})
        self.assertEqual(association["AllocationId"], {"Fn::GetAtt": ["ElasticIp", "AllocationId"]})
        self.assertEqual(self.resources["Instance"]["CreationPolicy"]["ResourceSignal"]["Count"], 1)

    def test_secret_parameters_are_arns_and_the_role_reads_only_those(self):
        secretish = re.compile(r"SECRET|PASSWORD|TOKEN|KEY", re.I)
        for name, parameter in self.parameters.items():
            if secretish.search(name):
                self.assertTrue(name.endswith("Arn"), name)
                self.assertIn("secretsmanager", parameter["AllowedPattern"])
        role = self.one("AWS::IAM::Role")
        statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
        for statement in statements:
            self.assertNotIn("*", str(statement["Action"]).replace("s3:*", ""))
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            self.assertNotIn("*", resources)
        secrets = [s for s in statements if s["Action"] == "secretsmanager:GetSecretValue"][0]["Resource"]
        self.assertCountEqual(secrets, [{"Ref": "ServerSecretKey"}, {"Ref": "PseudonymKey"},
                                        {"Ref": "OhClientSecretArn"}, {"Ref": "OhWebhookSecretArn"},
                                        {"Fn::If": ["HasOhMasterToken", {"Ref": "OhMasterTokenArn"},
                                                    {"Ref": "AWS::NoValue"}]}])
        puts = [s for s in statements if s["Action"] == "s3:PutObject"][0]["Resource"]
        self.assertEqual(puts, {"Fn::Sub": "${Bucket.Arn}/backups/*"})
        for path, node in walk(self.template):
            if isinstance(node, str) and path and path[-1] in ("Password", "SecretString"):
                self.fail(f"{'/'.join(map(str, path))} is a literal")

    def user_data(self, master_token=False):
        text, variables = self.resources["Instance"]["Properties"]["UserData"]["Fn::Base64"]["Fn::Sub"]
        values = {"AWS::Region": "eu-west-1", "AWS::StackName": "openaps", "Bucket": "openaps-bucket",
                  "DomainName": "data.example.org", "OhClientId": "client", "SourceRef": "main",
                  "SourceRepository": "https://git.example.org/openaps.git",
                  "ServerSecretKey": ARN.format("key"), "PseudonymKey": ARN.format("pseudonym"),
                  "OhClientSecretArn": ARN.format("oh-client"), "OhWebhookSecretArn": ARN.format("oh-webhook"),
                  "OhMasterTokenArn": ARN.format("oh-master")}
        substitute = lambda t: re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)], t)
        # The optional master token: the condition's two branches.
        condition, given, absent = variables["MasterTokenSecret"]["Fn::If"]
        self.assertEqual(condition, "HasOhMasterToken")
        self.assertEqual(absent, "")
        values["MasterTokenSecret"] = substitute(given["Fn::Sub"]) if master_token else absent
        return substitute(text)

    def test_user_data_is_valid_shell_and_hands_over_every_required_secret(self):
        required = {"secret_key", "pseudonym_key", "oh_client_secret", "oh_webhook_secret"}
        for master_token in (False, True):
            text = self.user_data(master_token)
            check = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
            self.assertEqual(check.returncode, 0, check.stderr)
            self.assertIn("deploy/aws/single-host-setup.sh", text)
            given = set(re.findall(r"--secret (\w+)=", text))
            self.assertEqual(given, required | ({"oh_master_token"} if master_token else set()))
            self.assertIn("signal SUCCESS", text)
            self.assertIn("trap 'signal FAILURE' ERR", text)
        self.assertIn("--secret oh_master_token=" + ARN.format("oh-master"), self.user_data(True))

    def test_the_master_token_is_optional(self):
        parameter = self.parameters["OhMasterTokenArn"]
        self.assertEqual(parameter["Default"], "")
        self.assertRegex("", parameter["AllowedPattern"])
        self.assertRegex(ARN.format("oh-master"), parameter["AllowedPattern"])
        self.assertEqual(self.template["Conditions"]["HasOhMasterToken"],
                         {"Fn::Not": [{"Fn::Equals": [{"Ref": "OhMasterTokenArn"}, ""]}]})
        code, output = cfn_lint(dt.source_path("deploy", "aws", "single-host.yaml"),
                                parameters=LINT_PARAMETERS + ["OhMasterTokenArn=" + ARN.format("oh-master")])
        self.assertEqual(code, 0, output)


class SetupTest(unittest.TestCase):
    """single-host-setup.sh into a temporary root, then the backup and a restore."""

    def setUp(self):
        self.tmp = dt.TempDir()
        self.aws = self.tmp.join("aws")
        os.makedirs(os.path.join(self.aws, "secrets"))
        os.makedirs(os.path.join(self.aws, "s3", "bucket", "config"))
        bin_dir = self.tmp.join("bin")
        os.makedirs(bin_dir)
        dt.write(os.path.join(bin_dir, "aws"), FAKE_AWS, mode=0o755)
        self.env = dict(os.environ, PATH=bin_dir + ":" + os.environ["PATH"], FAKE_AWS=self.aws,
                        OPENAPS_SETUP_BINARY=dt.ARGS.server)
        self.secrets = {"secret_key": "k" * 64, "pseudonym_key": "p" * 64,
                        "oh_client_secret": "client-secret-value", "oh_webhook_secret": "webhook-secret-value",
                        "oh_master_token": "master-token-value"}
        for name, value in self.secrets.items():
            dt.write(os.path.join(self.aws, "secrets", ARN.format(name)), value)
        dt.write(os.path.join(self.aws, "s3", "bucket", "config", "openaps.env"),
                 "OPENAPS_ETL_INTERVAL=30m\nOPENAPS_MAIL_FROM=data@example.org\n")

    def tearDown(self):
        self.tmp.cleanup()

    def setup(self, root):
        command = [dt.source_path("deploy", "aws", "single-host-setup.sh"), "--root", root, "--bucket", "bucket",
                   "--domain", "data.example.org", "--oh-client-id", "client-id"]
        for name in self.secrets:
            command += ["--secret", f"{name}={ARN.format(name)}"]
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return result.stdout + result.stderr

    def test_setup_installs_secrets_settings_caddy_and_backups(self):
        root = self.tmp.join("root")
        output = self.setup(root)
        for name, value in self.secrets.items():
            path = os.path.join(root, "etc/openaps/credentials", name)
            self.assertEqual(dt.read(path).strip(), value)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, name)
            self.assertNotIn(value, output)  # secrets are never printed
        # The master token reaches the server as OPENAPS_OH_MASTER_TOKEN_FILE (a systemd credential).
        unit = dt.read(os.path.join(root, "etc/systemd/system/openaps-server.service"))
        self.assertIn("LoadCredential=oh_master_token:/etc/openaps/credentials/oh_master_token", unit)
        self.assertIn("Environment=OPENAPS_OH_MASTER_TOKEN_FILE=%d/oh_master_token", unit)
        settings = dt.read(os.path.join(root, "etc/openaps/openaps.env"))
        self.assertRegex(settings, r"(?m)^OPENAPS_PUBLIC_URL=https://data\.example\.org$")
        self.assertRegex(settings, r"(?m)^OPENAPS_OH_CLIENT_ID=client-id$")
        self.assertRegex(settings, r"(?m)^OPENAPS_ETL_INTERVAL=30m$")  # the operator's file from the bucket
        caddyfile = os.path.join(root, "etc/caddy/Caddyfile")
        self.assertIn("data.example.org {", dt.read(caddyfile))
        adapted = subprocess.run([dt.require_tool("caddy"), "adapt", "--config", caddyfile, "--adapter", "caddyfile"],
                                 capture_output=True, text=True)
        self.assertEqual(adapted.returncode, 0, adapted.stderr)
        self.assertIn('"data.example.org"', adapted.stdout)
        for path in ("usr/local/bin/openaps-backup", "etc/systemd/system/openaps-backup.timer",
                     "etc/systemd/system/openaps-backup.service", "usr/local/bin/openaps-server"):
            self.assertTrue(os.path.exists(os.path.join(root, path)), path)
        self.assertEqual(dt.read(os.path.join(root, "etc/openaps/backup.env")), "OPENAPS_BACKUP_BUCKET=bucket\n")
        # Again (a reboot into user data, an upgrade): nothing doubles.
        self.setup(root)
        settings = dt.read(os.path.join(root, "etc/openaps/openaps.env"))
        for line in ("OPENAPS_PUBLIC_URL=", "OPENAPS_ETL_INTERVAL=30m", "# ---- from s3:"):
            self.assertEqual(settings.count(line), 1, line)

    def test_a_backup_is_restored_on_a_new_instance(self):
        data = self.tmp.join("data")
        database = os.path.join(data, "openaps.db")
        env = dt.server_environment(self.tmp, {"OPENAPS_DATABASE_URL": "sqlite://" + database})
        migrated = subprocess.run([dt.ARGS.server, "migrate"], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(migrated.returncode, 0, migrated.stderr)
        with sqlite3.connect(database) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE backup_probe (value TEXT)")
            db.execute("INSERT INTO backup_probe VALUES ('kept')")
        backup = subprocess.run([dt.source_path("deploy", "aws", "openaps-backup.sh")], capture_output=True, text=True,
                                env=dict(self.env, OPENAPS_BACKUP_BUCKET="bucket", OPENAPS_BACKUP_DATABASE=database),
                                timeout=120)
        self.assertEqual(backup.returncode, 0, backup.stderr)
        backups = sorted(os.listdir(os.path.join(self.aws, "s3", "bucket", "backups")))
        self.assertEqual(len(backups), 2, backups)
        self.assertRegex(backups[0], r"^latest\.db\.gz$|^openaps-\d{8}T\d{6}Z\.db\.gz$")
        with gzip.open(os.path.join(self.aws, "s3", "bucket", "backups", "latest.db.gz")) as f:
            self.assertEqual(f.read(16), b"SQLite format 3\x00")

        root = self.tmp.join("new-root")
        output = self.setup(root)
        self.assertIn("Restored the newest backup", output)
        restored = os.path.join(root, "var/lib/openaps/openaps.db")
        self.assertEqual(stat.S_IMODE(os.stat(restored).st_mode), 0o600)
        with sqlite3.connect(restored) as db:
            self.assertEqual(db.execute("SELECT value FROM backup_probe").fetchall(), [("kept",)])
        # An instance that has its database keeps it.
        with sqlite3.connect(restored) as db:
            db.execute("UPDATE backup_probe SET value = 'newer'")
        self.assertNotIn("Restored", self.setup(root))
        with sqlite3.connect(restored) as db:
            self.assertEqual(db.execute("SELECT value FROM backup_probe").fetchall(), [("newer",)])

    def test_a_missing_secret_stops_the_setup(self):
        os.remove(os.path.join(self.aws, "secrets", ARN.format("oh_webhook_secret")))
        command = [dt.source_path("deploy", "aws", "single-host-setup.sh"), "--root", self.tmp.join("root"),
                   "--bucket", "bucket", "--domain", "data.example.org", "--oh-client-id", "c",
                   "--secret", "oh_webhook_secret=" + ARN.format("oh_webhook_secret")]
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=120)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ResourceNotFoundException", result.stderr)


if __name__ == "__main__":
    shutil.which("sqlite3") or dt.require_tool("sqlite3")
    dt.main()
