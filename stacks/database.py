"""The network and the job database: a VPC with public / private-with-egress / isolated subnets, an S3
gateway endpoint, flow logs, and RDS PostgreSQL in the isolated subnets with generated, rotated
credentials in Secrets Manager."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from constructs import Construct

from lifestream.core.constants import ResourceNames
from stacks.audit import accept_service_key_logs, acknowledge, checkov_skip
from stacks.config import EnvConfig

POSTGRES_VERSION = rds.PostgresEngineVersion.VER_18
POSTGRES_PORT = 5432
RDS_CA = rds.CaCertificate.RDS_CA_RSA2048_G1
NAT_INSTANCE_TYPE = "t4g.nano"
# A literal (not the VPC's CidrBlock attribute) so rules that use it can be audited at synth time.
VPC_CIDR = "10.20.0.0/16"


class Network(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvConfig) -> None:
        super().__init__(scope, construct_id)

        nat_instance: ec2.NatInstanceProviderV2 | None = None
        if config.nat == "instance":
            # ~$3/month instead of ~$33 for a NAT gateway; fine for a disposable environment.
            nat_instance = ec2.NatProvider.instance_v2(
                instance_type=ec2.InstanceType(NAT_INSTANCE_TYPE),
                machine_image=ec2.MachineImage.latest_amazon_linux2023(
                    cpu_type=ec2.AmazonLinuxCpuType.ARM_64
                ),
                # The default also opens the NAT to 0.0.0.0/0 inbound; only the VPC needs it (below).
                default_allowed_traffic=ec2.NatTrafficDirection.OUTBOUND_ONLY,
            )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR),
            max_azs=config.max_azs,
            nat_gateways=config.nat_count,
            nat_gateway_provider=nat_instance or ec2.NatProvider.gateway(),
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(
                    name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22
                ),
                ec2.SubnetConfiguration(
                    name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                ),
            ],
            # Video downloads and result uploads stay off the NAT (free gateway endpoint vs per-GB NAT).
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3)
            },
        )
        self.nat_instance = nat_instance
        if nat_instance is not None:
            nat_instance.security_group.add_ingress_rule(
                ec2.Peer.ipv4(VPC_CIDR), ec2.Port.all_traffic(), "NAT for the VPC's subnets"
            )
            for instance in nat_instance.gateway_instances:
                cfn_instance: ec2.CfnInstance = instance.instance
                # NatInstanceProviderV2 has no block-device option; encrypt the root volume here.
                cfn_instance.add_property_override(
                    "BlockDeviceMappings",
                    [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "VolumeType": "gp3"}}],
                )
                acknowledge(
                    instance,
                    "AwsSolutions-EC26",
                    "Root volume encrypted through a property override "
                    "(NatInstanceProviderV2 exposes no block-device option; overrides are invisible to nag).",
                )
                acknowledge(
                    instance,
                    "AwsSolutions-EC28",
                    f"Disposable {config.name} NAT instance: 5-minute basic "
                    "monitoring is enough; detailed monitoring would cost more than the instance.",
                )
                acknowledge(
                    instance,
                    "AwsSolutions-EC29",
                    f"Disposable {config.name} NAT instance: termination protection "
                    "would make `cdk destroy` of the environment fail.",
                )

        flow_log_group = logs.LogGroup(
            self,
            "FlowLogs",
            retention=config.log_retention,
            removal_policy=config.removal_policy,
        )
        accept_service_key_logs(flow_log_group)
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_log_group),
            # Rejected traffic is what an investigation needs; ALL would multiply the log bill.
            traffic_type=ec2.FlowLogTrafficType.REJECT,
        )


class JobDatabase(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        names: ResourceNames,
        vpc: ec2.IVpc,
    ) -> None:
        super().__init__(scope, construct_id)

        engine = rds.DatabaseInstanceEngine.postgres(version=POSTGRES_VERSION)
        credentials = rds.DatabaseSecret(
            self, "Credentials", username="lifestream_admin", secret_name=f"{config.secret_prefix}/database"
        )
        # The password must outlive a retained or snapshotted database, or the snapshot is hard to reuse.
        credentials.apply_removal_policy(config.removal_policy)
        parameters = rds.ParameterGroup(
            self,
            "Parameters",
            engine=engine,
            description=f"LifeStream {config.name}: TLS only",
            parameters={"rds.force_ssl": "1"},
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=f"LifeStream {config.name} PostgreSQL: ingress only from the worker security group",
            allow_all_outbound=False,
        )
        self.instance = rds.DatabaseInstance(
            self,
            "Postgres",
            engine=engine,
            instance_type=ec2.InstanceType(config.db_instance_type),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            security_groups=[self.security_group],
            port=POSTGRES_PORT,
            publicly_accessible=False,
            multi_az=config.db_multi_az,
            storage_type=rds.StorageType.GP3,
            allocated_storage=config.db_allocated_gb,
            max_allocated_storage=config.db_max_allocated_gb,
            storage_encrypted=True,
            backup_retention=Duration.days(config.db_backup_days),
            deletion_protection=config.deletion_protection,
            removal_policy=config.database_removal_policy,
            database_name=names.database_name,
            credentials=rds.Credentials.from_secret(credentials),
            parameter_group=parameters,
            auto_minor_version_upgrade=True,
            copy_tags_to_snapshot=True,
            # Named, not left to the account default: the worker verifies the server certificate
            # (verify-full) against the RDS CA bundle in its asset, which carries this root.
            ca_certificate=RDS_CA,
        )
        acknowledge(
            self.instance,
            "AwsSolutions-RDS11",
            "Standard port 5432 kept on purpose: the instance "
            "is in isolated subnets and its security group admits only the worker security group, so a "
            "non-default port would add no protection.",
        )
        if not config.db_multi_az:
            acknowledge(
                self.instance,
                "AwsSolutions-RDS3",
                f"{config.name} is a single-AZ environment to save "
                "cost; prod runs Multi-AZ (EnvConfig.db_multi_az).",
            )
        if not config.deletion_protection:
            acknowledge(
                self.instance,
                "AwsSolutions-RDS10",
                f"{config.name} is disposable (cdk destroy must "
                "succeed); prod enables deletion protection (EnvConfig.deletion_protection).",
            )
        checkov_skip(
            credentials,
            "CKV_AWS_149",
            "Encrypted with the account's aws/secretsmanager key; a CMK would need its policy opened to the "
            "rotation function and the worker for no added protection of a password only they read.",
        )
        checkov_skip(
            self.instance,
            "CKV_AWS_161",
            "Password authentication with a rotated Secrets Manager secret; IAM tokens would need rds-db:connect "
            "grants and token refresh in the job store, and the instance has no other way in.",
        )
        checkov_skip(
            self.instance,
            "CKV_AWS_118",
            "Enhanced monitoring (a per-second OS agent, its own IAM role and log costs) is not needed for "
            "a job table; the standard per-minute RDS metrics remain.",
        )
        if not config.db_multi_az:
            checkov_skip(
                self.instance,
                "CKV_AWS_157",
                f"{config.name} is a single-AZ environment to save cost; prod runs Multi-AZ "
                "(EnvConfig.db_multi_az).",
            )
        assert self.instance.secret is not None
        self.secret = self.instance.secret
        # Single-user rotation re-sets the password in place. Open connections survive it; a warm worker
        # that opens a new one must re-read the secret (lifestream.core.secrets caches it) on an auth failure.
        self.rotation = self.instance.add_rotation_single_user(
            automatically_after=Duration.days(config.db_rotation_days),
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        )
