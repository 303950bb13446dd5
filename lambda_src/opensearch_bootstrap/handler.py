"""One-shot Lambda: configure the domain from the event's fields and return the summary.

Invoked by Terraform (`aws_lambda_invocation`) after the domain exists, from inside the domain's VPC when it
has one. The result (a JSON object) lists every step as created, updated, unchanged or skipped; a failure
raises, so the invocation — and the apply — fails with the reason. With `lifecycle_scope = "CRUD"` the
provider adds a `tf` key: create and update run the bootstrap, delete does nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from opensearch_bootstrap.bootstrap import StepFailed, run
from opensearch_bootstrap.client import BootstrapError, connect, signing_credentials
from opensearch_bootstrap.settings import ConfigError, Settings

logger = Logger(service="opensearch-bootstrap")


TERRAFORM_KEY = "tf"  # aws_lambda_invocation with lifecycle_scope = "CRUD" adds {"action", "prev_input"} here


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    terraform = event.get(TERRAFORM_KEY) if isinstance(event, dict) else None
    if isinstance(terraform, dict):
        event = {k: v for k, v in event.items() if k != TERRAFORM_KEY}
        if terraform.get("action") == "delete":  # the domain's configuration goes with the domain, not before it
            logger.info("terraform destroy: nothing to undo, the domain is left as it is")
            return {"changed": 0, "steps": [], "summary": "terraform destroy: the domain is left as it is"}
    try:
        settings = Settings.from_event(event)
    except ConfigError as exc:
        logger.error("invalid event", extra={"reason": str(exc)})
        raise
    try:
        summary = run(settings, *connect(settings, signing_credentials(settings)))
    except StepFailed as exc:
        logger.error("bootstrap failed", extra={"reason": str(exc), "done": exc.summary.as_dict()})
        raise
    except BootstrapError as exc:
        logger.error("bootstrap failed", extra={"reason": str(exc)})
        raise
    for step in summary.steps:
        logger.info(step.line())
    result = summary.as_dict()
    logger.info(summary.headline(), extra={"result": result})
    return result
