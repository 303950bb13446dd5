"""One producer run from a validated configuration: open the input, check the destination, send, report."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO
from urllib.parse import urlparse

import boto3
from botocore.config import Config as BotoConfig

from producer.batching import LIMITS
from producer.errors import ExitCode
from producer.pipeline import Options, dry_run, send
from producer.reader import open_input, read_rows
from producer.records import EntryBuilder
from producer.report import Problems, Progress, Stats, open_reject_file, summary_lines
from producer.sender import RetryPolicy, Sender, destination_for

DEFAULT_INPUT = Path(__file__).resolve().parent / "data" / "online_retail_sample.csv"
# The lab's names, which the stack creates with its default name_prefix.
DEFAULT_STREAMS = {"kinesis": "retail-trans", "firehose": "uk-online-retail-trans"}
DEFAULT_REGION = "us-east-1"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
EMULATOR_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


@dataclass(frozen=True)
class RunConfig:
    """Everything one run needs, as the CLI validated it."""

    service: str = "kinesis"
    stream_name: str | None = None  # None: the lab's name for the service
    input_file: Path = DEFAULT_INPUT
    region: str | None = None  # None: AWS_REGION, AWS_DEFAULT_REGION, the profile, else us-east-1
    endpoint_url: str | None = None  # None: the AWS endpoints (or AWS_ENDPOINT_URL, which boto3 honours)
    options: Options = field(default_factory=Options)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    dry_run: bool = False
    quiet: bool = False
    reject_file: Path | None = None

    @property
    def stream(self) -> str:
        return self.stream_name or DEFAULT_STREAMS[self.service]


def make_client(service: str, region: str | None, endpoint_url: str | None, concurrency: int) -> Any:
    """A boto3 client for the service, with botocore's retries off (the sender owns the retry budget) and
    without botocore's client-side parameter validation (entries are built and batched within the API's
    limits here; validating 500 records again per call costs about a third of the producer's CPU).

    On a loopback endpoint (a local emulator) without any configured credentials, the emulators'
    conventional dummy credentials are used, so `--endpoint-url http://localhost:4566` just works.
    """
    session = boto3.session.Session(region_name=region)
    credentials: dict[str, str] = {}
    if endpoint_url and urlparse(endpoint_url).hostname in LOOPBACK_HOSTS and session.get_credentials() is None:
        credentials = EMULATOR_CREDENTIALS
    config = BotoConfig(
        retries={"total_max_attempts": 1, "mode": "standard"},
        parameter_validation=False,  # the batcher already enforces types and limits; saves ~a third of the CPU
        max_pool_connections=concurrency + 2,
        connect_timeout=5,
        read_timeout=60,
        user_agent_extra="retail-producer",
    )
    return session.client(
        service,
        region_name=session.region_name or DEFAULT_REGION,
        endpoint_url=endpoint_url,
        config=config,
        **credentials,
    )


def run(
    config: RunConfig,
    *,
    client: Any = None,
    stdout: BinaryIO | None = None,
    stderr: TextIO | None = None,
) -> ExitCode:
    """Run once; the summary goes to stderr, dry-run records to stdout. Raises ProducerError when it cannot start."""
    stdout = stdout if stdout is not None else sys.stdout.buffer
    stderr = stderr if stderr is not None else sys.stderr
    options = config.options
    with ExitStack() as stack:
        stream = stack.enter_context(open_input(config.input_file, options.encoding))
        columns, rows = read_rows(stream, str(config.input_file))
        if columns.ignored and not config.quiet:
            print(
                f"producer: note: ignoring columns outside the data contract: {', '.join(columns.ignored)}", file=stderr
            )
        reject_file = stack.enter_context(open_reject_file(config.reject_file)) if config.reject_file else None
        problems = Problems(Stats(), reject_file)
        builder = EntryBuilder(options.out_format, options.partition_key, options.time_mode)
        where = f"{'kinesis stream' if config.service == 'kinesis' else 'firehose delivery stream'} {config.stream!r}"
        if config.dry_run:
            stats = dry_run(rows, builder, LIMITS[config.service], options, stdout, problems)
            stdout.flush()
        else:
            client = client or make_client(config.service, config.region, config.endpoint_url, options.concurrency)
            destination = destination_for(config.service, client, config.stream)
            destination.check()
            progress = Progress(stderr, total=options.max_count, enabled=not config.quiet)
            stats = send(rows, builder, Sender(destination, config.retry), options, problems, progress)
    code = stats.exit_code()
    if not config.quiet or code != ExitCode.OK:
        for line in summary_lines(stats, where, config.dry_run):
            print(line, file=stderr)
    return code
