"""Network and job database: subnets, NAT choice, S3 endpoint, flow logs, and a private, encrypted,
backed-up PostgreSQL whose credentials live (and rotate) in Secrets Manager."""

from __future__ import annotations

from stacks.config import CONFIGS
from stacks.database import POSTGRES_PORT, POSTGRES_VERSION
from tests.infra.conftest import only, resources_of


def _db(synthesized, env) -> dict:
    return only(synthesized.template_json(env, "Database"), "AWS::RDS::DBInstance")


def test_vpc_has_public_private_and_isolated_subnets(synthesized, env):
    template = synthesized.template_json(env, "Database")
    kinds = {}
    for subnet in resources_of(template, "AWS::EC2::Subnet").values():
        tags = {t["Key"]: t["Value"] for t in subnet["Properties"]["Tags"]}
        kinds.setdefault(tags["aws-cdk:subnet-type"], 0)
        kinds[tags["aws-cdk:subnet-type"]] += 1
    azs = CONFIGS[env].max_azs
    assert kinds == {"Public": azs, "Private": azs, "Isolated": azs}


def test_nat_is_a_cheap_instance_in_dev_and_gateways_in_prod(synthesized):
    dev = synthesized.template_json("dev", "Database")
    prod = synthesized.template_json("prod", "Database")
    assert len(resources_of(dev, "AWS::EC2::Instance")) == 1 and not resources_of(dev, "AWS::EC2::NatGateway")
    nat = only(dev, "AWS::EC2::Instance")["Properties"]
    assert nat["SourceDestCheck"] is False
    assert nat["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True
    assert len(resources_of(prod, "AWS::EC2::NatGateway")) == CONFIGS["prod"].nat_count == 2
    assert not resources_of(prod, "AWS::EC2::Instance")


def test_dev_nat_instance_admits_only_the_vpc(synthesized):
    template = synthesized.template_json("dev", "Database")
    nat_group = next(v for k, v in resources_of(template, "AWS::EC2::SecurityGroup").items() if "Nat" in k)
    ingress = nat_group["Properties"]["SecurityGroupIngress"]
    vpc = only(template, "AWS::EC2::VPC")["Properties"]
    assert [rule["CidrIp"] for rule in ingress] == [vpc["CidrBlock"]]


def test_s3_gateway_endpoint_and_flow_logs(synthesized, env):
    template = synthesized.template_json(env, "Database")
    endpoint = only(template, "AWS::EC2::VPCEndpoint")["Properties"]
    assert endpoint["VpcEndpointType"] == "Gateway"
    assert ".s3" in str(endpoint["ServiceName"])
    flow_log = only(template, "AWS::EC2::FlowLog")["Properties"]
    assert flow_log["ResourceType"] == "VPC"
    log_group = only(template, "AWS::Logs::LogGroup")["Properties"]
    assert log_group["RetentionInDays"] > 0


def test_database_is_private_encrypted_and_current_postgres(synthesized, env):
    props = _db(synthesized, env)["Properties"]
    assert props["PubliclyAccessible"] is False
    assert props["StorageEncrypted"] is True
    assert props["Engine"] == "postgres"
    assert props["EngineVersion"].split(".")[0] == POSTGRES_VERSION.postgres_major_version
    assert int(POSTGRES_VERSION.postgres_major_version) >= 17
    assert props["Port"] == str(POSTGRES_PORT)
    assert props["DBInstanceClass"] == f"db.{CONFIGS[env].db_instance_type}"


def test_database_lives_in_the_isolated_subnets(synthesized, env):
    template = synthesized.template_json(env, "Database")
    group = only(template, "AWS::RDS::DBSubnetGroup")["Properties"]
    assert group["SubnetIds"] and all("isolated" in ref["Ref"] for ref in group["SubnetIds"])


def test_database_requires_tls(synthesized, env):
    parameters = only(synthesized.template_json(env, "Database"), "AWS::RDS::DBParameterGroup")["Properties"]
    assert parameters["Parameters"]["rds.force_ssl"] == "1"


def test_backups_multi_az_and_deletion_follow_the_environment(synthesized, env):
    db = _db(synthesized, env)
    config = CONFIGS[env]
    assert db["Properties"]["BackupRetentionPeriod"] == config.db_backup_days > 0
    assert db["Properties"]["MultiAZ"] is config.db_multi_az
    assert db["Properties"]["DeletionProtection"] is config.deletion_protection
    expected = {"dev": "Delete", "staging": "Snapshot", "prod": "Snapshot"}[env]
    assert db["DeletionPolicy"] == expected


def test_credentials_are_generated_into_secrets_manager_and_rotated(synthesized, env):
    template = synthesized.template_json(env, "Database")
    secret = only(template, "AWS::SecretsManager::Secret")
    assert secret["Properties"]["Name"] == f"lifestream/{env}/database"
    assert secret["Properties"]["GenerateSecretString"]["GenerateStringKey"] == "password"
    db = _db(synthesized, env)["Properties"]
    assert "{{resolve:secretsmanager:" in str(db["MasterUserPassword"])
    rotation = only(template, "AWS::SecretsManager::RotationSchedule")["Properties"]
    assert rotation["RotationRules"]["ScheduleExpression"] == f"rate({CONFIGS[env].db_rotation_days} days)"
    assert secret["DeletionPolicy"] == ("Retain" if env == "prod" else "Delete")


def test_database_port_is_open_only_to_the_worker_and_the_rotation_function(synthesized, env):
    database = synthesized.template_json(env, "Database")
    groups = resources_of(database, "AWS::EC2::SecurityGroup")
    db_group_id = next(k for k in groups if k.startswith("DatabaseSecurityGroup"))
    db_group = groups[db_group_id]["Properties"]
    # No CIDR-based ingress at all on the database's group.
    assert "SecurityGroupIngress" not in db_group
    in_stack = [
        r["Properties"]
        for r in resources_of(database, "AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"]["GroupId"] == {"Fn::GetAtt": [db_group_id, "GroupId"]}
    ]
    assert len(in_stack) == 1 and "Rotation" in in_stack[0]["SourceSecurityGroupId"]["Fn::GetAtt"][0]
    processing = synthesized.template_json(env, "Processing")
    (worker_rule,) = [
        r["Properties"] for r in resources_of(processing, "AWS::EC2::SecurityGroupIngress").values()
    ]
    assert (worker_rule["FromPort"], worker_rule["ToPort"], worker_rule["IpProtocol"]) == (5432, 5432, "tcp")
    assert "CidrIp" not in worker_rule
    assert worker_rule["SourceSecurityGroupId"] == {"Fn::GetAtt": ["WorkerSecurityGroup431FFF64", "GroupId"]}
    assert "DatabaseSecurityGroup" in str(worker_rule["GroupId"])


def test_database_certificate_chains_to_a_root_in_the_shipped_bundle(synthesized, env):
    # The worker verifies the server (verify-full) against the asset's RDS CA bundle: the instance's CA
    # is named, so an account-wide default change cannot silently move it off that bundle.
    assert _db(synthesized, env)["Properties"]["CACertificateIdentifier"] == "rds-ca-rsa2048-g1"
