"""The LifeStream stacks of one environment; an arrow points at a stack that must be deployed first.

    Web                         site, distribution and the bare HTTP API resource its /api/* points at
    Queue
    Storage -> Queue, Web       the bucket notifies the queue; its CORS rule names the site's origin
    Database
    Processing -> Queue, Storage, Database
    Auth -> Web                 the client's callback URLs name the site (so the API can be replaced
                                without touching the users)
    Api -> Web, Auth, Storage, Database, Processing (stage, routes and authorizer on Web's API resource;
                                after the bucket and the migrations)
    Alarms -> Queue, Processing, Api
    Site -> Web, Auth           config.json names the app client
    Billing                     us-east-1, standalone

The HTTP API resource sits in Web because the distribution needs its id, the app client's callback URLs
need the distribution, and the JWT authorizer needs the client: one stack with both the API resource and
its authorizer would be a cycle through Auth. Storage's CORS rule, which names the distribution while the
API needs the bucket, is why Web comes first too. Neither the API's id nor the distribution's domain
changes on updates, so these exports are stable. The queue sits below the bucket because S3 checks, when a
notification is configured, that the queue's policy already lets the bucket send; that policy names the
bucket by its deterministic ARN (`ResourceNames`), since a construct reference would be the cross-stack
cycle of aws-cdk#11245.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Annotations, App, Aws, CfnOutput, Environment, Stack, Tags
from constructs import Construct

from lifestream.core.constants import APP_NAME, ResourceNames
from stacks.alarms import AlarmTopic, ApiAlarms, BillingAlarm, PipelineAlarms
from stacks.api import Api, create_http_api
from stacks.auth import Auth
from stacks.config import EnvConfig
from stacks.database import POSTGRES_PORT, JobDatabase, Network
from stacks.processing import Worker
from stacks.queue import ProcessingQueue
from stacks.storage import VideoStorage
from stacks.web import Web, WebContent

BILLING_REGION = "us-east-1"
# Printed by every synthesis (and in the README): why the billing alarm is not per environment.
BILLING_SCOPE_NOTE = (
    "The billing alarm watches the whole account's estimated charges: AWS/Billing has no dimension per "
    "environment or tag. Each environment deployed into one account adds its own alarm on that same total, "
    "with its own threshold (EnvConfig.billing_threshold_usd), so the lowest threshold fires first for "
    "everyone's spending. Deploy each environment into its own account (AWS Organizations) to make each "
    "alarm that environment's; for spending per environment, use AWS Budgets with a cost-allocation tag "
    "filter on the 'Environment' tag every stack carries."
)


def resource_names(config: EnvConfig) -> ResourceNames:
    # Environment-agnostic synthesis: the account is filled in by CloudFormation at deploy time.
    return ResourceNames(env=config.name, account=config.account or Aws.ACCOUNT_ID)


def stack_name(config: EnvConfig, component: str) -> str:
    return f"LifeStream-{config.name}-{component}"


class _LifeStreamStack(Stack):
    component = ""

    def __init__(self, scope: Construct, *, config: EnvConfig, region: str | None = None) -> None:
        super().__init__(
            scope,
            stack_name(config, self.component),
            env=Environment(account=config.account, region=region or config.region),
            description=f"LifeStream ({config.name}): {self.__doc__.strip().splitlines()[0]}",
            termination_protection=config.deletion_protection,
        )
        self.config = config
        self.names = resource_names(config)
        Tags.of(self).add("Project", APP_NAME)
        Tags.of(self).add("Environment", config.name)
        for key, value in config.tags.items():
            Tags.of(self).add(key, value)


class QueueStack(_LifeStreamStack):
    """processing queue and dead-letter queue"""

    component = "Queue"

    def __init__(self, scope: Construct, *, config: EnvConfig) -> None:
        super().__init__(scope, config=config)
        bucket_arn = f"arn:{Aws.PARTITION}:s3:::{self.names.bucket}"
        self.processing = ProcessingQueue(
            self, "Processing", config=config, names=self.names, source_bucket_arn=bucket_arn
        )
        CfnOutput(self, "QueueUrl", value=self.processing.queue.queue_url)
        CfnOutput(self, "DlqUrl", value=self.processing.dlq.queue_url)


class StorageStack(_LifeStreamStack):
    """video bucket with upload notifications"""

    component = "Storage"

    def __init__(self, scope: Construct, *, config: EnvConfig, queue: QueueStack, web: WebStack) -> None:
        super().__init__(scope, config=config)
        self.storage = VideoStorage(
            self,
            "Storage",
            config=config,
            bucket_name=self.names.bucket,
            queue=queue.processing.queue,
            site_origin=web.web.url,
        )
        CfnOutput(self, "BucketName", value=self.storage.bucket.bucket_name)


class DatabaseStack(_LifeStreamStack):
    """VPC and PostgreSQL job database"""

    component = "Database"

    def __init__(self, scope: Construct, *, config: EnvConfig) -> None:
        super().__init__(scope, config=config)
        self.network = Network(self, "Network", config=config)
        self.database = JobDatabase(self, "Database", config=config, names=self.names, vpc=self.network.vpc)
        CfnOutput(self, "DatabaseEndpoint", value=self.database.instance.db_instance_endpoint_address)
        CfnOutput(self, "DatabaseSecretArn", value=self.database.secret.secret_arn)


class ProcessingStack(_LifeStreamStack):
    """worker Lambda and deploy-time migrations"""

    component = "Processing"

    def __init__(
        self,
        scope: Construct,
        *,
        config: EnvConfig,
        queue: QueueStack,
        storage: StorageStack,
        database: DatabaseStack,
    ) -> None:
        super().__init__(scope, config=config)
        self.worker = Worker(
            self,
            "Worker",
            config=config,
            names=self.names,
            vpc=database.network.vpc,
            bucket_name=self.names.bucket,
            queue=queue.processing.queue,
            dlq=queue.processing.dlq,
            database_secret=database.database.secret,
            database_security_group=database.database.security_group,
            database_port=POSTGRES_PORT,
        )
        # Not implied by any reference (the bucket is imported by name): workers need the bucket first.
        self.add_stack_dependency(storage)
        CfnOutput(self, "WorkerFunctionName", value=self.worker.function.function_name)


class AlarmsStack(_LifeStreamStack):
    """alarm topic and pipeline alarms"""

    component = "Alarms"

    def __init__(
        self,
        scope: Construct,
        *,
        config: EnvConfig,
        queue: QueueStack,
        processing: ProcessingStack,
        api: ApiStack,
    ) -> None:
        super().__init__(scope, config=config)
        self.topic = AlarmTopic(self, "Topic", config=config, topic_name=self.names.topic)
        self.alarms = PipelineAlarms(
            self,
            "Alarms",
            config=config,
            topic=self.topic,
            queue=queue.processing.queue,
            dlq=queue.processing.dlq,
            worker=processing.worker.function,
        )
        self.api_alarms = ApiAlarms(
            self,
            "ApiAlarms",
            config=config,
            topic=self.topic,
            http_api=api.api.http_api,
            function=api.api.function,
        )
        CfnOutput(self, "AlarmTopicArn", value=self.topic.topic.topic_arn)


class BillingStack(_LifeStreamStack):
    """billing alarm (AWS/Billing exists only in us-east-1)"""

    component = "Billing"

    def __init__(self, scope: Construct, *, config: EnvConfig) -> None:
        super().__init__(scope, config=config, region=BILLING_REGION)
        self.topic = AlarmTopic(self, "Topic", config=config, topic_name=f"{self.names.topic}-billing")
        self.billing = BillingAlarm(self, "Billing", config=config, topic=self.topic)
        CfnOutput(self, "BillingTopicArn", value=self.topic.topic.topic_arn)
        Annotations.of(self).add_info(BILLING_SCOPE_NOTE)


class WebStack(_LifeStreamStack):
    """site bucket, CloudFront distribution and the HTTP API resource it routes /api/* to"""

    component = "Web"

    def __init__(self, scope: Construct, *, config: EnvConfig) -> None:
        super().__init__(scope, config=config)
        self.http_api = create_http_api(self, "HttpApi", config=config, names=self.names)
        self.web = Web(self, "Web", config=config, names=self.names, http_api=self.http_api)
        CfnOutput(self, "SiteUrl", value=self.web.url)
        CfnOutput(self, "DistributionId", value=self.web.distribution.distribution_id)
        CfnOutput(self, "SiteBucketName", value=self.web.bucket.bucket_name)


class SiteStack(_LifeStreamStack):
    """the built web app and its config.json"""

    component = "Site"

    def __init__(self, scope: Construct, *, config: EnvConfig, web: WebStack, auth: AuthStack) -> None:
        super().__init__(scope, config=config)
        self.content = WebContent(
            self, "Content", config=config, names=self.names, web=web.web, auth=auth.auth
        )


class AuthStack(_LifeStreamStack):
    """user pool, browser app client and managed-login domain"""

    component = "Auth"

    def __init__(self, scope: Construct, *, config: EnvConfig, web: WebStack) -> None:
        super().__init__(scope, config=config)
        self.auth = Auth(self, "Auth", config=config, names=self.names, site_url=web.web.url)
        CfnOutput(self, "UserPoolId", value=self.auth.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.auth.client.user_pool_client_id)
        CfnOutput(self, "UserPoolIssuer", value=self.auth.issuer_url)
        CfnOutput(self, "AuthDomain", value=self.auth.hosted_login_url)


class ApiStack(_LifeStreamStack):
    """HTTP API with the JWT authorizer and the API Lambda"""

    component = "Api"

    def __init__(
        self,
        scope: Construct,
        *,
        config: EnvConfig,
        auth: AuthStack,
        web: WebStack,
        storage: StorageStack,
        database: DatabaseStack,
        processing: ProcessingStack,
    ) -> None:
        super().__init__(scope, config=config)
        self.api = Api(
            self,
            "Api",
            config=config,
            names=self.names,
            auth=auth.auth,
            http_api=web.http_api,
            vpc=database.network.vpc,
            bucket_name=self.names.bucket,
            database_secret=database.database.secret,
            database_security_group=database.database.security_group,
            database_port=POSTGRES_PORT,
        )
        # Neither is implied by a reference: the bucket is imported by name, and the API must not serve a
        # schema before the migration trigger (in the processing stack) has applied it.
        self.add_stack_dependency(storage)
        self.add_stack_dependency(processing)
        CfnOutput(self, "ApiUrl", value=self.api.url)
        CfnOutput(self, "ApiFunctionName", value=self.api.function.function_name)


@dataclass(frozen=True)
class LifeStreamStacks:
    queue: QueueStack
    storage: StorageStack
    database: DatabaseStack
    processing: ProcessingStack
    alarms: AlarmsStack
    billing: BillingStack
    auth: AuthStack
    api: ApiStack
    web: WebStack
    site: SiteStack

    def all(self) -> list[Stack]:
        return [
            self.queue,
            self.storage,
            self.database,
            self.processing,
            self.alarms,
            self.billing,
            self.auth,
            self.api,
            self.web,
            self.site,
        ]


def build_environment(app: App, config: EnvConfig) -> LifeStreamStacks:
    web = WebStack(app, config=config)
    queue = QueueStack(app, config=config)
    storage = StorageStack(app, config=config, queue=queue, web=web)
    database = DatabaseStack(app, config=config)
    processing = ProcessingStack(app, config=config, queue=queue, storage=storage, database=database)
    auth = AuthStack(app, config=config, web=web)
    api = ApiStack(
        app,
        config=config,
        auth=auth,
        web=web,
        storage=storage,
        database=database,
        processing=processing,
    )
    alarms = AlarmsStack(app, config=config, queue=queue, processing=processing, api=api)
    billing = BillingStack(app, config=config)
    site = SiteStack(app, config=config, web=web, auth=auth)
    return LifeStreamStacks(queue, storage, database, processing, alarms, billing, auth, api, web, site)
