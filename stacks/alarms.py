"""Alarms and where they go: an encrypted SNS topic with an optional e-mail subscription, alarms on the
dead-letter queue, queue age, worker errors and throttles, the HTTP API's server errors and its function's
errors and throttles, and a billing alarm."""

from __future__ import annotations

from aws_cdk import Aws, Duration
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.config import EnvConfig

# AWS/Billing publishes EstimatedCharges about every 6 hours.
BILLING_PERIOD = Duration.hours(6)


def alarm_prefix(config: EnvConfig) -> str:
    """What every alarm name of an environment starts with (the key policy's SourceArn relies on it)."""
    return f"lifestream-{config.name}-"


def alarm_above(
    scope: Construct,
    construct_id: str,
    *,
    name: str,
    description: str,
    metric: cloudwatch.IMetric,
    threshold: float,
    topic: AlarmTopic,
) -> cloudwatch.Alarm:
    """Every LifeStream alarm: one period above the threshold; no data (an idle pipeline) is not a breach."""
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        alarm_name=name,
        alarm_description=description,
        metric=metric,
        threshold=threshold,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    alarm.add_alarm_action(topic.action)
    return alarm


class AlarmTopic(Construct):
    """An SNS topic encrypted with a customer-managed key CloudWatch may use (it cannot use aws/sns)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvConfig, topic_name: str) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            description=f"LifeStream {config.name} alarm topic",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
        )
        # Confused-deputy guard: CloudWatch may use the key only for this environment's alarms in this
        # account and region (every LifeStream alarm name starts with alarm_prefix(config)).
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsOfThisEnvironment",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}"
                        f":alarm:{alarm_prefix(config)}*"
                    },
                },
            )
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=topic_name,
            display_name=f"LifeStream {config.name} alarms",
            master_key=self.key,
            enforce_ssl=True,
        )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.action = actions.SnsAction(self.topic)


class PipelineAlarms(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        topic: AlarmTopic,
        queue: sqs.IQueue,
        dlq: sqs.IQueue,
        worker: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        prefix = alarm_prefix(config).rstrip("-")
        five_minutes = Duration.minutes(5)

        self.dlq_depth = alarm_above(
            self,
            "DeadLetters",
            name=f"{prefix}-dlq-not-empty",
            description="A video failed every retry and sits in the DLQ: inspect and redrive it.",
            metric=dlq.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic="Maximum"
            ),
            threshold=0,
            topic=topic,
        )
        self.oldest_message = alarm_above(
            self,
            "OldestMessage",
            name=f"{prefix}-queue-stalled",
            description="Uploads wait too long: workers are failing, throttled or too few.",
            metric=queue.metric_approximate_age_of_oldest_message(period=five_minutes, statistic="Maximum"),
            threshold=config.alarm_oldest_message_seconds,
            topic=topic,
        )
        # The handler reports per-record failures, so Errors counts crashes and timeouts only.
        self.worker_errors = alarm_above(
            self,
            "WorkerErrors",
            name=f"{prefix}-worker-errors",
            description="The worker crashed or timed out.",
            metric=worker.metric_errors(period=five_minutes, statistic="Sum"),
            threshold=config.alarm_worker_errors,
            topic=topic,
        )
        self.worker_throttles = alarm_above(
            self,
            "WorkerThrottles",
            name=f"{prefix}-worker-throttled",
            description="The worker was throttled: raise reserved or lower max concurrency.",
            metric=worker.metric_throttles(period=five_minutes, statistic="Sum"),
            threshold=0,
            topic=topic,
        )


class ApiAlarms(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        topic: AlarmTopic,
        http_api: apigwv2.IHttpApi,
        function: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        prefix = alarm_prefix(config).rstrip("-")
        five_minutes = Duration.minutes(5)
        # The app turns its own exceptions into JSON 500s, so 5xx at the gateway counts those, timeouts
        # and crashes alike: what users saw fail.
        self.server_errors = alarm_above(
            self,
            "ServerErrors",
            name=f"{prefix}-api-5xx",
            description="The HTTP API answered 5xx: read the API function's log for the request ids.",
            metric=http_api.metric_server_error(period=five_minutes, statistic="Sum"),
            threshold=config.alarm_api_server_errors,
            topic=topic,
        )
        self.function_errors = alarm_above(
            self,
            "FunctionErrors",
            name=f"{prefix}-api-function-errors",
            description="The API function crashed or timed out (the app's own errors are 4xx/5xx answers).",
            metric=function.metric_errors(period=five_minutes, statistic="Sum"),
            threshold=0,
            topic=topic,
        )
        self.function_throttles = alarm_above(
            self,
            "FunctionThrottles",
            name=f"{prefix}-api-function-throttled",
            description="The API function was throttled: raise its reserved concurrency or the account's.",
            metric=function.metric_throttles(period=five_minutes, statistic="Sum"),
            threshold=0,
            topic=topic,
        )


class BillingAlarm(Construct):
    """Only in us-east-1 (where AWS/Billing lives) and only once billing alerts are enabled on the account."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvConfig, topic: AlarmTopic) -> None:
        super().__init__(scope, construct_id)
        self.alarm = alarm_above(
            self,
            "EstimatedCharges",
            name=f"{alarm_prefix(config)}estimated-charges",
            description=f"Estimated charges this month exceed {config.billing_threshold_usd} USD.",
            metric=cloudwatch.Metric(
                namespace="AWS/Billing",
                metric_name="EstimatedCharges",
                dimensions_map={"Currency": "USD"},
                statistic="Maximum",
                period=BILLING_PERIOD,
            ),
            threshold=config.billing_threshold_usd,
            topic=topic,
        )
